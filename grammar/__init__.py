"""Lark grammars for Junos configuration text (data only, no logic)."""

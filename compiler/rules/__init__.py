"""Semantic rules (FC2xx), one family per module."""

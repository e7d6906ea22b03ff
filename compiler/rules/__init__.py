"""Semantic rules (FC2xx), one family per module; the registry of every code is `registry.py`."""

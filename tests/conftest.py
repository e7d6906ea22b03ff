"""Suite-wide settings: hypothesis runs derandomized (the same examples on every run, so
`make test` and CI give one answer); `FLOWC_HYPOTHESIS=explore` searches new examples."""
from __future__ import annotations

import os

from hypothesis import settings

settings.register_profile("repeatable", derandomize=True, print_blob=True)
settings.register_profile("explore", derandomize=False, print_blob=True)
settings.load_profile("explore" if os.environ.get("FLOWC_HYPOTHESIS") == "explore" else "repeatable")

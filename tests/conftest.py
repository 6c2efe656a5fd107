"""Load the Hypothesis profile for every test: `HYPOTHESIS_PROFILE` (dev, ci, fuzz), else `dev`."""

from __future__ import annotations

import os

from hypothesis import settings

from promptlog_contract.strategies import register_profiles

register_profiles()
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "dev"))

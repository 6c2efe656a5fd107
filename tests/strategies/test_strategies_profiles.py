"""The shared Hypothesis profiles exist with the promised settings, and conftest loads one."""

from __future__ import annotations

import os

from hypothesis import settings

from promptlog_contract.strategies import register_profiles


def test_profiles_are_registered() -> None:
    register_profiles()  # twice is harmless
    dev, ci, fuzz = (settings.get_profile(name) for name in ("dev", "ci", "fuzz"))
    assert dev.max_examples < ci.max_examples < fuzz.max_examples
    assert ci.deadline is None and ci.print_blob and ci.derandomize and ci.database is None
    assert fuzz.deadline is None


def test_conftest_loads_the_requested_profile() -> None:
    assert settings.get_current_profile_name() == os.environ.get("HYPOTHESIS_PROFILE", "dev")

"""Hypothesis profiles shared by the unit tests, the conformance suite and the runner.

One place registers them so `HYPOTHESIS_PROFILE=ci` means the same thing
everywhere: `dev` is quick feedback, `ci` is reproducible (derandomized, no
example database) and prints the blob needed to replay a failure, `fuzz` runs
long.
"""

from __future__ import annotations

from hypothesis import HealthCheck, settings

#: The profile names register_profiles() defines.
PROFILES: tuple[str, ...] = ("dev", "ci", "fuzz")

# Bodies are nested and a run sends many; generation is expected to be slowish.
_SLOW_OK = [HealthCheck.too_slow]


def register_profiles() -> None:
    """Register the `dev`, `ci` and `fuzz` Hypothesis profiles (safe to call twice).

    It does not load one: callers choose, usually from `HYPOTHESIS_PROFILE`.
    """
    settings.register_profile("dev", max_examples=30, deadline=None)
    settings.register_profile(
        "ci",
        max_examples=300,
        deadline=None,
        print_blob=True,
        derandomize=True,
        database=None,
        suppress_health_check=_SLOW_OK,
    )
    settings.register_profile(
        "fuzz", max_examples=5_000, deadline=None, suppress_health_check=_SLOW_OK
    )

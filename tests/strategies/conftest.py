"""Shared helpers for the strategy tests: seeded bulk draws and cached samples.

Drawing is done through `@given` (never `.example()`), with only the generate
phase, so a sample is exactly what a seed or derandomized run produces.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import HealthCheck, Phase, given, seed, settings
from hypothesis import strategies as st

from promptlog_contract.strategies import raw_requests, update_bodies
from promptlog_contract.strategies._invalid import Broken, broken_bodies

#: Draws per sample in the coverage tests: the "bounded number of draws".
SAMPLE_SIZE = 1500

DrawMany = Callable[..., list[Any]]


def draw_many(
    strategy: st.SearchStrategy[Any], count: int, *, seed_value: int | None = None
) -> list[Any]:
    """`count` values from `strategy`: derandomized, or from `seed_value` when given."""
    drawn: list[Any] = []

    @settings(
        max_examples=count,
        derandomize=seed_value is None,
        database=None,
        deadline=None,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(strategy)
    def collect(value: Any) -> None:
        drawn.append(value)

    if seed_value is not None:
        collect = seed(seed_value)(collect)
    collect()
    return drawn


@pytest.fixture(scope="session")
def drawer() -> DrawMany:
    return draw_many


@pytest.fixture(scope="session")
def valid_sample() -> list[dict[str, Any]]:
    return draw_many(update_bodies(), SAMPLE_SIZE)


@pytest.fixture(scope="session")
def broken_sample() -> list[Broken]:
    return draw_many(broken_bodies(), SAMPLE_SIZE)


@pytest.fixture(scope="session")
def raw_sample() -> list[Any]:
    return draw_many(raw_requests(), 200)

"""Drive Hypothesis outside a test: draw a seeded batch, and shrink one failure.

Generation and sending are decoupled so that bodies can be sent by several
workers; shrinking re-runs the same seeded search with a predicate that sends
requests, so Hypothesis minimises the body against the live target.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from typing import Any, TypeVar

from hypothesis import HealthCheck, Phase, Verbosity, given, seed, settings
from hypothesis import strategies as st

T = TypeVar("T")

_QUIET = {
    "database": None,
    "deadline": None,
    "suppress_health_check": list(HealthCheck),
    "verbosity": Verbosity.quiet,
    "derandomize": False,
    "print_blob": False,
}


class _Reproduced(Exception):
    """Raised inside a shrink run to tell Hypothesis the example is interesting."""


def draw_stream(
    strategy: st.SearchStrategy[T], n: int, seed_value: int, sink: Callable[[T], None]
) -> None:
    """Hand n examples of `strategy` to `sink` as they are drawn (same ones for the same seed).

    Streaming lets the runner send a body while the next is generated; an
    exception raised by `sink` stops the drawing and propagates.
    """
    if n <= 0:
        return
    count = 0

    @settings(max_examples=n, phases=[Phase.generate], **_QUIET)  # type: ignore[arg-type]
    @seed(seed_value)
    @given(strategy)
    def collect(value: T) -> None:
        nonlocal count
        if count < n:
            count += 1
            sink(value)

    collect()


def draw_batch(strategy: st.SearchStrategy[T], n: int, seed_value: int) -> list[T]:
    """n examples of `strategy`, the same list for the same seed (no shrinking, no database)."""
    drawn: list[T] = []
    draw_stream(strategy, n, seed_value, drawn.append)
    return drawn


def shrink(
    strategy: st.SearchStrategy[T],
    seed_value: int,
    fails: Callable[[T], bool],
    *,
    max_examples: int,
    max_calls: int,
    size: Callable[[Any], int],
) -> T | None:
    """The smallest example that `fails`, searched and shrunk by Hypothesis within max_calls."""
    best: list[T] = []
    calls = 0

    @settings(
        max_examples=max_examples,
        phases=[Phase.generate, Phase.shrink],
        report_multiple_bugs=False,
        **_QUIET,  # type: ignore[arg-type]
    )
    @seed(seed_value)
    @given(strategy)
    def search(value: T) -> None:
        nonlocal calls
        if calls >= max_calls:
            return
        calls += 1
        if fails(value):
            if not best or size(value) < size(best[0]):
                best[:] = [value]
            raise _Reproduced

    with contextlib.suppress(Exception):
        search()
    return best[0] if best else None

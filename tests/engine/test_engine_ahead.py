"""Drawing ahead: batches drawn in other processes, aimed sweeps, fresh seeds never cached.

A batch drawn in another process must be the batch drawn here (same seed,
same bodies, wherever drawn), the valid sweep must bring every variant a valid
body can show to its quota with few bodies, and a `fuzz` run's fresh-seed
batches must leave nothing in the cache.
"""

from __future__ import annotations

import time
from collections import Counter
from dataclasses import replace
from pathlib import Path

import pytest

from promptlog_contract import strategies
from promptlog_contract.engine import (
    PROFILES,
    RunConfig,
    Seeds,
    _ahead,
    _cache,
    _schedule,
    _schemathesis_phase,
    draw_batch,
    run,
)
from promptlog_contract.engine._http import Limits


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("PROMPTLOG_CONTRACT_CACHE", str(tmp_path))
    return tmp_path


def test_batch_drawn_in_a_process_is_the_batch_drawn_here(
    cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PROMPTLOG_CONTRACT_DRAW_PROCESSES", "1")
    _ahead.shutdown()
    try:
        valid = _ahead.batch("valid", 15, 41, persist=False).result()
        invalid = _ahead.batch("invalid", 10, 42).result()
    finally:
        _ahead.shutdown()
    assert valid == draw_batch(strategies.update_bodies(), 15, 41)
    here: list[object] = []
    _cache.stream("invalid", 10, 42, here.append)  # now read from the cache it wrote
    assert invalid == here
    assert list(cache.glob("valid-*.json")) == []  # persist=False wrote nothing


def test_without_processes_the_batch_is_drawn_here(
    cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PROMPTLOG_CONTRACT_DRAW_PROCESSES", "0")
    _ahead.shutdown()
    assert _ahead.batch("valid", 5, 3).result() == draw_batch(strategies.update_bodies(), 5, 3)


def test_valid_sweep_brings_every_variant_to_its_quota(cache: Path) -> None:
    drawn = draw_batch(strategies.update_bodies(), 80, 0)
    extra = _schedule.valid_sweep(drawn, Seeds(0), 0)
    sent: Counter[tuple[str, str]] = Counter()
    for body in drawn + extra:
        sent.update(strategies.variants_of(body))
    short = {
        (dim, v): sent[(dim, v)]
        for dim in ("field", "role", "content", "content_part", "thinking", "tool_calls")
        for v in strategies.CATALOG[dim]
        if sent[(dim, v)] < 3
    }
    assert short == {}
    # Aimed, not sampled: the old sweep drew 300 bodies to keep about 118.
    assert 0 < len(extra) <= 60


def test_fresh_seed_batches_are_not_cached(cache: Path) -> None:
    result = run(RunConfig(profile="fuzz", max_requests=150, schemathesis=False))
    assert result.requests_sent > 0
    assert sorted(p.name for p in cache.glob("*.json")) == []


def test_a_seeded_fuzz_run_is_cached(cache: Path) -> None:
    run(RunConfig(profile="fuzz", seed=5, max_requests=150, schemathesis=False))
    assert list(cache.glob("valid-*.json"))


def test_bodies_leave_the_schemathesis_phase_its_share_of_max_time() -> None:
    limits = Limits(deadline=time.monotonic() + 100.0)
    until = _schedule.bodies_until(RunConfig(max_time=100.0), limits)
    assert until is not None and limits.deadline is not None
    assert until == pytest.approx(limits.deadline - 10.0)
    assert _schedule.bodies_until(RunConfig(max_time=100.0, schemathesis=False), limits) is None
    assert _schedule.bodies_until(RunConfig(), Limits()) is None


def test_time_budgeted_fuzz_reaches_the_schemathesis_phase(
    cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A small phase, its cases cached beforehand and bodies drawn here, so that a loaded
    # machine cannot spend the phase's share waiting for drawing processes to start.
    monkeypatch.setenv("PROMPTLOG_CONTRACT_DRAW_PROCESSES", "0")
    monkeypatch.setitem(PROFILES, "fuzz", replace(PROFILES["fuzz"], schemathesis=4))
    for mode, index, n in _schemathesis_phase.parts(4):
        _schemathesis_phase.cases_json(mode, index, n, 3)
    config = RunConfig(profile="fuzz", seed=3, max_examples=10, max_time=20.0, rate_limit=1e3)
    result = run(config)
    assert result.phases["schemathesis"]["cases"] > 0, result.phases
    assert "bodies-1" in result.phases


def test_schemathesis_parts_cover_the_phase_budget() -> None:
    parts = _schemathesis_phase.parts(40)
    assert sum(n for mode, _, n in parts if mode == "positive") == 40
    assert sum(n for mode, _, n in parts if mode == "negative") == 20
    assert all(0 < n <= _schemathesis_phase.PART for _, _, n in parts)

"""The load job's user behaviour and judging, driven without Locust against the mock."""

from __future__ import annotations

import functools
from collections.abc import Iterator
from typing import Any

import pytest

from promptlog_contract.load._pool import Pool, draw_pool, read_pool, write_pool
from promptlog_contract.load._rule import RULE, ConcurrentUpdateLost, concurrent_patches_merge
from promptlog_contract.load._session import Session, Tally
from promptlog_contract.mock import running_mock

from ._drive import HttpxSend, threads

KEY = "load-test-key-0123456789"


@functools.cache
def _pool() -> Pool:
    return draw_pool(12, 12, 0)


def test_concurrent_patches_merge_holds() -> None:
    sent: list[dict[str, Any]] = [{"output": "a"}, {"metadata": {"k": "v"}}, {"output_tokens": 3}]
    concurrent_patches_merge(sent, {"output": "a", "metadata": {"k": "v"}, "output_tokens": 3})


def test_concurrent_patches_merge_catches_lost_field() -> None:
    sent: list[dict[str, Any]] = [{"output": "a"}, {"metadata": {"k": "v"}}]
    with pytest.raises(ConcurrentUpdateLost, match="metadata"):
        concurrent_patches_merge(sent, {"output": "a", "metadata": None})


def test_pool_round_trips_through_its_file(tmp_path: pytest.TempPathFactory) -> None:
    path = tmp_path / "pool.json"  # type: ignore[operator]
    write_pool(_pool(), path)
    assert read_pool(path) == _pool()
    assert len(_pool().valid) == 12 and len(_pool().invalid) == 12


@pytest.fixture
def mock_url(request: pytest.FixtureRequest) -> Iterator[str]:
    faults = getattr(request, "param", ())
    with running_mock(api_keys=(KEY,), faults=faults) as url:
        yield url


def _run_session(url: str) -> Tally:
    tally, send = Tally(KEY), HttpxSend(url)
    session = Session(tally, send, _pool(), url, KEY, "promptlog-contract/load-test")
    try:
        session.start()
        for _ in range(8):
            session.valid()
            session.invalid()
            session.concurrent(threads)
    finally:
        send.client.close()
    return tally


@pytest.mark.socket
def test_session_against_faithful_mock_finds_nothing(mock_url: str) -> None:
    tally = _run_session(mock_url)
    rules = tally.recorder.rules
    assert [f.rule for f in tally.recorder.findings if f.level == "failure"] == []
    assert rules[RULE].passed == 8
    assert rules["omitted_fields_unchanged"].passed > 0
    assert rules["auth_enforced"].passed == 2
    assert len(tally.created) == 2 and tally.unhealthy is None
    snapshot = tally.snapshot()
    assert snapshot["logs"] == tally.created
    assert KEY not in str(snapshot)


@pytest.mark.socket
@pytest.mark.parametrize("mock_url", [("clear_omitted_fields",)], indirect=True)
def test_concurrent_patches_merge_catches_clear_omitted_fields(mock_url: str) -> None:
    tally = _run_session(mock_url)
    failed = {f.rule for f in tally.recorder.findings if f.level == "failure"}
    assert {RULE, "omitted_fields_unchanged"} <= failed
    assert tally.recorder.rules[RULE].failed > 0


def test_breaker_trips_after_consecutive_server_errors() -> None:
    tally = Tally(KEY)
    for _ in range(24):
        tally.note(500, "500")
    tally.note(200, "200")
    for _ in range(24):
        tally.note(None, "transport error")
    assert tally.unhealthy is None
    tally.note(503, "503")
    assert tally.unhealthy is not None and "25 consecutive" in tally.unhealthy

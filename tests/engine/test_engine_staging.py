"""Staging safety: 429 handling, the rate limit, the budgets, the circuit breaker, the methods sent.

Staging is somebody's shared environment. Each promise is seen on the wire by
a stdlib server (or a recording proxy in front of the mock) that knows nothing
of the engine.
"""

from __future__ import annotations

import re
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from promptlog_contract.engine import RunConfig, run
from promptlog_contract.engine._http import BudgetExhausted, Limits, Target, TargetUnhealthy
from promptlog_contract.mock import running_mock

from ._servers import Reply, json_answer, proxying, serving

KEY = "staging-key-0123"
CONTRACT_REQUESTS = (
    ("PATCH", re.compile(r"/v5/prompts/[^/?]+/log/[^/?]+")),
    ("POST", re.compile(r"/v5/prompts/log")),
    ("GET", re.compile(r"/v5/logs/[^/?]+")),
    ("DELETE", re.compile(r"/v5/logs\?(id=[^&]+&?)+")),
)


def ok(*_: object) -> Reply:
    return json_answer(200, b'{"ok": true}')


def server_error(*_: object) -> Reply:
    return json_answer(500, b'{"detail": "down"}')


@pytest.mark.socket
def test_retry_after_holds() -> None:
    answers = iter([json_answer(429, b"{}", **{"retry-after": "0"})])

    def throttle_once(*_: object) -> Reply:
        return next(answers, ok())

    with serving(throttle_once) as served:
        target = Target(served.base_url, KEY, Limits())
        try:
            _, response = target.request("GET", "/logs/log_1")
        finally:
            target.close()
    assert response.status == 200
    assert served.seen == [("GET", "/v5/logs/log_1")] * 2
    assert target.sent == 2
    assert target.by_status == {"429": 1, "200": 1}


@pytest.mark.socket
def test_retry_after_catches_endless_throttling() -> None:
    # A target that always says 429 is not retried forever: the 429 comes back.
    with serving(lambda *_: json_answer(429, b"{}", **{"retry-after": "0"})) as served:
        target = Target(served.base_url, KEY, Limits())
        try:
            _, response = target.request("GET", "/logs/log_1")
        finally:
            target.close()
    assert response.status == 429
    assert 2 <= len(served.seen) == target.sent <= 10


@pytest.mark.socket
def test_rate_limit_holds() -> None:
    # 20 requests at 40/s: 19 intervals of 25 ms, even from 4 threads at once.
    with serving(ok) as served:
        target = Target(served.base_url, KEY, Limits(rate_limit=40.0))
        started = time.monotonic()
        try:
            with ThreadPoolExecutor(max_workers=4) as pool:
                list(pool.map(lambda i: target.request("GET", f"/logs/log_{i}"), range(20)))
        finally:
            target.close()
        elapsed = time.monotonic() - started
    assert len(served.seen) == 20
    assert elapsed >= 0.45


@pytest.mark.socket
def test_request_budget_holds() -> None:
    with serving(ok) as served:
        target = Target(served.base_url, KEY, Limits(max_requests=3))
        try:
            for i in range(3):
                target.request("GET", f"/logs/log_{i}")
            with pytest.raises(BudgetExhausted, match="request budget"):
                target.request("GET", "/logs/log_3")
            assert len(served.seen) == 3
            # Cleanup is essential: it goes out even with the budget spent.
            target.request("DELETE", "/logs", params={"id": ["log_0"]}, essential=True)
        finally:
            target.close()
    assert [method for method, _ in served.seen] == ["GET"] * 3 + ["DELETE"]


@pytest.mark.socket
def test_time_budget_holds() -> None:
    with serving(ok) as served:
        target = Target(served.base_url, KEY, Limits(deadline=time.monotonic()))
        try:
            with pytest.raises(BudgetExhausted, match="time budget"):
                target.request("GET", "/logs/log_1")
        finally:
            target.close()
    assert served.seen == []


@pytest.mark.socket
def test_run_request_budget_holds() -> None:
    budget = 40
    with running_mock(api_keys=(KEY,)) as upstream, proxying(upstream) as proxy:
        result = run(
            RunConfig(
                base_url=proxy.base_url,
                api_key=KEY,
                max_requests=budget,
                max_examples=10,
                schemathesis=False,
            )
        )
    assert result.unhealthy is None
    phases: dict[str, Any] = dict(result.phases)  # RunResult types phases too narrowly
    assert phases["stopped"] == "request budget spent"
    deletes = [path for method, path in proxy.seen if method == "DELETE"]
    assert deletes, "the scratch logs were not cleaned up"
    assert len(proxy.seen) == result.requests_sent <= budget + len(deletes)


@pytest.mark.socket
def test_circuit_breaker_holds() -> None:
    with serving(server_error) as served:
        target = Target(served.base_url, KEY, Limits(max_consecutive_errors=3))
        try:
            for i in range(3):
                assert target.request("GET", f"/logs/log_{i}")[1].status == 500
            with pytest.raises(TargetUnhealthy, match="circuit breaker: 3 consecutive"):
                target.request("GET", "/logs/log_3")
        finally:
            target.close()
    assert len(served.seen) == 3


@pytest.mark.socket
def test_circuit_breaker_resets_on_success_holds() -> None:
    # Errors that are not consecutive do not trip it.
    statuses = iter([500, 500, 200, 500, 500, 200])
    lock = threading.Lock()

    def flaky(*_: object) -> Reply:
        with lock:
            return json_answer(next(statuses))

    with serving(flaky) as served:
        target = Target(served.base_url, KEY, Limits(max_consecutive_errors=3))
        try:
            got = [target.request("GET", f"/logs/log_{i}")[1].status for i in range(6)]
        finally:
            target.close()
    assert got == [500, 500, 200, 500, 500, 200]
    assert target.tripped is None


@pytest.mark.socket
def test_run_circuit_breaker_catches_failing_target() -> None:
    # Scratch logs can be created, everything else is a 500: the run must stop, exit 3.
    def creates_only(method: str, path: str) -> bool:
        return (method, path) == ("POST", "/v5/prompts/log")

    with (
        running_mock(api_keys=(KEY,)) as upstream,
        proxying(upstream, only=creates_only) as proxy,
    ):
        result = run(RunConfig(base_url=proxy.base_url, api_key=KEY, max_examples=10))
    assert result.exit_code == 3
    assert result.unhealthy is not None
    assert "circuit breaker" in result.unhealthy
    patches = [path for method, path in proxy.seen if method == "PATCH"]
    # 25 consecutive 5xx (the default), plus what the other worker had in flight: not a run.
    assert len(patches) <= 25 + 2, len(patches)
    assert proxy.seen[-1][0] == "DELETE"


@pytest.mark.socket
def test_only_contract_requests_holds() -> None:
    with running_mock(api_keys=(KEY,)) as upstream, proxying(upstream) as proxy:
        result = run(RunConfig(base_url=proxy.base_url, api_key=KEY, max_examples=10, seed=3))
    assert result.exit_code == 0
    assert result.phases["schemathesis"]["cases"] > 0
    methods = {method for method, _ in proxy.seen}
    assert methods <= {"PATCH", "GET", "POST", "DELETE"}, methods
    stray = [
        (method, path)
        for method, path in proxy.seen
        if not any(m == method and pattern.fullmatch(path) for m, pattern in CONTRACT_REQUESTS)
    ]
    assert stray == []
    assert len(proxy.seen) == result.requests_sent

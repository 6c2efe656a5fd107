"""The issue-13 rules against the real mock, with exchanges built as the engine will build them.

For each new fault, the probe the engine is to send (near-miss keys, the
bad-value sweep, an invalid body for the 422 shape, concurrent rounds, a
sibling read) is sent over a loopback socket and judged by `run_checks`: the
fault's rule must fail, and on the faithful mock no rule may fail, round after
round (the concurrency rule is repeated to trust it on a busy machine).
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator, Mapping
from typing import Any

import httpx
import pytest
from hypothesis import given, settings

from promptlog_contract.checks import run_checks
from promptlog_contract.mock import running_mock
from promptlog_contract.strategies import bad_value_sweep, concurrent_update_rounds, near_miss_keys
from promptlog_contract.types import (
    NOT_JSON,
    Context,
    Exchange,
    ExchangeKind,
    HttpRequest,
    HttpResponse,
    InvalidBody,
)

pytestmark = pytest.mark.socket

KEY = "pl-Reach-Key-0123456789"
CTX = Context(api_key=KEY)
ROUND: list[dict[str, Any]] = [
    {"output": "o"},
    {"error": "e"},
    {"stdout": "s"},
    {"source": "src"},
    {"prompt_tokens": 3},
    {"metadata": {"m": 1}},
]


def _exchange(kind: ExchangeKind, response: httpx.Response, **fields: Any) -> Exchange:
    try:
        body = response.json()
    except ValueError:
        body = NOT_JSON
    request = HttpRequest(
        response.request.method, str(response.request.url), {"x-api-key": "[REDACTED]"}, None
    )
    answer = HttpResponse(response.status_code, dict(response.headers), response.content, body)
    return Exchange(kind, request, answer, **fields)


def _failed(exchange: Exchange) -> set[str]:
    return {entry.name for entry, violation in run_checks(exchange, CTX) if violation is not None}


class _Target:
    def __init__(self, base_url: str) -> None:
        self.base_url = base_url
        self.client = httpx.Client(base_url=base_url, headers={"X-API-KEY": KEY}, timeout=10)

    def new_log(self) -> tuple[str, str]:
        created = self.client.post("/prompts/log", json={"path": "reach/rules", "output": "a"})
        log = created.json()
        return f"/prompts/{log['prompt_id']}/log/{log['id']}", log["id"]

    def near_misses(self) -> list[Exchange]:
        url, _ = self.new_log()
        return [
            _exchange(
                "auth_near_miss",
                self.client.patch(url, json={}, headers={b"x-api-key": variant.value}),
                variant=variant.name,
            )
            for variant in near_miss_keys(KEY)
        ]

    def sweep(self, invalid: tuple[InvalidBody, ...]) -> list[Exchange]:
        url, _ = self.new_log()
        return [
            _exchange("invalid", self.client.patch(url, json=i.body), sent=i.body, label=i.label)
            for i in invalid
        ]

    def concurrent_get(self, round_: list[dict[str, Any]] = ROUND) -> Exchange:
        url, log_id = self.new_log()

        async def send() -> list[httpx.Response]:
            async with httpx.AsyncClient(
                base_url=self.base_url, headers={"X-API-KEY": KEY}, timeout=10
            ) as client:
                return await asyncio.gather(*(client.patch(url, json=body) for body in round_))

        responses = asyncio.run(send())
        assert all(r.status_code == 200 for r in responses), [r.text[:200] for r in responses]
        applied = tuple(body for body, r in zip(round_, responses, strict=True) if r.is_success)
        return _exchange("concurrent_get", self.client.get(f"/logs/{log_id}"), concurrent=applied)

    def sibling_get(self) -> Exchange:
        url, _ = self.new_log()
        _, sibling = self.new_log()
        before: Mapping[str, Any] = self.client.get(f"/logs/{sibling}").json()
        for body in ROUND:
            self.client.patch(url, json=body)
        return _exchange("sibling_get", self.client.get(f"/logs/{sibling}"), before=before)


@pytest.fixture
def target(request: pytest.FixtureRequest) -> Iterator[_Target]:
    faults = getattr(request, "param", ())
    with running_mock(api_keys=(KEY,), faults=faults) as base_url:
        reach = _Target(base_url)
        yield reach
        reach.client.close()


def test_faithful_mock_passes_every_new_probe(target: _Target) -> None:
    exchanges = [*target.near_misses(), *target.sweep(bad_value_sweep(kinds=["fractional"]))]
    exchanges += [target.concurrent_get() for _ in range(20)]
    exchanges += [target.sibling_get() for _ in range(3)]
    failures = {ex.kind: _failed(ex) for ex in exchanges if _failed(ex)}
    assert failures == {}


def test_faithful_mock_merges_drawn_concurrent_rounds() -> None:
    with running_mock(api_keys=(KEY,)) as base_url:
        target = _Target(base_url)

        @settings(max_examples=25, derandomize=True, database=None, deadline=None)
        @given(concurrent_update_rounds(min_size=4, max_size=8))
        def check(round_: list[dict[str, Any]]) -> None:
            exchange = target.concurrent_get(round_)
            assert _failed(exchange) == set(), _messages(exchange)

        check()
        target.client.close()


@pytest.mark.parametrize("target", [("loose_api_key",)], indirect=True)
def test_auth_enforced_catches_loose_api_key(target: _Target) -> None:
    for exchange in target.near_misses():
        assert "auth_enforced" in _failed(exchange), exchange.variant
        assert KEY not in json.dumps([str(v) for v in _messages(exchange)])


def _messages(exchange: Exchange) -> list[str]:
    return [v.message for _, v in run_checks(exchange, CTX) if v is not None]


@pytest.mark.parametrize("target", [("truncate_fractional_counts",)], indirect=True)
def test_invalid_body_rejected_catches_truncate_fractional_counts(target: _Target) -> None:
    for exchange in target.sweep(bad_value_sweep(kinds=["fractional"])):
        assert "invalid_body_rejected" in _failed(exchange)
        assert any("fractional" in message for message in _messages(exchange))


@pytest.mark.parametrize("target", [("foreign_422_envelope",)], indirect=True)
def test_validation_error_shape_catches_foreign_422_envelope(target: _Target) -> None:
    (exchange,) = target.sweep(bad_value_sweep(families=["tool_choice.enum"], kinds=["unknown"]))
    assert "validation_error_shape" in _failed(exchange)


@pytest.mark.parametrize("target", [("lost_update",)], indirect=True)
def test_concurrent_patches_merge_catches_lost_update(target: _Target) -> None:
    for _ in range(5):
        assert "concurrent_patches_merge" in _failed(target.concurrent_get())


@pytest.mark.parametrize("target", [("leak_to_siblings",)], indirect=True)
def test_other_logs_untouched_catches_leak_to_siblings(target: _Target) -> None:
    assert "other_logs_untouched" in _failed(target.sibling_get())

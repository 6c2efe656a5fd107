"""The faults of issue 13, over a real loopback socket: each does what it says, the clean mock not.

Near-miss keys, fractional counts, a foreign 422 envelope, lost concurrent
updates and updates that leak to sibling logs only matter as HTTP behaviour,
so these tests go through uvicorn and httpx, not the in-process transport.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from promptlog_contract.mock import running_mock
from promptlog_contract.strategies import NEAR_MISS_VARIANTS, near_miss_keys

pytestmark = pytest.mark.socket

KEY = "pl-Secret-Key-0123456789"
#: Disjoint fields, as a concurrency round sends them.
DISJOINT: list[dict[str, Any]] = [
    {"output": "o"},
    {"error": "e"},
    {"stdout": "s"},
    {"source": "src"},
    {"finish_reason": "stop"},
    {"prompt_tokens": 3},
    {"metadata": {"m": 1}},
    {"inputs": {"i": "x"}},
]


@pytest.fixture(scope="module")
def clean() -> Iterator[str]:
    with running_mock(api_keys=(KEY,)) as base_url:
        yield base_url


def _client(base_url: str) -> httpx.Client:
    return httpx.Client(base_url=base_url, headers={"X-API-KEY": KEY}, timeout=10)


def _new_log(client: httpx.Client, path: str = "reach/test") -> str:
    response = client.post("/prompts/log", json={"path": path, "output": "a"})
    assert response.status_code == 200, response.text
    return f"/prompts/{response.json()['prompt_id']}/log/{response.json()['id']}"


def _log_id(url: str) -> str:
    return url.rsplit("/", 1)[1]


def _near_miss_statuses(base_url: str) -> dict[str, int]:
    with _client(base_url) as client:
        url = _new_log(client)
        return {
            variant.name: client.patch(
                url, json={}, headers={b"x-api-key": variant.value}
            ).status_code
            for variant in near_miss_keys(KEY)
        }


def test_loose_api_key_accepts_every_near_miss() -> None:
    with running_mock(api_keys=(KEY,), faults=["loose_api_key"]) as base_url:
        statuses = _near_miss_statuses(base_url)
        with _client(base_url) as client:
            url = _new_log(client)
            random_wrong = client.patch(url, json={}, headers={"X-API-KEY": "nope"})
    assert statuses == dict.fromkeys(NEAR_MISS_VARIANTS, 200)
    assert random_wrong.status_code == 401  # a random wrong key still fails: invisible to it


def test_faithful_mock_refuses_every_near_miss(clean: str) -> None:
    assert _near_miss_statuses(clean) == dict.fromkeys(NEAR_MISS_VARIANTS, 401)


def test_spaces_around_a_key_cannot_be_sent(clean: str) -> None:
    # Why `whitespace` uses no-break spaces: spaces and tabs around a header value are not
    # part of it (RFC 9110 §5.5); the client refuses them, and a server parser strips them.
    with _client(clean) as client:
        url = _new_log(client)
        with pytest.raises(httpx.LocalProtocolError):
            client.patch(url, json={}, headers={"X-API-KEY": f" {KEY}\t"})


def _patch_counts(base_url: str, value: Any) -> httpx.Response:
    with _client(base_url) as client:
        url = _new_log(client)
        return client.patch(url, json={"prompt_tokens": value, "output_tokens": value})


def test_truncate_fractional_counts_stores_the_integer_part(clean: str) -> None:
    with running_mock(api_keys=(KEY,), faults=["truncate_fractional_counts"]) as base_url:
        faulty = _patch_counts(base_url, 41.75)
    assert faulty.status_code == 200
    assert (faulty.json()["prompt_tokens"], faulty.json()["output_tokens"]) == (41, 41)
    refused = _patch_counts(clean, 41.75)
    assert refused.status_code == 422
    assert {tuple(e["loc"]) for e in refused.json()["detail"]} == {
        ("body", "prompt_tokens"),
        ("body", "output_tokens"),
    }
    assert _patch_counts(clean, 41.0).json()["prompt_tokens"] == 41  # v2 lax keeps 1.0


def test_foreign_422_envelope_replaces_detail(clean: str) -> None:
    body = {"tool_choice": "sometimes", "prompt_tokens": "abc"}
    with (
        running_mock(api_keys=(KEY,), faults=["foreign_422_envelope"]) as base_url,
        _client(base_url) as client,
    ):
        faulty = client.patch(_new_log(client), json=body)
    assert faulty.status_code == 422
    assert faulty.headers["content-type"] == "application/json"
    assert set(faulty.json()) == {"error", "errors"}
    assert all(set(entry) == {"field", "message"} for entry in faulty.json()["errors"])
    with _client(clean) as client:
        faithful = client.patch(_new_log(client), json=body)
    assert set(faithful.json()) == {"detail"}


async def _concurrent_round(base_url: str, url: str, bodies: list[dict[str, Any]]) -> None:
    limits = httpx.Limits(max_connections=len(bodies))
    async with httpx.AsyncClient(
        base_url=base_url, headers={"X-API-KEY": KEY}, limits=limits, timeout=10
    ) as client:
        responses = await asyncio.gather(*(client.patch(url, json=body) for body in bodies))
    assert [r.status_code for r in responses] == [200] * len(bodies)


def _lost_fields(base_url: str, size: int) -> list[str]:
    bodies = DISJOINT[:size]
    with _client(base_url) as client:
        url = _new_log(client)
        asyncio.run(_concurrent_round(base_url, url, bodies))
        stored = client.get(f"/logs/{_log_id(url)}").json()
    return [key for body in bodies for key, value in body.items() if stored[key] != value]


@pytest.mark.parametrize("size", [4, 6, 8])
def test_lost_update_loses_fields_every_round(size: int) -> None:
    with running_mock(api_keys=(KEY,), faults=["lost_update"]) as base_url:
        lost = [_lost_fields(base_url, size) for _ in range(5)]
    assert all(lost), lost


def test_faithful_mock_never_loses_a_concurrent_field(clean: str) -> None:
    for round_ in range(15):
        assert _lost_fields(clean, 4 + round_ % 5) == [], round_


def test_lost_update_leaves_sequential_patches_alone() -> None:
    with (
        running_mock(api_keys=(KEY,), faults=["lost_update"]) as base_url,
        _client(base_url) as client,
    ):
        url = _new_log(client)
        for body in DISJOINT:
            assert client.patch(url, json=body).status_code == 200
        stored = client.get(f"/logs/{_log_id(url)}").json()
    assert all(stored[key] == value for body in DISJOINT for key, value in body.items())


def _siblings_after_patch(base_url: str) -> list[tuple[dict[str, Any], dict[str, Any]]]:
    """(before, after) of a sibling created before the PATCHed log and of one created after."""
    with _client(base_url) as client:
        early = _new_log(client, "reach/siblings")
        patched = _new_log(client, "reach/siblings")
        late = _new_log(client, "reach/siblings")
        siblings = [f"/logs/{_log_id(url)}" for url in (early, late)]
        before = [client.get(url).json() for url in siblings]
        assert client.patch(patched, json={"output": "mine", "prompt_tokens": 9}).status_code == 200
        return list(zip(before, [client.get(url).json() for url in siblings], strict=True))


def test_leak_to_siblings_changes_every_sibling(clean: str) -> None:
    with running_mock(api_keys=(KEY,), faults=["leak_to_siblings"]) as base_url:
        pairs = _siblings_after_patch(base_url)
    for before, after in pairs:
        assert (before["output"], after["output"], after["prompt_tokens"]) == ("a", "mine", 9)
    assert all(before == after for before, after in _siblings_after_patch(clean))

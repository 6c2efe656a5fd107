"""The fault-free mock rejects what the contract forbids, in FastAPI's 422 shape, and never 5xx."""

from __future__ import annotations

import math
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from .conftest import OUTPUT_MESSAGE, TOOL_CALL, get, mock_client, new_log, patch

pytestmark = pytest.mark.anyio


def _assert_fastapi_422(response: httpx.Response) -> list[dict[str, Any]]:
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/json"
    detail: list[dict[str, Any]] = response.json()["detail"]
    assert detail
    for entry in detail:
        assert isinstance(entry["loc"], list) and entry["loc"][0] == "body"
        assert isinstance(entry["msg"], str) and isinstance(entry["type"], str)
    return detail


@pytest.mark.parametrize(
    ("body", "path"),
    [
        ({"tool_choice": "sometimes"}, ["tool_choice"]),
        ({"tool_choice": {"type": "function"}}, ["tool_choice"]),
        ({"tool_choice": {"type": "function", "function": {}}}, ["tool_choice"]),
        ({"messages": [{"role": "robot", "content": "x"}]}, ["messages", 0, "role"]),
        ({"messages": [{"content": "x"}]}, ["messages", 0, "role"]),
        ({"messages": {"role": "user"}}, ["messages"]),
        ({"messages": [{"role": "user", "content": 5}]}, ["messages", 0, "content"]),
        (
            {"output_message": {"role": "user", "content": [{"type": "text"}]}},
            ["output_message", "content"],
        ),
        (
            {
                "output_message": {
                    "role": "user",
                    "content": [{"type": "image_url", "image_url": {}}],
                }
            },
            ["output_message", "content"],
        ),
        (
            {
                "output_message": {
                    "role": "assistant",
                    "thinking": [{"type": "thinking", "thinking": "x"}],
                }
            },
            ["output_message", "thinking", 0],
        ),
        (
            {"output_message": {"role": "assistant", "thinking": [{"type": "redacted_thinking"}]}},
            ["output_message", "thinking", 0],
        ),
        (
            {
                "output_message": {
                    "role": "assistant",
                    "thinking": [{"type": "thinking_v2", "x": 1}],
                }
            },
            ["output_message", "thinking", 0],
        ),
        (
            {
                "output_message": {
                    "role": "assistant",
                    "tool_calls": [{**TOOL_CALL, "function": {}}],
                }
            },
            ["output_message", "tool_calls", 0, "function", "name"],
        ),
        (
            {"output_message": {"role": "assistant", "tool_calls": [{**TOOL_CALL, "type": "x"}]}},
            ["output_message", "tool_calls", 0, "type"],
        ),
        ({"prompt_tokens": 1.5}, ["prompt_tokens"]),
        ({"prompt_tokens": "many"}, ["prompt_tokens"]),
        ({"output": 5}, ["output"]),
        ({"metadata": [1, 2]}, ["metadata"]),
        ({"metadata": "x"}, ["metadata"]),
        ({"log_status": "pending"}, ["log_status"]),
        ({"created_at": "yesterday"}, ["created_at"]),
        ({"end_time": "0001-01-01T00:00:00+01:00"}, ["end_time"]),
        ({"output_message": "hello"}, ["output_message"]),
    ],
)
async def test_invalid_field_is_422_at_its_path(
    client: httpx.AsyncClient, body: dict[str, Any], path: list[str | int]
) -> None:
    log = await new_log(client)
    before = await get(client, log)
    detail = _assert_fastapi_422(await patch(client, log, body))
    assert any(entry["loc"][1 : 1 + len(path)] == path for entry in detail), detail
    assert await get(client, log) == before  # nothing stored


@pytest.mark.parametrize(
    "raw",
    [
        b'{"prompt_cost": NaN}',
        b'{"output_cost": 1e400}',
        b'{"provider_latency": -1e400}',
        b'{"metadata": {"x": 1e400}}',
        b'{"inputs": {"a": [1, {"b": NaN}]}}',
        b'{"provider_response": {"x": Infinity}}',
    ],
)
async def test_non_finite_numbers_are_422_and_never_stored(
    client: httpx.AsyncClient, raw: bytes
) -> None:
    log = await new_log(client)
    response = await client.patch(
        log.url, content=raw, headers={"content-type": "application/json"}
    )
    detail = _assert_fastapi_422(response)
    assert "NaN" not in response.text and "Infinity" not in response.text
    assert detail[0]["type"] == "finite_number"
    stored = await get(client, log)  # still serialisable
    assert all(stored[key] is None for key in ("prompt_cost", "output_cost", "provider_latency"))
    assert stored["metadata"] is None and stored["inputs"] is None


async def test_non_finite_location_is_exact(client: httpx.AsyncClient) -> None:
    log = await new_log(client)
    response = await client.patch(log.url, content=b'{"inputs": {"a": [1, {"b": NaN}]}}')
    assert _assert_fastapi_422(response)[0]["loc"] == ["body", "inputs", "a", 1, "b"]


@pytest.mark.parametrize(
    ("raw", "kind"),
    [
        (b'{"output": "a"', "json_invalid"),
        (b"{'output': 'a'}", "json_invalid"),
        (b"\xff\xfe", "json_invalid"),
        (b"[1, 2]", "model_type"),
        (b'"a string"', "model_type"),
        (b"42", "model_type"),
        (b"null", "model_type"),
    ],
)
async def test_malformed_or_non_object_body_is_422(
    client: httpx.AsyncClient, raw: bytes, kind: str
) -> None:
    log = await new_log(client)
    response = await client.patch(
        log.url, content=raw, headers={"content-type": "application/json"}
    )
    detail = _assert_fastapi_422(response)
    assert detail[0]["type"] == kind
    if kind == "model_type":
        assert detail[0]["loc"] == ["body"]


async def test_missing_body_is_422_at_body(client: httpx.AsyncClient) -> None:
    log = await new_log(client)
    response = await client.patch(log.url, headers={"content-type": "application/json"})
    assert _assert_fastapi_422(response) == [
        {"type": "missing", "loc": ["body"], "msg": "Field required", "input": None}
    ]


async def test_non_json_content_type_is_422(client: httpx.AsyncClient) -> None:
    log = await new_log(client)
    response = await client.patch(
        log.url, content=b'{"output": "b"}', headers={"content-type": "text/plain"}
    )
    assert _assert_fastapi_422(response)[0]["loc"] == ["body"]
    vendor = await client.patch(
        log.url, content=b'{"output": "b"}', headers={"content-type": "application/vnd.x+json"}
    )
    assert vendor.status_code == 200


@pytest.mark.parametrize(
    "raw",
    [
        b"[" * 100_000,
        b'{"metadata": ' + b'{"a": ' * 5_000 + b"1" + b"}" * 5_001,
        b'{"messages": [{"role": "user", "content": "' + b"x" * 10 + b'"}' + b"]" * 3_000,
    ],
)
async def test_deep_nesting_is_422_not_a_crash(client: httpx.AsyncClient, raw: bytes) -> None:
    log = await new_log(client)
    response = await client.patch(
        log.url, content=raw, headers={"content-type": "application/json"}
    )
    assert _assert_fastapi_422(response)[0]["type"] == "json_invalid"
    assert len(response.content) < 10_000  # the body is not echoed back


async def test_moderate_nesting_in_maps_is_fine(client: httpx.AsyncClient) -> None:
    log = await new_log(client)
    nested: Any = 1
    for _ in range(100):
        nested = {"a": nested}
    response = await patch(client, log, {"metadata": nested})
    assert response.status_code == 200 and response.json()["metadata"] == nested


async def test_body_over_the_limit_is_413() -> None:
    async with mock_client(max_body_bytes=1_000) as client:
        log = await new_log(client)
        big = {"output": "x" * 2_000}
        response = await patch(client, log, big)
        assert response.status_code == 413
        assert isinstance(response.json()["detail"], str)
        assert (await patch(client, log, {"output": "x" * 900})).status_code == 200


async def test_chunked_body_over_the_limit_is_413_while_streaming() -> None:
    chunks_sent = 0

    async def chunks() -> AsyncIterator[bytes]:
        nonlocal chunks_sent
        yield b'{"output": "'
        for _ in range(100):
            chunks_sent += 1
            yield b"x" * 100
        yield b'"}'

    async with mock_client(max_body_bytes=1_000) as client:
        log = await new_log(client)
        response = await client.patch(log.url, content=chunks())
        assert response.status_code == 413
        assert (await get(client, log))["output"] == "a"


async def test_crafted_422_inputs_stay_json(client: httpx.AsyncClient) -> None:
    log = await new_log(client)
    response = await client.patch(
        log.url, content=b'{"prompt_tokens": NaN, "output_message": {"role": 1e400}}'
    )
    detail = _assert_fastapi_422(response)
    assert all(not isinstance(e["input"], float) or math.isfinite(e["input"]) for e in detail)


async def test_valid_request_example_of_the_notes_is_accepted(client: httpx.AsyncClient) -> None:
    log = await new_log(client)
    body = {
        "output_message": OUTPUT_MESSAGE,
        "prompt_tokens": 10,
        "reasoning_tokens": 2,
        "output_tokens": 5,
        "prompt_cost": 0.0001,
        "output_cost": 0.0002,
        "finish_reason": "stop",
        "tool_choice": {"type": "function", "function": {"name": "get_weather"}},
        "created_at": "2025-05-02T08:00:00Z",
        "inputs": {"question": "q"},
        "metadata": {"k": "v"},
        "start_time": "2025-05-02T08:00:00Z",
        "log_status": "complete",
    }
    response = await patch(client, log, body)
    assert response.status_code == 200
    assert {key: response.json()[key] for key in body} == body

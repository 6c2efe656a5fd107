"""The fault-free mock behaves as the contract notes say the production stack does."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from .conftest import KEY, OTHER_KEY, OUTPUT_MESSAGE, THINKING, Log, get, new_log, patch

pytestmark = pytest.mark.anyio

PROMPT_REQUIRED = (
    "path", "id", "model", "name", "version_id", "created_at", "updated_at",
    "last_used_at", "version_logs_count", "total_logs_count", "inputs",
)  # fmt: skip


async def test_create_log_returns_ids_in_humanloop_style(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/prompts/log", json={"path": "contract-tests/create", "prompt": {"model": "gpt-4o"}}
    )
    assert response.status_code == 200
    body = response.json()
    assert body["id"].startswith("log_")
    assert body["prompt_id"].startswith("pr_")
    assert body["version_id"].startswith("prv_")
    assert body["session_id"] is None


async def test_prompt_id_is_stable_per_path(client: httpx.AsyncClient) -> None:
    first, second = await new_log(client, "a/b"), await new_log(client, "a/b")
    other = await new_log(client, "a/c")
    assert first.prompt_id == second.prompt_id != other.prompt_id
    assert first.id != second.id


async def test_create_needs_path_or_id(client: httpx.AsyncClient) -> None:
    response = await client.post("/prompts/log", json={"output": "a"})
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"][0] == "body"


async def test_create_by_prompt_id_and_version(client: httpx.AsyncClient) -> None:
    log = await new_log(client, "by/id")
    again = await client.post("/prompts/log", json={"id": log.prompt_id, "output": "b"})
    assert again.status_code == 200 and again.json()["prompt_id"] == log.prompt_id
    version = again.json()["version_id"]
    pinned = await client.post(
        "/prompts/log", params={"version_id": version}, json={"id": log.prompt_id}
    )
    assert pinned.status_code == 200 and pinned.json()["version_id"] == version
    unknown = await client.post("/prompts/log", json={"id": "pr_nope"})
    assert unknown.status_code == 404
    bad_version = await client.post(
        "/prompts/log", params={"version_id": "prv_nope"}, json={"id": log.prompt_id}
    )
    assert bad_version.status_code == 404


async def test_new_model_makes_a_new_version(client: httpx.AsyncClient) -> None:
    first = await new_log(client, "versions/p")
    response = await client.post(
        "/prompts/log", json={"path": "versions/p", "prompt": {"model": "claude-3-7-sonnet"}}
    )
    assert response.json()["prompt_id"] == first.prompt_id
    prompt = (await get(client, Log(first.prompt_id, response.json()["id"])))["prompt"]
    assert prompt["model"] == "claude-3-7-sonnet"
    assert prompt["version_logs_count"] == 1 and prompt["total_logs_count"] == 2


async def test_patch_returns_complete_prompt_log(client: httpx.AsyncClient) -> None:
    log = await new_log(client, "contract-tests/weather", inputs={"city": "Paris"})
    response = await patch(client, log, {"output_message": OUTPUT_MESSAGE, "prompt_tokens": 10})
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    body = response.json()
    assert body["id"] == log.id
    assert body["evaluator_logs"] == []
    assert body["output_message"] == OUTPUT_MESSAGE
    prompt = body["prompt"]
    assert all(prompt.get(key) is not None for key in PROMPT_REQUIRED)
    assert prompt["id"] == log.prompt_id and prompt["type"] == "prompt"
    assert prompt["name"] == "weather" and prompt["path"] == "contract-tests/weather"
    assert prompt["inputs"] == [{"name": "city"}]
    assert prompt["total_logs_count"] == prompt["version_logs_count"] == 1


async def test_patch_is_partial(client: httpx.AsyncClient) -> None:
    log = await new_log(client, messages=[{"role": "user", "content": "hi"}])
    await patch(client, log, {"prompt_tokens": 3, "metadata": {"k": "v"}})
    body = (await patch(client, log, {"output_tokens": 4})).json()
    assert body["output"] == "a"
    assert body["messages"] == [{"role": "user", "content": "hi"}]
    assert (body["prompt_tokens"], body["output_tokens"], body["metadata"]) == (3, 4, {"k": "v"})
    assert await get(client, log) == body


async def test_empty_object_changes_nothing(client: httpx.AsyncClient) -> None:
    log = await new_log(client)
    before = await get(client, log)
    assert (await patch(client, log, {})).json() == before


async def test_explicit_null_stores_null(client: httpx.AsyncClient) -> None:
    log = await new_log(client)
    body = (await patch(client, log, {"output": None, "metadata": None})).json()
    assert body["output"] is None and body["metadata"] is None
    message = {"role": "assistant", "content": None, "tool_calls": None}
    echoed = (await patch(client, log, {"output_message": message})).json()["output_message"]
    assert echoed == message  # nulls echoed, nothing invented


async def test_unknown_fields_are_ignored(client: httpx.AsyncClient) -> None:
    log = await new_log(client)
    response = await patch(
        client,
        log,
        {"surprise": 1, "output": "b", "output_message": {"role": "user", "colour": "red"}},
    )
    assert response.status_code == 200
    body = response.json()
    assert "surprise" not in body and body["output"] == "b"
    assert body["output_message"] == {"role": "user"}


@pytest.mark.parametrize(
    ("field", "sent", "stored"),
    [
        ("prompt_tokens", "12", 12),
        ("prompt_tokens", 3.0, 3),
        ("output_tokens", True, 1),
        ("reasoning_tokens", 10**30, 10**30),
        ("prompt_cost", "1.5", 1.5),
        ("provider_latency", 2, 2.0),
    ],
)
async def test_lax_coercion(client: httpx.AsyncClient, field: str, sent: Any, stored: Any) -> None:
    log = await new_log(client)
    response = await patch(client, log, {field: sent})
    assert response.status_code == 200
    assert response.json()[field] == stored
    assert type(response.json()[field]) is type(stored)


@pytest.mark.parametrize(
    ("sent", "returned"),
    [
        ("2024-01-15T09:30:00", "2024-01-15T09:30:00Z"),
        ("2024-01-15T09:30:00Z", "2024-01-15T09:30:00Z"),
        ("2024-01-15T11:30:00+02:00", "2024-01-15T09:30:00Z"),
        ("2024-01-15T04:30:00-05:00", "2024-01-15T09:30:00Z"),
        ("2024-01-15T09:30:00.123456789Z", "2024-01-15T09:30:00.123456Z"),
        ("2024-01-15T09:30:00.5+00:00", "2024-01-15T09:30:00.500000Z"),
        ("2024-01-15", "2024-01-15T00:00:00Z"),
        (1705311000, "2024-01-15T09:30:00Z"),
        ("0141-12-29T01:28:27.2Z", "0141-12-29T01:28:27.200000Z"),
        ("0001-01-01T00:00:00Z", "0001-01-01T00:00:00Z"),
    ],
)
async def test_datetimes_normalised_to_utc_z(
    client: httpx.AsyncClient, sent: Any, returned: str
) -> None:
    log = await new_log(client)
    body = (await patch(client, log, {"created_at": sent, "start_time": sent})).json()
    assert body["created_at"] == body["start_time"] == returned
    assert (await get(client, log))["created_at"] == returned


async def test_server_timestamps_are_rfc3339_utc(client: httpx.AsyncClient) -> None:
    log = await new_log(client)
    body = await get(client, log)
    for stamp in (body["created_at"], body["prompt"]["created_at"], body["prompt"]["last_used_at"]):
        assert stamp.endswith("Z")
        parsed = datetime.fromisoformat(stamp)
        assert parsed.tzinfo is not None and parsed.utcoffset() == UTC.utcoffset(None)


async def test_get_reads_back_what_patch_returned(client: httpx.AsyncClient) -> None:
    log = await new_log(client)
    sent = {
        "output_message": OUTPUT_MESSAGE,
        "messages": [{"role": "developer", "content": "be brief"}, OUTPUT_MESSAGE],
        "tool_choice": {"type": "function", "function": {"name": "get_weather"}},
        "log_status": "incomplete",
        "reasoning_tokens": 2,
        "provider_request": {"nested": [1, {"a": None}]},
    }
    patched = (await patch(client, log, sent)).json()
    assert {key: patched[key] for key in sent} == sent
    assert await get(client, log) == patched


async def test_missing_or_unknown_key_is_401(client: httpx.AsyncClient) -> None:
    log = await new_log(client)
    for headers in ({"X-API-KEY": "wrong-key"}, {"X-API-KEY": ""}):
        response = await client.patch(log.url, json={}, headers=headers)
        assert response.status_code == 401
        assert "wrong-key" not in response.text
    bare = httpx.AsyncClient(transport=client._transport, base_url=client.base_url)
    async with bare:
        for call in (
            bare.patch(log.url, json={}),
            bare.get(f"/logs/{log.id}"),
            bare.post("/prompts/log", json={"path": "x"}),
            bare.delete("/logs", params={"id": log.id}),
        ):
            response = await call
            assert response.status_code == 401
            assert isinstance(response.json()["detail"], str)


async def test_auth_is_checked_before_the_body(client: httpx.AsyncClient) -> None:
    response = await client.patch("/prompts/p/log/l", content=b"{", headers={"X-API-KEY": "no"})
    assert response.status_code == 401


async def test_other_tenant_gets_404(client: httpx.AsyncClient) -> None:
    log = await new_log(client)
    other = {"X-API-KEY": OTHER_KEY}
    assert (await client.get(f"/logs/{log.id}", headers=other)).status_code == 404
    response = await client.patch(log.url, json={"output": "x"}, headers=other)
    assert response.status_code == 404 and response.json() == {"detail": "Log not found"}
    await client.delete("/logs", params={"id": log.id}, headers=other)
    assert (await get(client, log))["output"] == "a"  # neither changed nor deleted


async def test_unknown_log_or_wrong_prompt_is_404(client: httpx.AsyncClient) -> None:
    log = await new_log(client)
    other_prompt = await new_log(client, "another/prompt")
    for url in (
        f"/prompts/{log.prompt_id}/log/log_missing",
        f"/prompts/{other_prompt.prompt_id}/log/{log.id}",
        f"/prompts/pr_missing/log/{log.id}",
    ):
        response = await client.patch(url, json={"output": "x"})
        assert response.status_code == 404
        assert response.json() == {"detail": "Log not found"}
    assert (await client.get("/logs/log_missing")).status_code == 404


async def test_delete_removes_only_named_logs(client: httpx.AsyncClient) -> None:
    logs = [await new_log(client) for _ in range(3)]
    response = await client.delete("/logs", params={"id": [logs[0].id, logs[1].id, "log_nope"]})
    assert response.status_code == 204 and response.content == b""
    assert (await client.get(f"/logs/{logs[0].id}")).status_code == 404
    assert (await client.get(f"/logs/{logs[1].id}")).status_code == 404
    assert (await get(client, logs[2]))["prompt"]["total_logs_count"] == 1


async def test_delete_without_id_is_422(client: httpx.AsyncClient) -> None:
    response = await client.delete("/logs")
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["query", "id"]


async def test_keys_are_tenants(client: httpx.AsyncClient) -> None:
    mine = await new_log(client, "shared/path")
    theirs_response = await client.post(
        "/prompts/log", json={"path": "shared/path"}, headers={"X-API-KEY": OTHER_KEY}
    )
    theirs = Log(theirs_response.json()["prompt_id"], theirs_response.json()["id"])
    assert theirs.prompt_id != mine.prompt_id
    assert (await client.patch(theirs.url, json={})).status_code == 404
    mine_body = await get(client, mine)
    assert mine_body["prompt"]["total_logs_count"] == 1
    assert KEY not in str(mine_body)


async def test_thinking_block_order_and_content_kept(client: httpx.AsyncClient) -> None:
    log = await new_log(client)
    blocks = [THINKING, {"type": "redacted_thinking", "data": "1"}, {**THINKING, "thinking": "2"}]
    message = {"role": "assistant", "content": "x", "thinking": blocks}
    assert (await patch(client, log, {"output_message": message})).json()[
        "output_message"
    ] == message

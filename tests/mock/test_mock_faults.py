"""Every seeded fault visibly changes the behaviour it names, and only under that fault.

Each probe returns True when it sees the fault's symptom. It must see it on a
mock with the fault on, and must not on a clean mock: a fault that changes
nothing could not exercise the rule the self-check pins on it.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

import httpx
import pytest

from promptlog_contract.mock import FAULTS, create_app

from .conftest import KEY, OUTPUT_MESSAGE, REDACTED, THINKING, get, mock_client, new_log, patch

pytestmark = pytest.mark.anyio

Probe = Callable[[httpx.AsyncClient], Awaitable[bool]]
PROBES: dict[str, Probe] = {}


def probe(fault: str) -> Callable[[Probe], Probe]:
    def register(function: Probe) -> Probe:
        PROBES[fault] = function
        return function

    return register


@probe("accept_bad_tool_choice")
async def _bad_tool_choice(client: httpx.AsyncClient) -> bool:
    response = await patch(client, await new_log(client), {"tool_choice": "sometimes"})
    return response.status_code == 200 and response.json()["tool_choice"] == "sometimes"


@probe("accept_missing_signature")
async def _missing_signature(client: httpx.AsyncClient) -> bool:
    block = {"type": "thinking", "thinking": "x"}
    message = {"role": "assistant", "thinking": [block]}
    response = await patch(client, await new_log(client), {"output_message": message})
    return response.status_code == 200 and response.json()["output_message"]["thinking"] == [block]


@probe("accept_unknown_role")
async def _unknown_role(client: httpx.AsyncClient) -> bool:
    message = {"role": "robot", "content": "beep"}
    response = await patch(client, await new_log(client), {"messages": [message]})
    return response.status_code == 200 and response.json()["messages"] == [message]


@probe("reject_developer_role")
async def _developer_role(client: httpx.AsyncClient) -> bool:
    message = {"role": "developer", "content": "be brief"}
    response = await patch(client, await new_log(client), {"messages": [message]})
    return response.status_code == 422 and response.json()["detail"][0]["loc"] == [
        "body", "messages", 0, "role",
    ]  # fmt: skip


@probe("reject_offset_datetimes")
async def _offset_datetimes(client: httpx.AsyncClient) -> bool:
    log = await new_log(client)
    utc = await patch(client, log, {"created_at": "2025-01-01T10:00:00+00:00"})
    offset = await patch(client, log, {"created_at": "2025-01-01T10:00:00+02:00"})
    return utc.status_code == 200 and offset.status_code == 422


@probe("crash_on_redacted_thinking")
async def _redacted_crash(client: httpx.AsyncClient) -> bool:
    message = {"role": "assistant", "thinking": [REDACTED]}
    response = await patch(client, await new_log(client), {"output_message": message})
    return response.status_code == 500


@probe("drop_evaluator_logs")
async def _no_evaluator_logs(client: httpx.AsyncClient) -> bool:
    response = await patch(client, await new_log(client), {"output": "b"})
    return response.status_code == 200 and "evaluator_logs" not in response.json()


@probe("prompt_tokens_as_string")
async def _tokens_string(client: httpx.AsyncClient) -> bool:
    response = await patch(client, await new_log(client), {"prompt_tokens": 12})
    return bool(response.json()["prompt_tokens"] == "12")


@probe("naive_datetimes")
async def _naive(client: httpx.AsyncClient) -> bool:
    response = await patch(client, await new_log(client), {"created_at": "2024-01-15T09:30:00Z"})
    body = response.json()
    return body["created_at"] == "2024-01-15T09:30:00" and not body["prompt"][
        "created_at"
    ].endswith("Z")


@probe("clear_omitted_fields")
async def _cleared(client: httpx.AsyncClient) -> bool:
    log = await new_log(client)  # output "a"
    response = await patch(client, log, {"prompt_tokens": 1})
    return response.json()["output"] is None


@probe("ignore_metadata")
async def _metadata_dropped(client: httpx.AsyncClient) -> bool:
    log = await new_log(client)
    response = await patch(client, log, {"metadata": {"k": "v"}})
    return response.status_code == 200 and (await get(client, log))["metadata"] != {"k": "v"}


@probe("reverse_thinking_blocks")
async def _reversed(client: httpx.AsyncClient) -> bool:
    log = await new_log(client)
    response = await patch(client, log, {"output_message": OUTPUT_MESSAGE})
    stored_again = (await get(client, log))["output_message"]["thinking"]
    return bool(
        response.json()["output_message"]["thinking"] == [REDACTED, THINKING] == stored_again
    )


@probe("tool_call_arguments_as_object")
async def _arguments_object(client: httpx.AsyncClient) -> bool:
    response = await patch(client, await new_log(client), {"output_message": OUTPUT_MESSAGE})
    call = response.json()["output_message"]["tool_calls"][0]
    return bool(call["function"]["arguments"] == {"city": "Paris"})


@probe("plain_text_422")
async def _plain_422(client: httpx.AsyncClient) -> bool:
    response = await patch(client, await new_log(client), {"tool_choice": "sometimes"})
    return response.status_code == 422 and response.headers["content-type"].startswith("text/plain")


@probe("status_400_for_validation")
async def _status_400(client: httpx.AsyncClient) -> bool:
    response = await patch(client, await new_log(client), {"tool_choice": "sometimes"})
    return response.status_code == 400 and "detail" in response.json()


@probe("flat_error_loc")
async def _flat_loc(client: httpx.AsyncClient) -> bool:
    response = await patch(client, await new_log(client), {"prompt_tokens": 1.5})
    return bool(response.json()["detail"][0]["loc"] == "body.prompt_tokens")


@probe("auth_optional")
async def _auth_optional(client: httpx.AsyncClient) -> bool:
    log = await new_log(client)
    async with httpx.AsyncClient(transport=client._transport, base_url=client.base_url) as bare:
        response = await bare.patch(log.url, json={"output": "anonymous"})
        wrong = await bare.patch(log.url, json={}, headers={"X-API-KEY": "wrong"})
    return response.status_code == 200 and wrong.status_code == 401


@probe("crash_on_unknown_log")
async def _unknown_crash(client: httpx.AsyncClient) -> bool:
    log = await new_log(client)
    response = await client.patch(f"/prompts/{log.prompt_id}/log/log_missing", json={})
    return response.status_code == 500


@probe("upsert_unknown_log")
async def _upsert(client: httpx.AsyncClient) -> bool:
    response = await client.patch("/prompts/pr_ghost/log/log_ghost", json={"output": "boo"})
    fetched = await client.get("/logs/log_ghost")
    return response.status_code == 200 and fetched.json().get("output") == "boo"


@probe("echo_api_key")
async def _echo_key(client: httpx.AsyncClient) -> bool:
    response = await patch(client, await new_log(client), {"tool_choice": "sometimes"})
    return KEY in response.text


@probe("stale_get")
async def _stale(client: httpx.AsyncClient) -> bool:
    log = await new_log(client)
    await patch(client, log, {"output": "b"})
    await patch(client, log, {"output": "c"})
    await patch(client, log, {"output": "c"})  # a repeat is no change: still one behind
    return bool((await get(client, log))["output"] == "b")


@probe("append_messages")
async def _appended(client: httpx.AsyncClient) -> bool:
    first = {"role": "user", "content": "1"}
    second = {"role": "user", "content": "2"}
    log = await new_log(client, messages=[first])
    response = await patch(client, log, {"messages": [second]})
    return bool(response.json()["messages"] == [first, second])


@probe("tool_log_returned")
async def _tool_log(client: httpx.AsyncClient) -> bool:
    body = (await patch(client, await new_log(client), {"output": "b"})).json()
    return "prompt" not in body and body["tool"]["type"] == "tool" and "id" in body["tool"]


@probe("store_nan")
async def _nan_stored(client: httpx.AsyncClient) -> bool:
    log = await new_log(client)
    response = await client.patch(log.url, content=b'{"metadata": {"x": 1e400}}')
    later = await client.get(f"/logs/{log.id}")
    return response.status_code == 500 and later.status_code == 500


@probe("loose_api_key")
async def _loose_key(client: httpx.AsyncClient) -> bool:
    log = await new_log(client)
    response = await client.patch(log.url, json={}, headers={"X-API-KEY": KEY.upper()})
    return response.status_code == 200


@probe("truncate_fractional_counts")
async def _truncated(client: httpx.AsyncClient) -> bool:
    response = await patch(client, await new_log(client), {"output_tokens": 7.5})
    return response.status_code == 200 and response.json()["output_tokens"] == 7


@probe("foreign_422_envelope")
async def _foreign(client: httpx.AsyncClient) -> bool:
    body = (await patch(client, await new_log(client), {"tool_choice": "sometimes"})).json()
    return "detail" not in body and body["errors"][0]["field"].startswith("tool_choice")


@probe("lost_update")
async def _lost(client: httpx.AsyncClient) -> bool:
    log = await new_log(client)
    bodies = [{"output": "z"}, {"error": "e"}, {"stdout": "s"}, {"source": "x"}]
    await asyncio.gather(*(patch(client, log, body) for body in bodies))
    stored = await get(client, log)
    return any(stored[key] != value for body in bodies for key, value in body.items())


@probe("leak_to_siblings")
async def _leaked(client: httpx.AsyncClient) -> bool:
    log = await new_log(client)
    sibling = await new_log(client)
    await patch(client, log, {"output": "mine"})
    return bool((await get(client, sibling))["output"] == "mine")


def test_every_fault_has_a_doc_and_a_probe() -> None:
    assert len(FAULTS) >= 15
    assert all(isinstance(doc, str) and 10 < len(doc) <= 100 for doc in FAULTS.values())
    assert set(PROBES) == set(FAULTS)


def test_unknown_fault_name_raises_with_valid_names() -> None:
    with pytest.raises(ValueError, match="no_such_fault") as raised:
        create_app(faults=["drop_evaluator_logs", "no_such_fault"])
    assert "drop_evaluator_logs" in str(raised.value)
    assert "store_nan" in str(raised.value)


def test_fault_given_as_one_string_is_one_name() -> None:
    assert create_app(faults="store_nan").state.faults == ("store_nan",)


@pytest.mark.parametrize("fault", sorted(FAULTS))
async def test_fault_is_visible_only_when_on(fault: str) -> None:
    async with mock_client(fault) as faulty:
        assert await PROBES[fault](faulty), f"{fault} did not show"
    async with mock_client() as clean:
        assert not await PROBES[fault](clean), f"{fault} shows on a clean mock"


async def test_faults_combine() -> None:
    async with mock_client("drop_evaluator_logs", "prompt_tokens_as_string") as client:
        assert await PROBES["drop_evaluator_logs"](client)
        assert await PROBES["prompt_tokens_as_string"](client)

"""Partial-update rules: patched_fields_applied, omitted_fields_unchanged, repeat_is_stable,
get_agrees_with_patch."""

from __future__ import annotations

from typing import Any

import pytest

from promptlog_contract.checks import (
    GetDisagreesWithPatch,
    OmittedFieldChanged,
    PatchedFieldNotApplied,
    RepeatChangedState,
)
from promptlog_contract.checks._semantics import (
    get_agrees_with_patch,
    omitted_fields_unchanged,
    patched_fields_applied,
    repeat_is_stable,
)
from promptlog_contract.types import NotApplicable

from ._factory import CTX, exchange, prompt_log

#: The SDK's request example using every form (contracts/SOURCES.md, "SDK").
SENT: dict[str, Any] = {
    "output_message": {
        "role": "assistant",
        "content": [{"type": "text", "text": "hello"}],
        "thinking": [
            {"type": "thinking", "thinking": "hmm", "signature": "sig"},
            {"type": "redacted_thinking", "data": "xyz"},
        ],
        "tool_calls": [
            {
                "id": "call_1",
                "type": "function",
                "function": {"name": "get_weather", "arguments": '{"city":"Paris"}'},
            }
        ],
    },
    "prompt_tokens": 10,
    "reasoning_tokens": 2,
    "output_tokens": 5,
    "prompt_cost": 0.0001,
    "output_cost": 0.0002,
    "finish_reason": "stop",
    "tool_choice": {"type": "function", "function": {"name": "get_weather"}},
    "created_at": "2025-05-02T10:00:00.123456789+02:00",
    "inputs": {"question": "q"},
    "metadata": {"k": "v"},
    "start_time": "2025-05-02T08:00:00Z",
    "log_status": "complete",
}
#: What a faithful server returns for SENT: normalised, defaults as null, SDK-only field dropped.
APPLIED = prompt_log(
    **{
        **{key: value for key, value in SENT.items() if key != "log_status"},
        "prompt_tokens": 10.0,
        "created_at": "2025-05-02T08:00:00.123456Z",
        "output_message": {**SENT["output_message"], "name": None, "tool_call_id": None},
        "output": "before",
    }
)
BEFORE = prompt_log(output="before", source="suite", prompt_tokens=1)


def test_patched_fields_applied_holds() -> None:
    patched_fields_applied(exchange(sent=SENT, body=APPLIED), CTX)


def test_patched_fields_applied_ignores_rejections() -> None:
    with pytest.raises(NotApplicable, match="422"):
        patched_fields_applied(exchange(status=422, sent=SENT, body={"detail": []}), CTX)


@pytest.mark.parametrize(
    ("change", "where"),
    [
        ({"prompt_tokens": 11}, "prompt_tokens"),
        ({"metadata": {"k": "v", "added": 1}}, "metadata"),
        ({"created_at": "2025-05-02T10:00:00.123456Z"}, "created_at"),
        ({"tool_choice": "auto"}, "tool_choice"),
        ({"output_message": {**SENT["output_message"], "name": "invented"}}, "output_message/name"),
    ],
)
def test_patched_fields_applied_catches_field_not_applied(
    change: dict[str, Any], where: str
) -> None:
    with pytest.raises(PatchedFieldNotApplied, match=where) as caught:
        patched_fields_applied(exchange(sent=SENT, body={**APPLIED, **change}), CTX)
    assert len(caught.value.message) <= 300


def test_patched_fields_applied_catches_dropped_field() -> None:
    body = dict(APPLIED)
    del body["finish_reason"]
    with pytest.raises(PatchedFieldNotApplied, match='finish_reason: expected "stop"'):
        patched_fields_applied(exchange(sent=SENT, body=body), CTX)


def test_patched_fields_applied_catches_reordered_thinking() -> None:
    message = dict(APPLIED["output_message"])
    message["thinking"] = list(reversed(message["thinking"]))
    with pytest.raises(PatchedFieldNotApplied, match="output_message/thinking/0"):
        patched_fields_applied(
            exchange(sent=SENT, body={**APPLIED, "output_message": message}), CTX
        )


def test_omitted_fields_unchanged_holds() -> None:
    sent = {"output": "after"}
    after = {**BEFORE, "output": "after", "prompt_tokens": 1.0, "stdout": None}
    omitted_fields_unchanged(exchange(sent=sent, body=after, before=BEFORE), CTX)


def test_omitted_fields_unchanged_catches_cleared_field() -> None:
    after = {**BEFORE, "output": "after", "source": None}
    with pytest.raises(OmittedFieldChanged, match="source"):
        omitted_fields_unchanged(exchange(sent={"output": "after"}, body=after, before=BEFORE), CTX)


def test_omitted_fields_unchanged_catches_field_set_from_nothing() -> None:
    after = {**BEFORE, "error": "boom"}
    with pytest.raises(OmittedFieldChanged, match="error"):
        omitted_fields_unchanged(exchange(sent={}, body=after, before=BEFORE), CTX)


def test_repeat_is_stable_holds() -> None:
    second = {**APPLIED, "prompt": {**APPLIED["prompt"], "version_logs_count": 5}}
    repeat_is_stable(exchange("repeat", sent=SENT, body=second, first=APPLIED), CTX)


def test_repeat_is_stable_catches_appended_messages() -> None:
    first = prompt_log(messages=[{"role": "user", "content": "hi"}])
    second = prompt_log(messages=[{"role": "user", "content": "hi"}] * 2)
    with pytest.raises(RepeatChangedState, match="messages: expected 1 items, got 2"):
        repeat_is_stable(exchange("repeat", body=second, first=first), CTX)


def test_repeat_is_stable_catches_new_id() -> None:
    with pytest.raises(RepeatChangedState, match="id"):
        repeat_is_stable(exchange("repeat", body=prompt_log(id="log_2"), first=prompt_log()), CTX)


def test_get_agrees_with_patch_holds() -> None:
    read = {**APPLIED, "created_at": "2025-05-02T08:00:00.123456+00:00", "trace_id": "x"}
    get_agrees_with_patch(exchange("get", body=read, patched=APPLIED), CTX)


def test_get_agrees_with_patch_catches_lost_write() -> None:
    read = {**APPLIED, "output": "stale"}
    with pytest.raises(GetDisagreesWithPatch, match="output"):
        get_agrees_with_patch(exchange("get", body=read, patched=APPLIED), CTX)


def test_get_agrees_with_patch_catches_other_prompt() -> None:
    read = {**APPLIED, "prompt": {**APPLIED["prompt"], "id": "pr_other"}}
    with pytest.raises(GetDisagreesWithPatch, match=r"prompt\.id"):
        get_agrees_with_patch(exchange("get", body=read, patched=APPLIED), CTX)

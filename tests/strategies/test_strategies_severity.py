"""Severity labels agree with pydantic: lax-coercible means v1 or v2 accepts, must-reject neither.

The production stack is FastAPI on pydantic v1 or v2 (contracts/SOURCES.md).
These models mirror the request schema the way such a stack declares it
(`... | None = None`, closed `Literal` enums, unknown keys ignored), so a
wrong severity label shows up here rather than as a false alarm in a run.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

import pydantic
import pydantic.v1 as pydantic_v1
import pytest
from hypothesis import HealthCheck, given, settings

from promptlog_contract.contract import request_validator
from promptlog_contract.strategies import CATALOG, bad_value_sweep, invalid_update_bodies
from promptlog_contract.strategies._invalid import WORDS
from promptlog_contract.strategies._spots import value_at
from promptlog_contract.types import InvalidBody

# The models are built with type() from real type objects (not strings), so
# postponed evaluation of annotations does not apply to them.
Role = Literal["user", "assistant", "system", "tool", "developer"]
Detail = Literal["high", "low", "auto"]
Mode = Literal["none", "auto", "required"]


def _models(base: Any) -> Any:
    """The request model family built on `base` (pydantic v2 or v1 BaseModel)."""
    ns: dict[str, Any] = {}

    def model(name: str, fields: dict[str, Any]) -> Any:
        annotations = {key: value[0] for key, value in fields.items()}
        defaults = {key: value[1] for key, value in fields.items() if len(value) > 1}
        created = type(name, (base,), {"__annotations__": annotations, **defaults})
        ns[name] = created
        return created

    function_tool = model("FunctionTool", {"name": (str,), "arguments": (str | None, None)})
    tool_call = model(
        "ToolCall",
        {"id": (str,), "type": (Literal["function"],), "function": (function_tool,)},
    )
    image_url = model("ImageUrl", {"url": (str,), "detail": (Detail | None, None)})
    text = model("TextChatContent", {"type": (Literal["text"],), "text": (str,)})
    image = model("ImageChatContent", {"type": (Literal["image_url"],), "image_url": (image_url,)})
    thinking = model(
        "Thinking", {"type": (Literal["thinking"],), "thinking": (str,), "signature": (str,)}
    )
    redacted = model("Redacted", {"type": (Literal["redacted_thinking"],), "data": (str,)})
    message = model(
        "ChatMessage",
        {
            "content": (str | list[text | image] | None, None),  # type: ignore[valid-type]
            "name": (str | None, None),
            "tool_call_id": (str | None, None),
            "role": (Role,),
            "tool_calls": (list[tool_call] | None, None),  # type: ignore[valid-type]
            "thinking": (list[thinking | redacted] | None, None),  # type: ignore[valid-type]
        },
    )
    choice_function = model("FunctionToolChoice", {"name": (str,)})
    tool_choice = model(
        "ToolChoice", {"type": (Literal["function"],), "function": (choice_function,)}
    )
    json_map = dict[str, Any] | None
    fields: dict[str, Any] = {
        "output_message": (message | None, None),
        "messages": (list[message] | None, None),  # type: ignore[valid-type]
        "tool_choice": (Mode | tool_choice | None, None),
    }
    for name in ("prompt_tokens", "reasoning_tokens", "output_tokens"):
        fields[name] = (int | None, None)
    for name in ("prompt_cost", "output_cost", "provider_latency"):
        fields[name] = (float | None, None)
    for name in ("finish_reason", "output", "error", "stdout", "source"):
        fields[name] = (str | None, None)
    for name in ("created_at", "start_time", "end_time"):
        fields[name] = (datetime | None, None)
    for name in ("provider_request", "provider_response", "inputs", "metadata"):
        fields[name] = (json_map, None)
    return model("PromptLogUpdateRequest", fields)


V2 = _models(pydantic.BaseModel)
V1 = _models(pydantic_v1.BaseModel)


def _accepts_v2(body: Any) -> bool:
    try:
        V2.model_validate(body)
    except pydantic.ValidationError:
        return False
    return True


def _accepts_v1(body: Any) -> bool:
    try:
        V1.parse_obj(body)
    except pydantic_v1.ValidationError:
        return False
    return True


def _accepted(body: Any) -> dict[str, bool]:
    return {"v1": _accepts_v1(body), "v2": _accepts_v2(body)}


# Per family, so a rare family gets as many examples as a common one.
_PER_FAMILY = max(10, settings().max_examples // 5)


def truncated_by_v1(invalid: InvalidBody) -> bool:
    """Whether v1 accepts the body only by truncating a fractional count (AMBIGUITIES A4)."""
    value = value_at(invalid.body, invalid.label.path)
    if not (isinstance(value, float) and not value.is_integer() and _accepts_v1(invalid.body)):
        return False
    parsed = V1.parse_obj(invalid.body).dict()
    return bool(value_at(parsed, invalid.label.path) == int(value))


def assert_severity_agrees(invalid: InvalidBody) -> None:
    """must-reject: no lax framework keeps the value; lax-coercible: v1 or v2 accepts it."""
    accepted = _accepted(invalid.body)
    if invalid.label.severity == "must-reject":
        assert not accepted["v2"], (invalid.label, accepted)
        assert not accepted["v1"] or truncated_by_v1(invalid), (invalid.label, accepted)
    else:
        assert any(accepted.values()), (invalid.label, accepted)


@pytest.mark.parametrize("family", CATALOG["invalid_rule"])
def test_severity_labels_agree_with_pydantic(family: str) -> None:
    @settings(max_examples=_PER_FAMILY, suppress_health_check=[HealthCheck.too_slow])
    @given(invalid_update_bodies(rules=[family]))
    def check(invalid: InvalidBody) -> None:
        assert_severity_agrees(invalid)

    check()


@pytest.mark.parametrize("invalid", bad_value_sweep(), ids=lambda i: f"{i.label.kind}")
def test_bad_value_sweep_severity_agrees_with_pydantic(invalid: InvalidBody) -> None:
    assert_severity_agrees(invalid)


def test_fractional_counts_are_must_reject_because_v1_truncates() -> None:
    body = {"prompt_tokens": 1.5}
    assert not _accepts_v2(body)
    assert V1.parse_obj(body).prompt_tokens == 1  # accepted, but not the value sent
    assert _accepts_v2({"prompt_tokens": 1.0})  # an integral float is an integer (valid)


def _word_bodies() -> list[tuple[str, dict[str, Any]]]:
    text = {"type": "text", "text": "t"}
    image = {"type": "image_url", "image_url": {"url": "u"}}
    thinking = {"type": "thinking", "thinking": "t", "signature": "s"}
    redacted = {"type": "redacted_thinking", "data": "d"}
    call = {"id": "c", "type": "function", "function": {"name": "f"}}
    choice = {"type": "function", "function": {"name": "f"}}

    def message(**fields: Any) -> dict[str, Any]:
        return {"messages": [{"role": "user", **fields}]}

    places: dict[str, list[Any]] = {
        "number": [
            lambda w: {"prompt_tokens": w},
            lambda w: {"prompt_cost": w},
        ],
        "date-time": [lambda w: {"created_at": w}],
        "tool_choice": [lambda w: {"tool_choice": w}],
        "role": [lambda w: {"messages": [{"role": w}]}],
        "content_part": [
            lambda w: message(content=[{**text, "type": w}]),
            lambda w: message(content=[{**image, "type": w}]),
        ],
        "thinking_block": [
            lambda w: message(thinking=[{**thinking, "type": w}]),
            lambda w: message(thinking=[{**redacted, "type": w}]),
        ],
        "detail": [lambda w: message(content=[{**image, "image_url": {"url": "u", "detail": w}}])],
        "function": [
            lambda w: message(tool_calls=[{**call, "type": w}]),
            lambda w: {"tool_choice": {**choice, "type": w}},
        ],
    }
    assert set(places) == set(WORDS)
    return [
        (f"{kind}:{word!r}", place(word))
        for kind, words in WORDS.items()
        for word in [*words, "x"]
        for place in places[kind]
    ]


@pytest.mark.parametrize(
    ("case", "body"), _word_bodies(), ids=lambda v: v if isinstance(v, str) else ""
)
def test_curated_bad_words_are_must_reject(case: str, body: dict[str, Any]) -> None:
    assert _accepted(body) == {"v1": False, "v2": False}
    assert list(request_validator().iter_errors(body)), "the contract must reject it too"


def test_models_accept_a_full_valid_body() -> None:
    body = {
        "output_message": {
            "role": "assistant",
            "content": [{"type": "text", "text": "hello"}],
            "thinking": [{"type": "redacted_thinking", "data": "xyz"}],
            "tool_calls": [
                {"id": "c", "type": "function", "function": {"name": "f", "arguments": "{}"}}
            ],
        },
        "prompt_tokens": 10,
        "tool_choice": {"type": "function", "function": {"name": "f"}},
        "created_at": "2025-05-02T08:00:00Z",
        "metadata": {"k": [1, {"x": None}]},
    }
    assert _accepts_v1(body) and _accepts_v2(body)
    assert not _accepts_v2({"tool_choice": "sometimes"})

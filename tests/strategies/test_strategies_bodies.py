"""Valid-body strategies: every draw validates against the contract, arguments are policed."""

from __future__ import annotations

import json
import math
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, Phase, find, given, settings
from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument

from promptlog_contract.contract import (
    documented_request_fields,
    openapi_document,
    request_validator,
    validator,
)
from promptlog_contract.strategies import (
    ALL_ROLES,
    DOCUMENTED_FIELDS,
    chat_messages,
    content_parts,
    date_times,
    json_maps,
    thinking_blocks,
    tool_calls,
    tool_choices,
    update_bodies,
)

_INT64 = range(-(2**63), 2**63)
# ~300 bodies under `dev`, thousands under `ci`.
_MANY = settings(
    max_examples=10 * settings().max_examples,
    suppress_health_check=[HealthCheck.too_slow],
)


def _leaves(value: Any) -> Iterator[Any]:
    if isinstance(value, dict):
        for key, item in value.items():
            yield key
            yield from _leaves(item)
    elif isinstance(value, list):
        for item in value:
            yield from _leaves(item)
    else:
        yield value


def _errors(schema: str, value: Any) -> list[str]:
    return [error.message for error in validator(schema).iter_errors(value)]


@_MANY
@given(update_bodies())
def test_update_bodies_matches_contract(body: dict[str, Any]) -> None:
    assert [e.message for e in request_validator().iter_errors(body)] == []
    assert set(body) <= set(DOCUMENTED_FIELDS)
    assert None not in body.values()
    json.dumps(body, allow_nan=False)
    for leaf in _leaves(body):
        if isinstance(leaf, str):
            assert "\x00" not in leaf
        elif isinstance(leaf, int) and not isinstance(leaf, bool):
            assert leaf in _INT64
        elif isinstance(leaf, float):
            assert math.isfinite(leaf)


def test_documented_fields_match_the_contract() -> None:
    assert documented_request_fields() == DOCUMENTED_FIELDS
    assert len(DOCUMENTED_FIELDS) == 21
    assert "log_status" not in DOCUMENTED_FIELDS


@given(st.data())
def test_update_bodies_respects_fields_and_min_fields(data: st.DataObject) -> None:
    fields = data.draw(st.sets(st.sampled_from(DOCUMENTED_FIELDS)), label="fields")
    least = data.draw(st.integers(0, len(fields)), label="min_fields")
    body = data.draw(update_bodies(fields=fields, min_fields=least))
    assert set(body) <= fields
    assert len(body) >= least


@given(chat_messages())
def test_chat_messages_matches_contract(message: dict[str, Any]) -> None:
    assert _errors("ChatMessage", message) == []


@given(chat_messages(roles=["tool", "developer"]))
def test_chat_messages_keeps_to_roles(message: dict[str, Any]) -> None:
    assert message["role"] in ("tool", "developer")


@given(tool_calls())
def test_tool_calls_matches_contract(call: dict[str, Any]) -> None:
    assert _errors("ToolCall", call) == []
    if "arguments" in call["function"]:
        assert isinstance(json.loads(call["function"]["arguments"]), dict)


@given(content_parts())
def test_content_parts_matches_contract(part: dict[str, Any]) -> None:
    schema = "TextChatContent" if part["type"] == "text" else "ImageChatContent"
    assert _errors(schema, part) == []


@given(thinking_blocks())
def test_thinking_blocks_matches_contract(block: dict[str, Any]) -> None:
    schema = (
        "AnthropicThinkingContent"
        if block["type"] == "thinking"
        else "AnthropicRedactedThinkingContent"
    )
    assert _errors(schema, block) == []


@given(tool_choices())
def test_tool_choices_matches_contract(choice: Any) -> None:
    assert [e.message for e in request_validator().iter_errors({"tool_choice": choice})] == []


@given(date_times())
def test_date_times_matches_contract(text: str) -> None:
    assert [e.message for e in request_validator().iter_errors({"created_at": text})] == []
    assert 1900 <= int(text[:4]) <= 2200
    assert text[17:19] != "60"
    fraction = text[19:].split("Z")[0].split("+")[0].split("-")[0]
    assert fraction == "" or 2 <= len(fraction) <= 10


@given(json_maps(max_size=2, max_depth=1))
def test_json_maps_respects_bounds(value: dict[str, Any]) -> None:
    assert len(value) <= 2
    for item in value.values():
        if isinstance(item, dict | list):
            assert len(item) <= 2
            assert all(not isinstance(inner, dict | list) for inner in _values(item))


def _values(container: dict[str, Any] | list[Any]) -> list[Any]:
    return list(container.values()) if isinstance(container, dict) else container


def test_update_bodies_shrinks_to_the_empty_body() -> None:
    assert find(update_bodies(), lambda body: True) == {}
    assert len(find(update_bodies(min_fields=2), lambda body: True)) == 2


def test_nested_strategies_shrink_to_their_simplest_form() -> None:
    assert find(chat_messages(), lambda m: True) == {"role": "user"}
    assert find(tool_choices(), lambda c: True) == "none"
    assert find(date_times(), lambda t: True) == "1900-01-01T00:00:00Z"
    assert find(content_parts(), lambda p: True) == {"type": "text", "text": ""}
    assert find(json_maps(), lambda m: True) == {}


def test_all_roles_are_the_contract_enum() -> None:
    schemas = openapi_document()["components"]["schemas"]
    assert tuple(schemas["ChatRole"]["enum"]) == ALL_ROLES


@pytest.mark.parametrize(
    "make",
    [
        lambda: update_bodies(fields=["output", "log_status"]),
        lambda: update_bodies(fields=["nope"]),
        lambda: update_bodies(fields="output"),
        lambda: update_bodies(min_fields=-1),
        lambda: update_bodies(min_fields=True),
        lambda: update_bodies(fields=["output"], min_fields=2),
        lambda: chat_messages(roles=[]),
        lambda: chat_messages(roles=["robot"]),
        lambda: chat_messages(roles="user"),
        lambda: json_maps(max_size=-1),
        lambda: json_maps(max_depth=1.5),  # type: ignore[arg-type]
    ],
    ids=[
        "sdk-only-field",
        "unknown-field",
        "fields-as-string",
        "negative-min",
        "bool-min",
        "min-above-fields",
        "no-roles",
        "unknown-role",
        "roles-as-string",
        "negative-size",
        "float-depth",
    ],
)
def test_bad_arguments_raise_invalid_argument(make: Any) -> None:
    with pytest.raises(InvalidArgument):
        make()


def test_update_bodies_can_hold_every_field() -> None:
    big = find(
        update_bodies(),
        lambda body: len(body) == len(DOCUMENTED_FIELDS),
        settings=settings(
            max_examples=5_000, derandomize=True, database=None, phases=[Phase.generate]
        ),
    )
    assert set(big) == set(DOCUMENTED_FIELDS)


def test_update_bodies_are_small_on_average(drawer: Any) -> None:
    bodies = drawer(update_bodies(), 400)
    # The sample mean is about 5 (4.6-5.9 over seeds 0-7); even a derandomized sample moves
    # with the modules loaded, because Hypothesis mixes in constants from every local module.
    assert 2 <= sum(map(len, bodies)) / len(bodies) <= 6
    assert max(map(len, bodies)) > 8

"""The schemas accept the known-good bodies and reject the known-bad ones where they break.

The fixtures in `examples/` are copies of the documentation page's example
response and of the SDK's examples (contracts/SOURCES.md, "SDK"). The invalid
bodies are hand-written, one defect each, and every rejection is asserted at the
path of the defect: a schema that rejects for the wrong reason would pass a bare
"is invalid" test.
"""

from __future__ import annotations

import copy
import json
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from jsonschema.exceptions import ValidationError

from promptlog_contract import contract

EXAMPLES = Path(__file__).parent / "examples"
MINIMAL_MEMBERS = {
    "PromptLogResponse": "minimal_prompt_log_response",
    "ToolLogResponse": "minimal_tool_log_response",
    "EvaluatorLogResponse": "minimal_evaluator_log_response",
    "FlowLogResponse": "minimal_flow_log_response",
    "AgentLogResponse": "minimal_agent_log_response",
}
NAIVE = "2024-01-15T09:30:00"


@cache
def _load(name: str) -> Any:
    return json.loads((EXAMPLES / f"{name}.json").read_text(encoding="utf-8"))


def example(name: str) -> Any:
    """A fresh deep copy of a fixture, safe to mutate."""
    return copy.deepcopy(_load(name))


def errors(schema: str, instance: Any) -> list[ValidationError]:
    return list(contract.validator(schema).iter_errors(instance))


def paths(schema: str, instance: Any) -> list[tuple[Any, ...]]:
    return [tuple(e.absolute_path) for e in errors(schema, instance)]


# --- valid bodies ------------------------------------------------------------------------


@pytest.mark.parametrize("fixture", ["docs_prompt_log_response", "realistic_prompt_log_response"])
@pytest.mark.parametrize("schema", ["PromptLogResponse", "LogResponse"])
def test_full_prompt_log_examples_are_valid(fixture: str, schema: str) -> None:
    assert errors(schema, example(fixture)) == []


def test_docs_example_has_a_nested_evaluator_log() -> None:
    # The fixture is only useful if it exercises the recursive evaluator_logs.
    nested = example("docs_prompt_log_response")["evaluator_logs"]
    assert len(nested) == 1
    assert errors("EvaluatorLogResponse", nested[0]) == []


@pytest.mark.parametrize(("member", "fixture"), MINIMAL_MEMBERS.items())
def test_minimal_member_is_valid_for_member_and_union(member: str, fixture: str) -> None:
    body = example(fixture)
    assert errors(member, body) == []
    assert errors("LogResponse", body) == []
    assert contract.closest_member(body) == (member, [])


@pytest.mark.parametrize("body", [{}, "request_every_form"], ids=["empty", "every_form"])
def test_request_examples_are_valid(body: Any) -> None:
    instance = example(body) if isinstance(body, str) else body
    assert errors(contract.REQUEST_SCHEMA, instance) == []


@pytest.mark.parametrize("role", ["user", "assistant", "system", "tool", "developer"])
def test_every_role_is_accepted(role: str) -> None:
    assert errors(contract.REQUEST_SCHEMA, {"messages": [{"role": role}]}) == []


@pytest.mark.parametrize("choice", ["none", "auto", "required"])
def test_tool_choice_strings_are_accepted(choice: str) -> None:
    assert errors(contract.REQUEST_SCHEMA, {"tool_choice": choice}) == []


def test_create_log_response_and_validation_error_examples() -> None:
    created = {"id": "log_1", "prompt_id": "pr_1", "version_id": "prv_1", "session_id": None}
    assert errors(contract.CREATE_LOG_RESPONSE_SCHEMA, created) == []
    assert paths(contract.CREATE_LOG_RESPONSE_SCHEMA, {"id": "log_1"}) == [(), ()]
    pydantic_v2 = {
        "detail": [
            {
                "loc": ["body", "tool_choice", "literal['none','auto','required']"],
                "msg": "Input should be 'none', 'auto' or 'required'",
                "type": "literal_error",
                "input": "sometimes",
                "ctx": {"expected": "'none', 'auto' or 'required'"},
            }
        ]
    }
    assert errors(contract.VALIDATION_ERROR_SCHEMA, pydantic_v2) == []
    assert errors(contract.VALIDATION_ERROR_SCHEMA, {}) == []
    assert paths(contract.VALIDATION_ERROR_SCHEMA, {"detail": [{"loc": ["body"]}]}) == [
        ("detail", 0),
        ("detail", 0),
    ]


# --- forward compatibility of responses --------------------------------------------------


def test_unknown_keys_are_allowed_in_responses() -> None:
    body = example("realistic_prompt_log_response")
    body["added_in_2026"] = {"anything": [1, 2]}
    body["prompt"]["status"] = "committed"
    body["prompt"]["also_new"] = True
    body["output_message"]["audio"] = None
    assert errors("PromptLogResponse", body) == []
    assert errors("LogResponse", body) == []


def test_unknown_keys_are_allowed_in_requests() -> None:
    assert errors(contract.REQUEST_SCHEMA, {"not_a_field": 1, "output": "x"}) == []


@pytest.mark.parametrize(
    "field",
    [
        name
        for name in contract.openapi_document()["components"]["schemas"]["PromptLogResponse"][
            "properties"
        ]
        if name not in ("id", "evaluator_logs", "prompt")
    ],
)
def test_every_optional_response_field_may_be_null(field: str) -> None:
    body = example("minimal_prompt_log_response")
    body[field] = None
    assert errors("PromptLogResponse", body) == []


@pytest.mark.parametrize(("member", "fixture"), MINIMAL_MEMBERS.items())
def test_required_member_fields_are_required_and_not_null(member: str, fixture: str) -> None:
    for key in ("id", "evaluator_logs", contract.MEMBER_KEYS[member]):
        missing = example(fixture)
        del missing[key]
        nulled = {**example(fixture), key: None}
        for body in (missing, nulled):
            assert errors(member, body), (key, body)
            assert errors("LogResponse", body), (key, body)


# --- invalid bodies fail where they are broken --------------------------------------------


def test_missing_prompt_fails_at_the_root() -> None:
    body = example("minimal_prompt_log_response")
    del body["prompt"]
    (error,) = errors("PromptLogResponse", body)
    assert (tuple(error.absolute_path), error.validator) == ((), "required")
    assert "'prompt'" in error.message


def test_bad_tool_choice_fails_at_tool_choice() -> None:
    (error,) = errors(contract.REQUEST_SCHEMA, {"tool_choice": "sometimes"})
    assert tuple(error.absolute_path) == ("tool_choice",)
    assert any(ctx.validator == "enum" for ctx in error.context)


def test_tool_choice_object_without_function_fails() -> None:
    body = {"tool_choice": {"type": "function"}}
    assert paths(contract.REQUEST_SCHEMA, body) == [("tool_choice",)]


def test_thinking_block_without_signature_fails_at_the_block() -> None:
    body = {
        "messages": [{"role": "assistant", "thinking": [{"type": "thinking", "thinking": "hmm"}]}]
    }
    (error,) = errors(contract.REQUEST_SCHEMA, body)
    assert tuple(error.absolute_path) == ("messages", 0, "thinking", 0)
    assert any(
        ctx.validator == "required" and "'signature'" in ctx.message for ctx in error.context
    )


def test_thinking_block_with_unknown_tag_fails() -> None:
    block = {"type": "thinking_v2", "thinking": "hmm", "signature": "s"}
    body = {"output_message": {"role": "assistant", "thinking": [block]}}
    assert paths(contract.REQUEST_SCHEMA, body) == [("output_message", "thinking", 0)]


def test_request_thinking_must_not_be_null() -> None:
    body = {"output_message": {"role": "assistant", "thinking": None}}
    assert paths(contract.REQUEST_SCHEMA, body) == [("output_message", "thinking")]


def test_unknown_role_fails_at_role() -> None:
    request = {"messages": [{"role": "user"}, {"role": "robot", "content": "beep"}]}
    (error,) = errors(contract.REQUEST_SCHEMA, request)
    assert (tuple(error.absolute_path), error.validator) == (("messages", 1, "role"), "enum")

    response = example("minimal_prompt_log_response")
    response["output_message"] = {"role": "robot"}
    assert paths("PromptLogResponse", response) == [("output_message",)]
    (member_error,) = errors("PromptLogResponse", response)
    assert any(
        tuple(ctx.absolute_path) == ("output_message", "role") for ctx in member_error.context
    )


def test_missing_role_fails() -> None:
    assert paths(contract.REQUEST_SCHEMA, {"output_message": {"content": "hi"}}) == [
        ("output_message",)
    ]


def test_naive_response_date_time_fails_at_created_at() -> None:
    body = example("minimal_prompt_log_response")
    body["created_at"] = NAIVE
    (error,) = errors("PromptLogResponse", body)
    assert (tuple(error.absolute_path), error.validator) == (("created_at",), "format")

    (union_error,) = errors("LogResponse", body)
    assert any(
        tuple(ctx.absolute_path) == ("created_at",) and ctx.validator == "format"
        for ctx in union_error.context
    )
    name, member_errors = contract.closest_member(body)
    assert name == "PromptLogResponse"
    assert [m.split(":", 1)[0] for m in member_errors] == ["created_at"]


def test_naive_date_time_nested_in_prompt_fails() -> None:
    body = example("minimal_prompt_log_response")
    body["prompt"]["updated_at"] = NAIVE
    assert paths("PromptLogResponse", body) == [("prompt", "updated_at")]


@pytest.mark.parametrize(
    ("field", "value"),
    [("prompt_tokens", 1.5), ("prompt_tokens", "12"), ("prompt_cost", "0.1"), ("output", 5)],
)
def test_wrong_scalar_types_fail_at_the_field(field: str, value: Any) -> None:
    assert paths(contract.REQUEST_SCHEMA, {field: value}) == [(field,)]


# --- format checking -----------------------------------------------------------------------


@pytest.mark.parametrize("value", [NAIVE, "yesterday", "2024-13-45T99:00:00Z", "2024-01-15"])
def test_bad_request_date_times_are_rejected(value: str) -> None:
    (error,) = errors(contract.REQUEST_SCHEMA, {"start_time": value})
    assert (tuple(error.absolute_path), error.validator) == (("start_time",), "format")


@pytest.mark.parametrize(
    "value",
    ["2024-01-15T09:30:00Z", "2024-01-15T09:30:00.123456+02:00", "2024-01-15T09:30:00-05:30"],
)
def test_rfc3339_request_date_times_are_accepted(value: str) -> None:
    assert errors(contract.REQUEST_SCHEMA, {"start_time": value, "end_time": value}) == []

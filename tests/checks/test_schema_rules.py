"""Body rules: response_matches_union, prompt_log_returned, validation_error_shape,
validation_error_locates_field."""

from __future__ import annotations

from typing import Any

import pytest

from promptlog_contract.checks import (
    ErrorNotLocated,
    ForeignErrorEnvelope,
    MalformedValidationError,
    UnionMismatch,
    WrongUnionMember,
)
from promptlog_contract.checks._schema import (
    is_valid,
    locates,
    prompt_log_returned,
    prompt_member_implies_union,
    response_matches_union,
    validation_error_locates_field,
    validation_error_shape,
)
from promptlog_contract.types import NOT_JSON, Context, JSONPath, Label, NotApplicable

from ._factory import CTX, STRICT, exchange, prompt_log, validation_error

TOOL = {
    "path": "t",
    "id": "tl_1",
    "name": "t",
    "version_id": "tv_1",
    "created_at": "2025-05-01T12:00:00Z",
    "updated_at": "2025-05-01T12:00:00Z",
    "last_used_at": "2025-05-01T12:00:00Z",
    "version_logs_count": 0,
    "total_logs_count": 0,
    "inputs": [],
}
TOOL_LOG = {"id": "log_1", "evaluator_logs": [], "tool": TOOL}
CHOICE = Label(path=("tool_choice",), rule="tool_choice-enum", severity="must-reject")
ROLE = Label(path=("messages", 0, "role"), rule="role-enum", severity="must-reject")


def test_response_matches_union_holds() -> None:
    response_matches_union(exchange(body=prompt_log(output="hi", tool_choice="auto")), CTX)
    response_matches_union(exchange("get", body=TOOL_LOG), CTX)


def test_response_matches_union_ignores_non_200() -> None:
    with pytest.raises(NotApplicable, match="422"):
        response_matches_union(exchange(status=422, body={"nonsense": True}), CTX)


def test_response_matches_union_catches_missing_required_field() -> None:
    body = prompt_log()
    del body["evaluator_logs"]
    with pytest.raises(UnionMismatch, match="closest is PromptLogResponse") as caught:
        response_matches_union(exchange(body=body), CTX)
    assert "evaluator_logs" in caught.value.message


def test_response_matches_union_catches_naive_date_time() -> None:
    body = prompt_log(created_at="2025-05-02 08:00")
    with pytest.raises(UnionMismatch, match="created_at"):
        response_matches_union(exchange(body=body), CTX)


def test_response_matches_union_catches_body_that_is_not_json() -> None:
    with pytest.raises(UnionMismatch, match="not JSON"):
        response_matches_union(exchange(body=NOT_JSON, content=b"<html>"), CTX)


def test_prompt_log_returned_holds() -> None:
    prompt_log_returned(exchange(body=prompt_log()), CTX)


def test_prompt_log_returned_leaves_plain_invalid_body_to_the_union_rule() -> None:
    prompt_log_returned(exchange(body={"id": 123, "prompt": "x"}), CTX)


def test_prompt_log_returned_catches_tool_log() -> None:
    with pytest.raises(WrongUnionMember, match="ToolLogResponse"):
        prompt_log_returned(exchange(body=TOOL_LOG), CTX)


def test_prompt_log_returned_catches_invalid_body_shaped_as_another_member() -> None:
    with pytest.raises(WrongUnionMember, match="FlowLogResponse"):
        prompt_log_returned(exchange(body={"id": "log_1", "flow": {}}), CTX)


def test_prompt_log_returned_catches_broken_prompt_that_is_a_valid_tool_log() -> None:
    with pytest.raises(WrongUnionMember, match="is a ToolLogResponse"):
        prompt_log_returned(exchange(body={**TOOL_LOG, "prompt": "x"}), CTX)


@pytest.mark.parametrize(
    "body",
    [
        validation_error(["body", "tool_choice"]),
        {"detail": []},
        {"detail": [{"loc": ["body", 0], "msg": "m", "type": "t", "input": None, "url": "u"}]},
    ],
)
def test_validation_error_shape_holds(body: Any) -> None:
    validation_error_shape(exchange("invalid", status=422, body=body), CTX)


@pytest.mark.parametrize(
    ("body", "fault"),
    [
        ({"detail": "weird"}, "'detail' is \"weird\""),
        ({"detail": [{"loc": "body", "msg": "m", "type": "t"}]}, "detail/0/loc"),
        ({"detail": [{"loc": ["body", True], "msg": "m", "type": "t"}]}, "detail/0/loc"),
        ({"detail": [{"loc": ["body"], "msg": 1, "type": "t"}]}, "detail/0/msg"),
        ({"detail": [{"loc": ["body"], "msg": "m"}]}, "detail/0/type"),
        ({"detail": ["oops"]}, "detail/0 is not"),
        (["body"], "not a JSON object"),
        (NOT_JSON, "not JSON"),
    ],
)
def test_validation_error_shape_catches_malformed_detail(body: Any, fault: str) -> None:
    with pytest.raises(MalformedValidationError, match="422") as caught:
        validation_error_shape(exchange("raw", status=422, body=body), CTX)
    assert fault in caught.value.message
    assert caught.value.level == "failure"


def test_validation_error_shape_warns_on_an_empty_object() -> None:
    with pytest.raises(MalformedValidationError) as caught:
        validation_error_shape(exchange("invalid", status=422, body={}), CTX)
    assert caught.value.level == "warning"
    assert not isinstance(caught.value, ForeignErrorEnvelope)


#: Error envelopes of other frameworks and middlewares (AMBIGUITIES A10).
FOREIGN = [
    {"error": "Unprocessable Entity", "errors": [{"field": "tool_choice", "message": "bad"}]},
    {"error": "bad"},
    {"message": "Validation failed", "errors": {"tool_choice": ["is invalid"]}},
    {"title": "Unprocessable Entity", "status": 422, "invalid-params": []},
]


@pytest.mark.parametrize("body", FOREIGN)
@pytest.mark.parametrize("ctx", [CTX, STRICT])
def test_validation_error_shape_catches_foreign_envelope(body: Any, ctx: Context) -> None:
    with pytest.raises(ForeignErrorEnvelope, match="another error format") as caught:
        validation_error_shape(exchange("invalid", status=422, body=body), ctx)
    assert caught.value.level == "failure"
    assert isinstance(caught.value, MalformedValidationError)


def test_validation_error_shape_holds_for_detail_with_extra_keys() -> None:
    body = {**validation_error(["body", "output"]), "request_id": "r1"}
    validation_error_shape(exchange("invalid", status=422, body=body), CTX)


def test_validation_error_shape_fails_absent_detail_under_strict() -> None:
    with pytest.raises(MalformedValidationError) as caught:
        validation_error_shape(exchange("invalid", status=422, body={}), STRICT)
    assert caught.value.level == "failure"


@pytest.mark.parametrize(
    ("loc", "path"),
    [
        (["body", "tool_choice"], ("tool_choice",)),
        (["body", "tool_choice", "literal['none','auto','required']"], ("tool_choice",)),
        (
            ["body", "tool_choice", "ToolChoiceFunction", "function", "name"],
            ("tool_choice", "function", "name"),
        ),
        (["body", "messages", "0", "role"], ("messages", 0, "role")),
        (["body", "messages", 0], ("messages", 0, "role")),
        (["body"], ()),
    ],
)
def test_locates_accepts_framework_locations(loc: list[str | int], path: JSONPath) -> None:
    assert locates(loc, path)


@pytest.mark.parametrize(
    ("loc", "path"),
    [
        (["query", "tool_choice"], ("tool_choice",)),
        (["body"], ("tool_choice",)),
        (["body", "messages", 1, "role"], ("messages", 0, "role")),
        (["body", "output"], ("messages", 0, "role")),
        ([], ()),
    ],
)
def test_locates_rejects_other_locations(loc: list[str | int], path: JSONPath) -> None:
    assert not locates(loc, path)


def test_validation_error_locates_field_holds() -> None:
    body = validation_error(["body", "output"], ["body", "messages", 0, "role"])
    validation_error_locates_field(exchange("invalid", status=422, body=body, label=ROLE), CTX)


def test_validation_error_locates_field_leaves_malformed_detail_to_shape_rule() -> None:
    ex = exchange("invalid", status=422, body={"detail": "x"}, label=CHOICE)
    with pytest.raises(NotApplicable):
        validation_error_locates_field(ex, STRICT)


def test_validation_error_locates_field_catches_wrong_location() -> None:
    body = validation_error(["body", "output"])
    with pytest.raises(ErrorNotLocated, match="tool_choice") as caught:
        validation_error_locates_field(
            exchange("invalid", status=422, body=body, label=CHOICE), CTX
        )
    assert caught.value.level == "warning"
    assert "body/output" in caught.value.message


def test_validation_error_locates_field_fails_under_strict() -> None:
    body = validation_error(["body", "messages", 1, "role"])
    with pytest.raises(ErrorNotLocated) as caught:
        validation_error_locates_field(
            exchange("invalid", status=422, body=body, label=ROLE), STRICT
        )
    assert caught.value.level == "failure"


def test_validation_error_locates_field_catches_empty_detail() -> None:
    with pytest.raises(ErrorNotLocated, match="locations: none"):
        validation_error_locates_field(
            exchange("invalid", status=422, body={"detail": []}, label=CHOICE), CTX
        )


def test_prompt_member_implies_union_for_this_contract() -> None:
    assert prompt_member_implies_union()


def test_is_valid_tells_apart_values_that_compare_equal_in_python() -> None:
    assert is_valid("PromptLogResponse", prompt_log(prompt_tokens=1))
    assert not is_valid("PromptLogResponse", prompt_log(prompt_tokens=True))
    assert not is_valid("PromptLogResponse", prompt_log(prompt_tokens=1.5))

"""Status and Content-Type rules: not_a_server_error, status_code_documented, content_type_json,
valid_body_accepted, invalid_body_rejected."""

from __future__ import annotations

from dataclasses import replace

import pytest

from promptlog_contract.checks import (
    InvalidBodyAccepted,
    ResponseTooLarge,
    ServerError,
    UndocumentedStatus,
    ValidBodyRejected,
    WrongContentType,
)
from promptlog_contract.checks._status import (
    content_type_json,
    invalid_body_rejected,
    not_a_server_error,
    response_size_bounded,
    status_code_documented,
    valid_body_accepted,
)
from promptlog_contract.types import NOT_JSON, ExchangeKind, Label, NotApplicable, RawRequest

from ._factory import CTX, STRICT, exchange, validation_error

MUST_REJECT = Label(path=("tool_choice",), rule="tool_choice-enum", severity="must-reject")
LAX = Label(path=("prompt_tokens",), rule="integer-type", severity="lax-coercible")
RAW = RawRequest(
    name="malformed-json",
    content=b"{",
    content_type="application/json",
    expected_statuses=frozenset({400, 422}),
)


def test_not_a_server_error_holds() -> None:
    not_a_server_error(exchange(status=422, body=validation_error(["body"])), CTX)


@pytest.mark.parametrize("status", [500, 502, 503])
def test_not_a_server_error_catches_5xx(status: int) -> None:
    with pytest.raises(ServerError, match=str(status)):
        not_a_server_error(exchange("get", status=status, body=NOT_JSON), CTX)


@pytest.mark.parametrize(
    ("kind", "status"),
    [
        ("valid", 200),
        ("invalid", 422),
        ("open", 200),
        ("unknown_log", 404),
        ("auth_missing", 401),
        ("auth_wrong", 403),
        ("auth_near_miss", 401),
        ("auth_near_miss", 403),
        ("get", 200),
        ("concurrent", 200),
        ("concurrent_get", 200),
        ("sibling_get", 200),
        ("repeat", 422),
    ],
)
def test_status_code_documented_holds(kind: ExchangeKind, status: int) -> None:
    status_code_documented(exchange(kind, status=status, body={}), CTX)


@pytest.mark.parametrize("status", [429, 500])
def test_status_code_documented_does_not_judge_429_or_5xx(status: int) -> None:
    # 429 is retried by the runner, 5xx is not_a_server_error's: neither is a pass here.
    with pytest.raises(NotApplicable):
        status_code_documented(exchange("valid", status=status, body={}), CTX)


def test_status_code_documented_holds_for_raw_expected_status() -> None:
    status_code_documented(exchange("raw", status=400, body={}, raw=RAW), CTX)


@pytest.mark.parametrize(
    ("kind", "status"),
    [
        ("valid", 400),
        ("unknown_log", 200),
        ("unknown_log", 403),
        ("auth_missing", 404),
        ("auth_near_miss", 200),
        ("get", 422),
        ("concurrent", 409),
        ("concurrent_get", 404),
        ("sibling_get", 404),
        ("open", 201),
    ],
)
def test_status_code_documented_catches_undocumented_status(
    kind: ExchangeKind, status: int
) -> None:
    with pytest.raises(UndocumentedStatus, match=f"status {status}"):
        status_code_documented(exchange(kind, status=status, body={}), CTX)


def test_status_code_documented_catches_raw_status_outside_its_expectation() -> None:
    with pytest.raises(UndocumentedStatus):
        status_code_documented(exchange("raw", status=415, body={}, raw=RAW), CTX)


@pytest.mark.parametrize(
    "content_type",
    [
        "application/json",
        "application/json; charset=utf-8",
        "Application/JSON",
        "application/problem+json",
    ],
)
def test_content_type_json_holds(content_type: str) -> None:
    content_type_json(exchange(headers={"content-type": content_type}), CTX)


def test_content_type_json_ignores_undocumented_responses() -> None:
    with pytest.raises(NotApplicable, match="404"):
        content_type_json(
            exchange(status=404, body=NOT_JSON, headers={"content-type": "text/html"}), CTX
        )


@pytest.mark.parametrize("content_type", ["text/plain", "", "application/jsonx", "text/json"])
def test_content_type_json_catches_wrong_content_type(content_type: str) -> None:
    ex = exchange(
        status=422, body=validation_error(["body"]), headers={"content-type": content_type}
    )
    with pytest.raises(WrongContentType):
        content_type_json(ex, CTX)


def test_valid_body_accepted_holds() -> None:
    valid_body_accepted(exchange("repeat", status=200, body={}), CTX)


def test_valid_body_accepted_does_not_judge_429() -> None:
    with pytest.raises(NotApplicable, match="429"):
        valid_body_accepted(exchange("repeat", status=429, body={}), CTX)


def test_response_size_bounded_holds() -> None:
    response_size_bounded(exchange(status=200, body={}), CTX)


def test_response_size_bounded_catches_oversize() -> None:
    ex = exchange(status=200, body=NOT_JSON)
    big = replace(ex, response=replace(ex.response, oversize=True, problem="over 2097152 bytes"))
    with pytest.raises(ResponseTooLarge, match="response too large: over 2097152"):
        response_size_bounded(big, CTX)


def test_valid_body_accepted_catches_422() -> None:
    ex = exchange(status=422, body=validation_error(["body", "messages", 0, "role"]))
    with pytest.raises(ValidBodyRejected, match="body/messages/0/role"):
        valid_body_accepted(ex, CTX)


def test_valid_body_accepted_catches_5xx() -> None:
    with pytest.raises(ValidBodyRejected, match="500"):
        valid_body_accepted(exchange(status=500, body=NOT_JSON), CTX)


@pytest.mark.parametrize("status", [422, 400, 500])
def test_invalid_body_rejected_holds(status: int) -> None:
    invalid_body_rejected(exchange("invalid", status=status, body={}, label=MUST_REJECT), CTX)


def test_invalid_body_rejected_catches_accepted_must_reject_body() -> None:
    ex = exchange("invalid", status=200, label=MUST_REJECT)
    with pytest.raises(InvalidBodyAccepted, match="tool_choice") as caught:
        invalid_body_rejected(ex, CTX)
    assert caught.value.level == "failure"


def test_invalid_body_rejected_warns_on_lax_coercion() -> None:
    ex = exchange("invalid", status=200, label=LAX)
    with pytest.raises(InvalidBodyAccepted) as caught:
        invalid_body_rejected(ex, CTX)
    assert caught.value.level == "warning"


def test_invalid_body_rejected_fails_lax_coercion_under_strict() -> None:
    ex = exchange("invalid", status=204, body={}, label=LAX)
    with pytest.raises(InvalidBodyAccepted) as caught:
        invalid_body_rejected(ex, STRICT)
    assert caught.value.level == "failure"

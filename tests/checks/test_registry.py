"""The registry: every rule once, in the documented order, each with its rule stated."""

from __future__ import annotations

import pytest

from promptlog_contract.checks import (
    ALL_KINDS,
    AUTH_KINDS,
    CHECKS,
    GET_KINDS,
    LOG_KINDS,
    PATCH_KINDS,
    AuthNotEnforced,
    Check,
    NotApplicable,
    ServerError,
    check,
    check_names,
    judge,
    run_checks,
)
from promptlog_contract.types import Context, Exchange, ExchangeKind, Violation

from ._factory import CTX, exchange, validation_error

RULES = [
    "not_a_server_error",
    "status_code_documented",
    "content_type_json",
    "response_size_bounded",
    "response_matches_union",
    "prompt_log_returned",
    "valid_body_accepted",
    "invalid_body_rejected",
    "validation_error_shape",
    "validation_error_locates_field",
    "patched_fields_applied",
    "omitted_fields_unchanged",
    "repeat_is_stable",
    "get_agrees_with_patch",
    "concurrent_patches_merge",
    "other_logs_untouched",
    "unknown_log_not_found",
    "auth_enforced",
    "no_secret_echoed",
]


def test_check_names_match_the_rule_table() -> None:
    assert check_names() == RULES


def test_names_are_unique_and_every_check_states_its_rule() -> None:
    assert len({entry.name for entry in CHECKS}) == len(CHECKS)
    for entry in CHECKS:
        assert entry.doc.endswith("."), entry.name
        assert entry.name == entry.func.__name__
        assert entry.kinds <= ALL_KINDS and entry.kinds


def test_every_kind_is_judged_by_some_check() -> None:
    assert set().union(*(entry.kinds for entry in CHECKS)) == ALL_KINDS


def test_check_decorator_refuses_undocumented_rule() -> None:
    def nameless(exchange: Exchange, ctx: Context) -> None:
        pass

    with pytest.raises(ValueError, match="docstring"):
        check(kinds={"valid"})(nameless)


def test_check_decorator_refuses_unknown_kind() -> None:
    with pytest.raises(ValueError, match="kinds"):
        check(kinds={"valid", "bogus"})  # type: ignore[arg-type]


def test_run_checks_holds_for_a_faithful_exchange() -> None:
    sent = {"output": "hi"}
    ex = exchange(sent=sent, body={**exchange().response.body, "output": "hi"})
    results = run_checks(ex, CTX)
    # Rules for other kinds do not run; validation_error_shape does not judge a 200.
    assert [entry.name for entry, _ in results] == [
        name
        for name in RULES
        if name
        not in {
            "invalid_body_rejected",
            "validation_error_shape",
            "validation_error_locates_field",
            "omitted_fields_unchanged",
            "repeat_is_stable",
            "get_agrees_with_patch",
            "concurrent_patches_merge",
            "other_logs_untouched",
            "unknown_log_not_found",
            "auth_enforced",
        }
    ]
    assert all(violation is None for _, violation in results)


def test_judge_says_not_applicable_for_what_a_rule_does_not_judge() -> None:
    # valid_body_accepted on a 429, the union rule on a 422: neither held nor violated.
    rate_limited = {e.name: o for e, o in judge(exchange(status=429, body={}), CTX)}
    assert isinstance(rate_limited["valid_body_accepted"], NotApplicable)
    assert isinstance(rate_limited["status_code_documented"], NotApplicable)
    assert rate_limited["not_a_server_error"] is None
    rejected = {e.name: o for e, o in judge(exchange(status=422, body=validation_error()), CTX)}
    assert isinstance(rejected["response_matches_union"], NotApplicable)
    assert isinstance(rejected["patched_fields_applied"], NotApplicable)
    assert "response_matches_union" not in {
        e.name for e, _ in run_checks(exchange(status=422, body=validation_error()), CTX)
    }


def test_judged_outcomes_hold_no_traceback() -> None:
    # A kept violation with a traceback keeps the check's frames, and the whole response, alive.
    outcomes = judge(exchange(status=500, body={}), CTX)
    violations = [o for _, o in outcomes if isinstance(o, Violation)]
    assert violations
    assert all(o.__traceback__ is None for _, o in outcomes if o is not None)


def test_run_checks_catches_violations_by_rule() -> None:
    ex = exchange("auth_wrong", status=200, body=validation_error(["body"]))
    failed = {entry.name: v for entry, v in run_checks(ex, CTX) if v is not None}
    assert isinstance(failed["auth_enforced"], AuthNotEnforced)
    assert "status_code_documented" in failed and "response_matches_union" in failed


def test_run_checks_only_runs_checks_for_the_kind() -> None:
    results = run_checks(exchange("get", status=503, body=None, content=b""), CTX)
    by_name = {entry.name: v for entry, v in results}
    # A GET reads the log back: no rule about PATCH bodies, keys or unknown logs applies.
    judged = {entry.name: o for entry, o in judge(exchange("get", status=503, body=None), CTX)}
    assert set(judged) == {
        "content_type_json",
        "get_agrees_with_patch",
        "no_secret_echoed",
        "not_a_server_error",
        "prompt_log_returned",
        "response_matches_union",
        "response_size_bounded",
        "status_code_documented",
        "validation_error_shape",
    }
    # A 503 is judged only by the rules about any status; the rest do not apply to it.
    assert set(by_name) == {"not_a_server_error", "no_secret_echoed", "response_size_bounded"}
    assert isinstance(by_name["not_a_server_error"], ServerError)


def test_get_kinds_are_not_judged_as_patches() -> None:
    for kind in GET_KINDS:
        names = {entry.name for entry, _ in run_checks(exchange(kind), CTX)}
        assert not names & {"valid_body_accepted", "patched_fields_applied", "auth_enforced"}
        assert {"response_matches_union", "prompt_log_returned"} <= names
        assert kind not in PATCH_KINDS and kind in LOG_KINDS


def test_near_miss_auth_is_judged_like_a_wrong_key() -> None:
    def judged(kind: ExchangeKind) -> set[str]:
        return {entry.name for entry, _ in run_checks(exchange(kind, status=401), CTX)}

    assert judged("auth_near_miss") == judged("auth_wrong")
    assert {"auth_missing", "auth_wrong", "auth_near_miss"} == AUTH_KINDS


def test_check_record_is_callable() -> None:
    entry = CHECKS[0]
    assert isinstance(entry, Check)
    with pytest.raises(Violation):
        entry(exchange(status=500, body=None, content=b""), CTX)

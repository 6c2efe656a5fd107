"""summary.json: schema-valid for every verdict, and the schema has teeth."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from promptlog_contract.reporting import (
    InvalidSummary,
    summary_dict,
    validate_summary,
    write_reports,
)
from promptlog_contract.types import RunResult

KILL_MATRIX: dict[str, Any] = {
    "faults": {
        "drop_metadata": {
            "doc": "PATCH clears metadata it was not sent",
            "caught_by": ["omitted_fields_unchanged"],
            "first_detection_s": 0.42,
            "peers": {"schemathesis": {"caught": False, "checks": []}},
        }
    },
    "faithful": {"failures": 0, "warnings": 0},
    "rules": ["response_matches_union", "omitted_fields_unchanged"],
}


def test_passing_summary_is_schema_valid(passing_result: RunResult) -> None:
    summary = summary_dict(passing_result)
    validate_summary(summary)
    assert (summary["verdict"], summary["exit_code"]) == ("pass", 0)
    assert summary["totals"]["failed_rules"] == 0
    assert summary["coverage_gaps"] == []


def test_failing_summary_is_schema_valid(failing_result: RunResult) -> None:
    summary = summary_dict(failing_result, kill_matrix=KILL_MATRIX)
    validate_summary(summary)
    assert (summary["verdict"], summary["exit_code"]) == ("fail", 1)
    assert summary["totals"] == {
        "rules": 5,
        "passed_rules": 1,
        "failed_rules": 2,
        "warned_rules": 1,
        "skipped_rules": 1,
        "errors": 0,
        "failure_occurrences": 2,
        "failures": 2,
        "warnings": 1,
        "baselined": 0,
    }
    assert [f["id"] for f in summary["failures"]] == ["F1", "F2"]
    assert summary["kill_matrix"]["faults"]["drop_metadata"]["caught_by"]


def test_unhealthy_summary_is_schema_valid(unhealthy_result: RunResult) -> None:
    summary = summary_dict(unhealthy_result)
    validate_summary(summary)
    assert (summary["verdict"], summary["exit_code"]) == ("unhealthy", 3)
    assert summary["totals"]["errors"] == 1
    assert summary["phases"]["stopped"] == "circuit breaker open"  # runners write strings too


def test_summary_lists_never_exercised_variants(failing_result: RunResult) -> None:
    summary = summary_dict(failing_result)
    assert summary["coverage_gaps"] == [{"dimension": "tool_choice", "variant": "function"}]


def test_rule_that_judged_nothing_is_skipped_not_passed(failing_result: RunResult) -> None:
    assert summary_dict(failing_result)["rules"]["repeat_is_stable"]["status"] == "skip"


def test_rule_named_only_by_a_finding_is_listed(
    passing_result: RunResult, make_finding: Any
) -> None:
    passing_result.findings.append(make_finding(rule="get_agrees_with_patch"))
    summary = summary_dict(passing_result)
    assert summary["rules"]["get_agrees_with_patch"]["status"] == "fail"
    validate_summary(summary)


def test_written_summary_matches_summary_dict(failing_result: RunResult, tmp_path: Path) -> None:
    paths = write_reports(failing_result, tmp_path / "reports")
    written = json.loads(paths["summary"].read_text(encoding="utf-8"))
    validate_summary(written)
    assert written == json.loads(json.dumps(summary_dict(failing_result)))


@pytest.mark.parametrize(
    ("mutation", "complaint"),
    [
        (lambda s: s.update(verdict="maybe"), "verdict"),
        (lambda s: s.pop("totals"), "totals"),
        (lambda s: s.pop("coverage_gaps"), "coverage_gaps"),
        (lambda s: s.update(exit_code=0), "exit_code"),
        (lambda s: s.update(surprise=True), "surprise"),
        (lambda s: s["failures"][0].update(level="warning"), "failure"),
        (lambda s: s["rules"]["auth_enforced"].update(status="ok"), "status"),
        (lambda s: s.update(started_at="yesterday"), "date-time"),
        (lambda s: s.update(target_url="https://user:key@example.test"), "target_url"),
    ],
)
def test_schema_rejects_a_broken_summary(
    failing_result: RunResult, mutation: Any, complaint: str
) -> None:
    summary = copy.deepcopy(summary_dict(failing_result))
    mutation(summary)
    with pytest.raises(InvalidSummary) as info:
        validate_summary(summary)
    assert "\n" not in str(info.value)
    assert complaint in str(info.value)


@pytest.mark.parametrize(
    "mutation",
    [
        lambda s: s["totals"].update(failures=0),
        lambda s: s["totals"].update(failed_rules=3),
        lambda s: s["failures"].pop(),
        lambda s: s["rules"]["auth_enforced"].update(status="fail"),
    ],
)
def test_cross_check_rejects_counts_that_disagree(failing_result: RunResult, mutation: Any) -> None:
    summary = copy.deepcopy(summary_dict(failing_result))
    mutation(summary)
    with pytest.raises(InvalidSummary, match="inconsistent"):
        validate_summary(summary)


def test_pass_verdict_with_failures_is_rejected(failing_result: RunResult) -> None:
    summary = copy.deepcopy(summary_dict(failing_result))
    summary.update(verdict="pass", exit_code=0)
    with pytest.raises(InvalidSummary):
        validate_summary(summary)

"""junit.xml: parses, and says exactly what summary.json says."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest

from promptlog_contract.reporting import junit_counts, write_reports
from promptlog_contract.types import RunResult


def _write(result: RunResult, tmp_path: Path) -> tuple[dict[str, Any], Path]:
    paths = write_reports(result, tmp_path / "reports")
    return json.loads(paths["summary"].read_text(encoding="utf-8")), paths["junit"]


@pytest.mark.parametrize("name", ["passing_result", "failing_result", "unhealthy_result"])
def test_junit_counts_agree_with_summary(
    name: str, request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    result: RunResult = request.getfixturevalue(name)
    summary, junit = _write(result, tmp_path)
    totals = summary["totals"]
    assert junit_counts(junit) == {
        "tests": totals["rules"] + totals["errors"],
        "failures": totals["failed_rules"],
        "errors": totals["errors"],
        "skipped": totals["skipped_rules"],
    }


def test_failed_rule_lists_each_failure_with_reproducer(
    failing_result: RunResult, tmp_path: Path
) -> None:
    _, junit = _write(failing_result, tmp_path)
    cases = {c.get("name"): c for c in ET.parse(junit).getroot().iter("testcase")}
    failure = cases["response_matches_union"].find("failure")
    assert failure is not None
    assert failure.get("type") == "UnionMismatch"
    text = failure.text or ""
    assert "'id' is a required property" in text
    assert "PATCH http://127.0.0.1:8765/v5/prompts/pr_1/log/log_1" in text
    assert "response:  200" in text
    assert "curl -X PATCH" in text
    assert cases["response_matches_union"].get("classname") == "promptlog_contract.engine"
    assert cases["omitted_fields_unchanged"].get("classname") == "promptlog_contract.rules"


def test_warnings_go_to_system_out_not_failures(failing_result: RunResult, tmp_path: Path) -> None:
    _, junit = _write(failing_result, tmp_path)
    case = next(
        c
        for c in ET.parse(junit).getroot().iter("testcase")
        if c.get("name") == "invalid_body_rejected"
    )
    assert case.find("failure") is None
    assert "lax-coercible body was accepted" in (case.findtext("system-out") or "")


def test_unhealthy_target_is_an_error_testcase(unhealthy_result: RunResult, tmp_path: Path) -> None:
    _, junit = _write(unhealthy_result, tmp_path)
    case = next(
        c for c in ET.parse(junit).getroot().iter("testcase") if c.get("name") == "target_health"
    )
    error = case.find("error")
    assert error is not None
    assert "connection refused" in (error.get("message") or "")


def test_baselined_only_rule_passes_and_says_so(failing_result: RunResult, tmp_path: Path) -> None:
    failing_result.findings[0].baselined = True
    summary, junit = _write(failing_result, tmp_path)
    case = next(
        c
        for c in ET.parse(junit).getroot().iter("testcase")
        if c.get("name") == "response_matches_union"
    )
    assert case.find("failure") is None
    assert "accepted by the baseline" in (case.findtext("system-out") or "")
    assert junit_counts(junit)["failures"] == summary["totals"]["failed_rules"] == 1


def test_control_characters_leave_valid_xml(
    failing_result: RunResult, make_finding: Any, tmp_path: Path
) -> None:
    failing_result.findings.append(
        make_finding(id="F3", message="bad \x00 byte \x1b[31m and \ufffe", curl="curl \x07")
    )
    _, junit = _write(failing_result, tmp_path)
    root = ET.parse(junit).getroot()  # raises on invalid XML
    assert "\\x00" in ET.tostring(root, encoding="unicode")


def test_junit_counts_catches_declared_counts_that_lie(tmp_path: Path) -> None:
    path = tmp_path / "junit.xml"
    path.write_text(
        '<testsuites><testsuite tests="2" failures="0" errors="0" skipped="0">'
        '<testcase name="a"><failure message="x"/></testcase><testcase name="b"/>'
        "</testsuite></testsuites>",
        encoding="utf-8",
    )
    with pytest.raises(ValueError, match="disagree"):
        junit_counts(path)

"""report.html: self-contained, escaped, and shows what a reader needs first."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from promptlog_contract.reporting import render_html, summary_dict, write_reports
from promptlog_contract.types import RunResult

KILL_MATRIX: dict[str, Any] = {
    "faults": {
        "drop_metadata": {
            "doc": "PATCH clears metadata it was not sent",
            "caught_by": ["omitted_fields_unchanged"],
            "first_detection_s": 0.42,
            "peers": {"schemathesis": {"caught": False}},
        },
        "wrong_member": {
            "doc": "returns a ToolLogResponse",
            "caught_by": [],
            "first_detection_s": None,
            "peers": {"schemathesis": {"caught": True, "check": "response_schema_conformance"}},
        },
    },
    "faithful": {"failures": 0},
    "rules": ["response_matches_union", "omitted_fields_unchanged"],
}
_ATTR_URL = re.compile(r"""\b(?:src|href)\s*=\s*["']?\s*(?:https?:)?//""", re.IGNORECASE)


def _html(result: RunResult, tmp_path: Path, **kwargs: Any) -> str:
    return write_reports(result, tmp_path / "reports", **kwargs)["html"].read_text(encoding="utf-8")


def test_html_shows_verdict_failure_and_never_exercised_cell(
    failing_result: RunResult, tmp_path: Path
) -> None:
    page = _html(failing_result, tmp_path)
    assert 'class="banner fail"' in page
    assert ">FAIL<" in page
    assert "omitted_fields_unchanged" in page
    assert "metadata changed although the PATCH did not send it" in page
    never = re.findall(r'<div class="cell never"[^>]*>.*?</div>', page)
    assert len(never) == 1 and "function" in never[0] and "never exercised" in never[0]
    assert "$HUMANLOOP_API_KEY" in page  # the curl reproducer is there, runnable


def test_findings_come_first_with_copy_and_replay(
    failing_result: RunResult, tmp_path: Path
) -> None:
    page = _html(failing_result, tmp_path, kill_matrix=KILL_MATRIX)
    assert page.index('id="failures"') < page.index('id="rules"') < page.index('id="coverage"')
    first = failing_result.failures[0].id
    assert f'data-copy="curl-{first}"' in page and f'id="curl-{first}"' in page
    assert f"promptlog-contract replay {first}" in page


def test_html_is_self_contained(failing_result: RunResult, tmp_path: Path) -> None:
    page = _html(failing_result, tmp_path, kill_matrix=KILL_MATRIX)
    assert not _ATTR_URL.search(page)
    # One script only, the copy button's, allowed by its hash and by nothing wider.
    from promptlog_contract.reporting._html_findings import COPY_HASH, COPY_SCRIPT

    assert page.lower().count("<script") == 1
    assert f"<script>{COPY_SCRIPT}</script>" in page
    assert f"script-src '{COPY_HASH}'" in page
    assert "unsafe-inline'; script-src 'unsafe" not in page
    assert "fetch(" not in page and "XMLHttpRequest" not in page
    assert "url(" not in page
    assert "@import" not in page
    assert "default-src 'none'" in page


@pytest.mark.parametrize(
    ("name", "banner"),
    [("passing_result", "PASS"), ("unhealthy_result", "UNHEALTHY")],
)
def test_banner_names_each_verdict(
    name: str, banner: str, request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    result: RunResult = request.getfixturevalue(name)
    page = _html(result, tmp_path)
    assert f'<div class="verdict">{banner}</div>' in page
    if result.unhealthy:
        assert "connection refused" in page


def test_everything_is_escaped(
    failing_result: RunResult, make_finding: Any, tmp_path: Path
) -> None:
    failing_result.findings.append(
        make_finding(
            id="XSS",
            rule="status_code_documented",
            message='<script>alert("x")</script>',
            response={"status": 500, "headers": {}, "body": "<img src=x onerror=alert(1)>"},
        )
    )
    page = _html(failing_result, tmp_path)
    assert '<script>alert("x")' not in page and "<img" not in page
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in page


def test_long_bodies_are_truncated(
    failing_result: RunResult, make_finding: Any, tmp_path: Path
) -> None:
    failing_result.findings.append(
        make_finding(
            id="BIG",
            request={
                "method": "PATCH",
                "url": "http://127.0.0.1/x",
                "body": {"output": "y" * 20_000},
            },
        )
    )
    page = _html(failing_result, tmp_path)
    assert "more characters]" in page
    assert "y" * 5_000 not in page


def test_kill_matrix_marks_catches_and_peers(failing_result: RunResult, tmp_path: Path) -> None:
    page = _html(failing_result, tmp_path, kill_matrix=KILL_MATRIX)
    assert 'id="kill-matrix"' in page
    assert "1 of 2 seeded faults caught" in page
    assert '<td class="hit" title="caught">✔</td>' in page
    assert "✘ missed" in page and "✔ caught" in page
    assert "0.42 s" in page
    assert "Faithful mock passes" in page


@pytest.mark.parametrize(
    "kill",
    [
        {},
        {"faults": "not a mapping"},
        {"faults": {"f": 5, "g": {"caught_by": "x", "peers": [1], "first_detection_s": "soon"}}},
        {"faults": {"f": {"peers": {"p": None, "q": "yes"}}}, "faithful": {"failures": "?"}},
    ],
)
def test_kill_matrix_of_odd_shape_still_renders(failing_result: RunResult, kill: Any) -> None:
    page = render_html(summary_dict(failing_result, kill_matrix=kill))
    assert 'id="kill-matrix"' in page


def test_baseline_section_lists_expired_and_stale(failing_result: RunResult) -> None:
    entry = {"rule": "r", "fingerprint": "fp", "owner": "ana", "expires": "2020-01-01"}
    failing_result.baseline = {
        "file": "baseline.yaml",
        "matched": [],
        "expired": [entry],
        "stale": [dict(entry, owner="bo", expires="2099-01-01")],
    }
    page = render_html(summary_dict(failing_result))
    assert "Expired (1)" in page and "Stale (1)" in page and "ana" in page and "bo" in page

"""The known-failure baseline: accepted, expired and stale entries, and bad files."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import yaml

from promptlog_contract.reporting import (
    BaselineError,
    apply_baseline,
    baseline_from_summary,
    load_baseline,
    summary_dict,
    validate_summary,
)
from promptlog_contract.types import RunResult

TODAY = date(2026, 11, 26)


def _file(tmp_path: Path, entries: list[dict[str, Any]], name: str = "baseline.yaml") -> Path:
    path = tmp_path / name
    data = {"version": 1, "entries": entries}
    text = json.dumps(data) if name.endswith(".json") else yaml.safe_dump(data)
    path.write_text(text, encoding="utf-8")
    return path


def _entry(
    rule: str, fingerprint: str, expires: str = "2026-12-31", **extra: Any
) -> dict[str, Any]:
    return {"rule": rule, "fingerprint": fingerprint, "owner": "ana", "expires": expires, **extra}


def test_listed_failures_pass_the_gate(failing_result: RunResult, tmp_path: Path) -> None:
    path = _file(
        tmp_path,
        [
            _entry("response_matches_union", "fp-union-1", reason="HL-123"),
            _entry("omitted_fields_unchanged", "fp-omitted-1"),
        ],
    )
    apply_baseline(failing_result, load_baseline(path), today=TODAY)
    assert failing_result.exit_code == 0
    summary = summary_dict(failing_result)
    validate_summary(summary)
    assert summary["verdict"] == "pass"
    assert summary["totals"]["baselined"] == 2
    assert summary["rules"]["response_matches_union"]["status"] == "pass"
    assert [e["findings"] for e in summary["baseline"]["matched"]] == [["F1"], ["F2"]]


def test_one_listed_failure_leaves_the_other_failing(
    failing_result: RunResult, tmp_path: Path
) -> None:
    path = _file(tmp_path, [_entry("response_matches_union", "fp-union-1")])
    apply_baseline(failing_result, load_baseline(path), today=TODAY)
    assert failing_result.exit_code == 1
    assert [f.id for f in failing_result.failures] == ["F2"]


def test_expired_entry_fails_the_gate(failing_result: RunResult, tmp_path: Path) -> None:
    path = _file(
        tmp_path,
        [
            _entry("response_matches_union", "fp-union-1", expires="2026-11-25"),
            _entry("omitted_fields_unchanged", "fp-omitted-1"),
        ],
    )
    apply_baseline(failing_result, load_baseline(path), today=TODAY)
    assert failing_result.exit_code == 1
    # Reported as an expired entry, not as a new failure.
    assert [f.id for f in failing_result.failures] == []
    assert failing_result.baseline is not None
    assert [e["rule"] for e in failing_result.baseline["expired"]] == ["response_matches_union"]
    assert failing_result.baseline["expired"][0]["findings"] == ["F1"]
    validate_summary(summary_dict(failing_result))


def test_expired_entry_fails_the_gate_even_when_fixed(
    passing_result: RunResult, tmp_path: Path
) -> None:
    path = _file(tmp_path, [_entry("response_matches_union", "gone", expires="2026-01-01")])
    apply_baseline(passing_result, load_baseline(path), today=TODAY)
    assert passing_result.exit_code == 1
    summary = summary_dict(passing_result)
    validate_summary(summary)
    assert summary["verdict"] == "fail"


def test_entry_is_valid_through_its_expiry_day(failing_result: RunResult, tmp_path: Path) -> None:
    path = _file(
        tmp_path,
        [
            _entry("response_matches_union", "fp-union-1", expires=TODAY.isoformat()),
            _entry("omitted_fields_unchanged", "fp-omitted-1", expires=TODAY.isoformat()),
        ],
    )
    apply_baseline(failing_result, load_baseline(path), today=TODAY)
    assert failing_result.exit_code == 0


def test_stale_entry_is_reported_not_failing(passing_result: RunResult, tmp_path: Path) -> None:
    path = _file(tmp_path, [_entry("omitted_fields_unchanged", "fp-fixed")], name="b.json")
    apply_baseline(passing_result, load_baseline(path), today=TODAY)
    assert passing_result.exit_code == 0
    assert passing_result.baseline is not None
    assert [e["fingerprint"] for e in passing_result.baseline["stale"]] == ["fp-fixed"]
    validate_summary(summary_dict(passing_result))


def test_unquoted_yaml_dates_are_accepted(tmp_path: Path) -> None:
    path = tmp_path / "b.yml"
    path.write_text(
        "version: 1\nentries:\n- {rule: r, fingerprint: f, owner: o, expires: 2027-01-31}\n",
        encoding="utf-8",
    )
    assert load_baseline(path).entries[0].expires == date(2027, 1, 31)


@pytest.mark.parametrize(
    ("content", "name", "complaint"),
    [
        (
            {"version": 1, "entries": [{"rule": "r", "fingerprint": "f", "expires": "2027-01-01"}]},
            "b.yaml",
            "owner is missing",
        ),
        (
            {"version": 1, "entries": [{"rule": "r", "fingerprint": "f", "owner": "o"}]},
            "b.yaml",
            "expires is missing",
        ),
        (
            {"version": 1, "entries": [_entry("r", "f", expires="2027-13-01")]},
            "b.json",
            "not a date",
        ),
        (
            {"version": 1, "entries": [_entry("r", "f", expires="31/12/2027")]},
            "b.json",
            "not a date",
        ),
        ({"version": 1, "entries": [{**_entry("r", "f"), "owner": " "}]}, "b.json", "owner"),
        ({"version": 1, "entries": [_entry("r", "f"), _entry("r", "f")]}, "b.json", "duplicate"),
        ({"version": 1, "entries": [{**_entry("r", "f"), "expiry": "x"}]}, "b.json", "unknown"),
        ({"version": 2, "entries": []}, "b.json", "version"),
        ({"version": 1, "entries": {"r": "f"}}, "b.json", "list"),
        ([1, 2], "b.json", "mapping"),
        ("entries: [oops", "b.yaml", "not valid YAML"),
        ("{", "b.json", "not valid JSON"),
        ({"version": 1, "entries": []}, "b.toml", "unknown baseline format"),
    ],
)
def test_bad_baseline_gives_one_clear_line(
    tmp_path: Path, content: Any, name: str, complaint: str
) -> None:
    path = tmp_path / name
    path.write_text(content if isinstance(content, str) else json.dumps(content), encoding="utf-8")
    with pytest.raises(BaselineError) as info:
        load_baseline(path)
    assert complaint in str(info.value)
    assert "\n" not in str(info.value)


def test_missing_baseline_file_is_a_baseline_error(tmp_path: Path) -> None:
    with pytest.raises(BaselineError, match="cannot read"):
        load_baseline(tmp_path / "absent.yaml")


@pytest.mark.parametrize("name", ["baseline.yaml", "baseline.json"])
def test_baseline_from_summary_round_trips(
    failing_result: RunResult, make_finding: Any, tmp_path: Path, name: str
) -> None:
    # a second sighting of F1 (same rule and fingerprint) must give one entry
    failing_result.findings.append(make_finding(id="F1b"))
    generated = baseline_from_summary(
        summary_dict(failing_result), owner="team-api", expires=date(2027, 1, 15)
    )
    path = tmp_path / name
    text = json.dumps(generated) if name.endswith(".json") else yaml.safe_dump(generated)
    path.write_text(text, encoding="utf-8")
    loaded = load_baseline(path)
    assert [e.to_dict() for e in loaded.entries] == generated["entries"]
    assert [(e.rule, e.fingerprint) for e in loaded.entries] == [
        ("response_matches_union", "fp-union-1"),
        ("omitted_fields_unchanged", "fp-omitted-1"),
    ]
    assert {e.owner for e in loaded.entries} == {"team-api"}
    apply_baseline(failing_result, loaded, today=TODAY)
    assert failing_result.exit_code == 0

"""Merging workers' tallies, the verdict, and the reports with their load section (no Locust)."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path
from typing import Any

import pytest

from promptlog_contract import cli
from promptlog_contract.load import _command
from promptlog_contract.load._master import LoadSettings, merge
from promptlog_contract.load._report import throughput_svg, write_load_reports
from promptlog_contract.reporting import validate_summary
from promptlog_contract.types import RunResult

SECRET = "load-secret-key-0123456789"
SETTINGS = LoadSettings(users=4, spawn_rate=4, run_time_s=10, expected_workers=2)


def _finding(rule: str, fp: str) -> dict[str, Any]:
    return {
        "id": "F001", "rule": rule, "violation": "OmittedFieldChanged", "level": "failure",
        "message": "a field that was not sent changed", "kind": "valid", "phase": "load",
        "request": {"method": "PATCH", "url": "http://127.0.0.1/v5/x", "headers": {},
                    "body": "{}"},
        "response": {"status": 200, "headers": {}, "body": "{}", "elapsed_ms": 1.0},
        "curl": "curl -X PATCH http://127.0.0.1/v5/x", "fingerprint": fp,
    }  # fmt: skip


def _worker(index: int, *, final: bool, findings: list[dict[str, Any]]) -> dict[str, Any]:
    failed = len(findings)
    snapshot = {
        "rules": {"omitted_fields_unchanged": {"passed": 10, "failed": failed, "warned": 0},
                  "concurrent_patches_merge": {"passed": 3, "failed": 0, "warned": 0}},
        "findings": findings, "coverage": {"status": {"200": {"sent": 5, "observed": 5}}},
        "by_status": {"200": 20, "422": 5}, "first_failure_s": {}, "logs": [f"log{index}"],
    }  # fmt: skip
    return {"index": index, "final": final, "logs": [f"log{index}"], "snapshot": snapshot}


def _state(**extra: Any) -> dict[str, Any]:
    same, other = (_finding("omitted_fields_unchanged", fp) for fp in ("fp1", "fp2"))
    return {
        "started": 1000.0,
        "unhealthy": None,
        "workers": {
            "a": _worker(0, final=True, findings=[same]),
            "b": _worker(1, final=False, findings=[same, other]),
        },
        "stats": {
            "total": {"requests": 50, "failures": 3, "p50_ms": 5.0, "p95_ms": 9.0, "p99_ms": 40.0},
            "phases": {"valid": {"requests": 50, "failures": 3, "p50_ms": 5.0, "p95_ms": 9.0,
                                 "p99_ms": 40.0}},
            "per_second": {"1001": [20, 1], "1002": [30, 2], "1004": [10, 0]},
        },
        **extra,
    }  # fmt: skip


def _result() -> RunResult:
    return RunResult(target_url="http://127.0.0.1:1/v5", seed=0, profile="load", strict=False,
                     started_at="2026-01-01T00:00:00+00:00")  # fmt: skip


def test_merge_sums_workers_and_keeps_each_finding_once() -> None:
    result = _result()
    load = merge(_state(), result, SETTINGS)
    assert result.rules["omitted_fields_unchanged"].passed == 20
    assert result.rules["omitted_fields_unchanged"].failed == 3
    assert [(f.id, f.fingerprint) for f in result.findings] == [("F001", "fp1"), ("F002", "fp2")]
    assert result.requests_sent == 50 and result.exit_code == 1
    assert load["workers"] == {"expected": 2, "reported": 2, "lost": [1]}
    assert load["scratch_logs"]["by_worker"] == {"0": ["log0"], "1": ["log1"]}
    assert load["throughput"] == [  # from the start, and a silent second is a zero
        [0.0, 0.0, 0.0], [1.0, 20.0, 1.0], [2.0, 30.0, 2.0], [3.0, 0.0, 0.0], [4.0, 10.0, 0.0]
    ]  # fmt: skip


def test_missed_p99_is_unhealthy_apart_from_violations() -> None:
    result = _result()
    settings = LoadSettings(users=4, spawn_rate=4, run_time_s=10, expected_workers=2, p99_ms=25)
    load = merge(_state(), result, settings)
    assert load["latency_objective"] == {"p99_ms": 25, "measured_p99_ms": 40.0, "met": False}
    assert result.unhealthy is not None and "p99 40 ms > 25 ms" in result.unhealthy
    assert result.exit_code == 3 and result.failures  # violations still listed


def test_met_p99_passes() -> None:
    result = _result()
    settings = LoadSettings(users=4, spawn_rate=4, run_time_s=10, expected_workers=2, p99_ms=50)
    state = _state()
    for worker in state["workers"].values():
        worker["snapshot"]["findings"] = []
        worker["snapshot"]["rules"]["omitted_fields_unchanged"]["failed"] = 0
    merge(state, result, settings)
    assert result.exit_code == 0


def test_no_worker_reporting_is_unhealthy() -> None:
    result = _result()
    merge({"workers": {}, "stats": {}}, result, SETTINGS)
    assert result.exit_code == 3 and "no worker reported" in str(result.unhealthy)


def test_reports_match_the_schema_and_hold_no_secret(tmp_path: Path) -> None:
    result = _result()
    state = _state()
    state["workers"]["a"]["snapshot"]["findings"][0]["message"] = f"echoed {SECRET}"
    load = merge(state, result, SETTINGS)
    load["scratch_logs"].update(deleted=2, problems=[])
    paths = write_load_reports(result, load, tmp_path, secrets=[SECRET])
    summary = json.loads(paths["summary"].read_text())
    validate_summary(summary)
    assert summary["load"]["requests"] == 50
    page = paths["html"].read_text()
    assert 'id="load"' in page and "<polyline" in page
    for path in paths.values():
        assert SECRET not in path.read_text()


def test_throughput_chart_scales_to_its_box() -> None:
    svg = throughput_svg([[0.0, 10.0, 0.0], [5.0, 40.0, 4.0]])
    assert svg.count("<polyline") == 2 and "40 req/s" in svg and "5 s" in svg
    assert "No throughput" in throughput_svg([])


def test_load_without_the_extra_is_one_line_usage_error(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(importlib.util, "find_spec", lambda name: None)
    assert cli.main(["load", "--run-time", "1s"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.endswith(_command.MISSING_EXTRA) and len(err.splitlines()) == 1

"""Findings are reproducers: a curl line without the key, a deterministic/flaky label,
a shrunk body, and `replay` that re-creates one on a fresh log and re-judges it.

The faulty run uses an existing log (`--prompt-id/--log-id`), as on staging;
a run on scratch logs replays as well, since replay makes its own log.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from promptlog_contract.cli import main
from promptlog_contract.engine import RunConfig, run
from promptlog_contract.engine._recorder import Recorder
from promptlog_contract.mock import running_mock
from promptlog_contract.types import Exchange, Finding, Violation

KEY = "repro-key-Zq9/x+y"
FAULTS = ("status_400_for_validation", "auth_optional")


@dataclass(frozen=True)
class FaultyRun:
    base_url: str
    report_dir: Path
    failures: list[dict[str, Any]]

    def finding(self, rule: str, kind: str) -> dict[str, Any]:
        for failure in self.failures:
            if failure["rule"] == rule and failure["signature"]["kind"] == kind:
                return failure
        raise AssertionError(f"no {kind} failure of {rule}: {[f['rule'] for f in self.failures]}")


def existing_log(base_url: str) -> tuple[str, str]:
    """A log made outside the suite, which its cleanup leaves alone: (prompt id, log id)."""
    response = httpx.post(
        f"{base_url}/prompts/log",
        headers={"X-API-KEY": KEY},
        json={"path": "engine-tests/repro", "prompt": {"model": "gpt-4o"}, "output": "x"},
    )
    response.raise_for_status()
    return response.json()["prompt_id"], response.json()["id"]


@pytest.fixture(scope="module")
def faulty_run(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FaultyRun]:
    """A run against a mock with two faults, the mock kept running for `replay`."""
    report_dir = tmp_path_factory.mktemp("faulty")
    with running_mock(api_keys=(KEY,), faults=FAULTS) as base_url:
        prompt_id, log_id = existing_log(base_url)
        code = main(
            [
                *("run", "--base-url", base_url, "--api-key", KEY),
                *("--prompt-id", prompt_id, "--log-id", log_id),
                *("--report-dir", str(report_dir), "--quiet"),
                *("--max-examples", "10", "--no-schemathesis"),
            ]
        )
        assert code == 1
        summary = json.loads((report_dir / "summary.json").read_text("utf-8"))
        yield FaultyRun(base_url, report_dir, summary["failures"])


def replay(run: FaultyRun, finding_id: str, base_url: str) -> int:
    return main(
        [
            *("replay", finding_id, "--report-dir", str(run.report_dir)),
            *("--api-key", KEY, "--base-url", base_url),
        ]
    )


@pytest.mark.socket
def test_reproducer_redacts_key_holds(faulty_run: FaultyRun) -> None:
    finding = faulty_run.finding("status_code_documented", "body")
    assert "X-API-KEY: [REDACTED]" in finding["curl"]
    assert finding["request"]["headers"]["X-API-KEY"] == "[REDACTED]"
    assert finding["curl"].startswith("curl ")
    assert finding["reproducibility"] == "deterministic"
    for failure in faulty_run.failures:
        assert KEY not in json.dumps(failure)
        # Every distinct finding is minimised and re-run from a fresh log.
        assert failure["reproducibility"] == "deterministic", failure["id"]
        assert "$HUMANLOOP_API_KEY" in failure["reproducer"]["curl"]
        assert 'os.environ["HUMANLOOP_API_KEY"]' in failure["reproducer"]["python"]
        assert failure["replay"] == f"promptlog-contract replay {failure['id']}"


@pytest.mark.socket
@pytest.mark.parametrize(
    ("rule", "kind"), [("status_code_documented", "body"), ("auth_enforced", "auth_missing")]
)
def test_replay_catches_still_failing(
    faulty_run: FaultyRun, rule: str, kind: str, capsys: pytest.CaptureFixture[str]
) -> None:
    finding = faulty_run.finding(rule, kind)
    assert replay(faulty_run, finding["id"], faulty_run.base_url) == 1
    out = capsys.readouterr().out
    assert "still fails" in out
    assert KEY not in out


@pytest.mark.socket
@pytest.mark.parametrize(
    ("rule", "kind"), [("status_code_documented", "body"), ("auth_enforced", "auth_missing")]
)
def test_replay_holds_on_faithful_mock(
    faulty_run: FaultyRun, rule: str, kind: str, capsys: pytest.CaptureFixture[str]
) -> None:
    finding = faulty_run.finding(rule, kind)
    with running_mock(api_keys=(KEY,)) as faithful:
        assert replay(faulty_run, finding["id"], faithful) == 0
    assert "no longer fails" in capsys.readouterr().out


@pytest.mark.socket
def test_shrunk_body_holds(monkeypatch: pytest.MonkeyPatch) -> None:
    first_found: dict[str, int] = {}
    original = Recorder.replace_exchange

    def remember(
        self: Recorder, finding: Finding, exchange: Exchange, violation: Violation
    ) -> None:
        first_found.setdefault(finding.id, len(finding.request["body"] or ""))
        original(self, finding, exchange, violation)

    monkeypatch.setattr(Recorder, "replace_exchange", remember)
    result = run(
        RunConfig(mock_faults=("ignore_metadata",), max_examples=20, seed=0, schemathesis=False)
    )
    # A concurrent round with `metadata` fails the rule too; the shrunk one is the body's.
    [finding] = [
        f for f in result.failures if f.rule == "patched_fields_applied" and f.kind == "valid"
    ]
    assert finding.id in first_found, "the failure was not shrunk"
    assert finding.reproducibility == "deterministic"
    body = json.loads(finding.request["body"])
    assert "metadata" in body
    assert len(finding.request["body"]) <= first_found[finding.id]
    assert len(finding.request["body"]) <= 120, finding.request["body"]
    assert finding.request["body"] in finding.curl


@pytest.mark.socket
def test_replay_catches_auth_optional_on_scratch_log(tmp_path: Path) -> None:
    with running_mock(api_keys=(KEY,), faults=("auth_optional",)) as base_url:
        code = main(
            [
                *("run", "--base-url", base_url, "--api-key", KEY),
                *("--report-dir", str(tmp_path), "--quiet"),
                *("--max-examples", "10", "--no-schemathesis"),
            ]
        )
        assert code == 1
        failures = json.loads((tmp_path / "summary.json").read_text("utf-8"))["failures"]
        [finding] = [f for f in failures if f["rule"] == "auth_enforced"]
        code = main(
            [
                *("replay", finding["id"], "--report-dir", str(tmp_path)),
                *("--api-key", KEY, "--base-url", base_url),
            ]
        )
    assert code == 1

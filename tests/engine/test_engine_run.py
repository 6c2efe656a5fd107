"""`run` against the bundled mock: a faithful mock passes, the reports agree, no secret leaks.

These go through `main`, the way CI calls the suite, so the exit code, the
report files and what is printed are all checked as a user sees them.
"""

from __future__ import annotations

import html
import json
from collections.abc import Iterator
from contextlib import redirect_stderr, redirect_stdout
from dataclasses import dataclass
from io import StringIO
from pathlib import Path
from typing import Any
from urllib.parse import quote, quote_plus

import httpx
import pytest

from promptlog_contract.cli import main
from promptlog_contract.engine import RunConfig, run
from promptlog_contract.mock import running_mock
from promptlog_contract.reporting import junit_counts, validate_summary

#: A key with characters that change under URL, JSON and HTML escaping.
SECRET = "hl_sk_Eng1ne/T3st+k=y&v<x>"


@dataclass(frozen=True)
class CliRun:
    code: int
    report_dir: Path
    out: str

    @property
    def summary(self) -> dict[str, Any]:
        data: dict[str, Any] = json.loads((self.report_dir / "summary.json").read_text("utf-8"))
        return data


def cli_run(report_dir: Path, *args: str) -> CliRun:
    """`main(["run", ...])` with stdout and stderr captured together."""
    buffer = StringIO()
    with redirect_stdout(buffer), redirect_stderr(buffer):
        code = main(["run", "--report-dir", str(report_dir), "--quiet", *args])
    return CliRun(code, report_dir, buffer.getvalue())


def secret_forms(secret: str) -> list[bytes]:
    """The secret as it would appear raw, URL-, JSON- or HTML-encoded."""
    forms = {
        secret,
        quote(secret, safe=""),
        quote_plus(secret),
        json.dumps(secret)[1:-1],
        html.escape(secret),
        html.escape(secret, quote=False),
    }
    return sorted(form.encode() for form in forms)


def leaks(report_dir: Path, secret: str) -> list[str]:
    """Every file under report_dir holding some form of the secret, with the form."""
    found = []
    for path in sorted(p for p in report_dir.rglob("*") if p.is_file()):
        data = path.read_bytes()
        found += [f"{path.name}: {form!r}" for form in secret_forms(secret) if form in data]
    return found


@pytest.fixture(scope="module")
def faithful_runs(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[CliRun, CliRun]]:
    """The default suite (Schemathesis phase on), twice with the same seed."""
    base = tmp_path_factory.mktemp("faithful")
    args = ("--max-examples", "20", "--seed", "7", "--api-key", SECRET)
    yield cli_run(base / "a", *args), cli_run(base / "b", *args)


@pytest.mark.socket
def test_faithful_mock_passes_holds(faithful_runs: tuple[CliRun, CliRun]) -> None:
    first, _ = faithful_runs
    assert first.code == 0, first.out
    summary = first.summary
    validate_summary(summary)
    assert summary["verdict"] == "pass"
    assert summary["exit_code"] == 0
    assert summary["unhealthy"] is None
    totals = summary["totals"]
    # Every rule judged something: a pass is evidence, not an empty run.
    assert totals["skipped_rules"] == 0, summary["rules"]
    assert totals["failures"] == 0
    assert summary["phases"]["schemathesis"]["cases"] > 0


@pytest.mark.socket
def test_junit_agrees_with_summary_holds(faithful_runs: tuple[CliRun, CliRun]) -> None:
    first, _ = faithful_runs
    totals = first.summary["totals"]
    assert junit_counts(first.report_dir / "junit.xml") == {
        "tests": totals["rules"] + totals["errors"],
        "failures": totals["failed_rules"],
        "errors": totals["errors"],
        "skipped": totals["skipped_rules"],
    }


@pytest.mark.socket
def test_no_secret_in_reports_holds(faithful_runs: tuple[CliRun, CliRun]) -> None:
    for cli in faithful_runs:
        assert {p.name for p in cli.report_dir.iterdir()} >= {
            "summary.json",
            "junit.xml",
            "report.html",
        }
        assert leaks(cli.report_dir, SECRET) == []
        assert SECRET not in cli.out


@pytest.mark.socket
def test_same_seed_same_stats_holds(faithful_runs: tuple[CliRun, CliRun]) -> None:
    first, second = (cli.summary for cli in faithful_runs)
    assert first["seed"] == second["seed"] == 7
    assert first["rules"] == second["rules"]
    assert first["coverage"] == second["coverage"]
    assert first["requests"] == second["requests"]


@pytest.mark.socket
def test_no_secret_in_reports_catches_echo_api_key(tmp_path: Path) -> None:
    # The faulty mock puts the key in its 422 bodies, so findings carry it unless redacted.
    cli = cli_run(
        tmp_path,
        *("--mock-fault", "echo_api_key", "--api-key", SECRET),
        *("--max-examples", "10", "--no-schemathesis"),
    )
    assert cli.code == 1, cli.out
    summary = cli.summary
    validate_summary(summary)
    assert "no_secret_echoed" in {f["rule"] for f in summary["failures"]}
    assert b"[REDACTED]" in (tmp_path / "summary.json").read_bytes()
    assert leaks(tmp_path, SECRET) == []
    assert SECRET not in cli.out


def test_leaks_finds_every_form(tmp_path: Path) -> None:
    # The search above must be able to fail: plant each form once and see it found.
    for i, form in enumerate(secret_forms(SECRET)):
        (tmp_path / f"planted-{i}.txt").write_bytes(b"before " + form + b" after")
    assert len(leaks(tmp_path, SECRET)) >= len(secret_forms(SECRET))


@pytest.mark.socket
def test_faithful_mock_passes_on_user_log_holds() -> None:
    # With --prompt-id/--log-id every phase shares one log: what the probes change
    # (an accepted raw body, say) must not be blamed on the bodies that follow.
    key = "user-log-key-0123"
    with running_mock(api_keys=(key,)) as base_url:
        created = httpx.post(
            f"{base_url}/prompts/log",
            headers={"X-API-KEY": key},
            json={"path": "engine-tests/user-log", "prompt": {"model": "gpt-4o"}, "output": "x"},
        ).json()
        result = run(
            RunConfig(
                base_url=base_url,
                api_key=key,
                prompt_id=created["prompt_id"],
                log_id=created["id"],
                max_examples=10,
                schemathesis=False,
            )
        )
    assert result.exit_code == 0, [(f.rule, f.message) for f in result.failures]
    assert result.rules["omitted_fields_unchanged"].passed > 0

"""The Action's shell steps, run here with a fake GitHub environment against the bundled mock.

run.sh gets the variables action.yml gives it (GITHUB_OUTPUT, GITHUB_STEP_SUMMARY,
GITHUB_ACTION_PATH, RUNNER_TEMP, INPUT_*, HUMANLOOP_API_KEY) pointing into a
temporary directory; the outputs, the exit code, the job summary and every
written byte are checked, and the key must appear in none of them.
"""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCRIPTS = ROOT / ".github" / "action"
KEY = "action-secret-key-0123456"
QUICK = "--max-examples 5 --no-schemathesis --quiet"


@dataclass
class Step:
    code: int
    log: str
    outputs: dict[str, str]
    summary: str
    workspace: Path


def run_step(tmp_path: Path, script: str = "run.sh", **inputs: str) -> Step:
    workspace = tmp_path / "workspace"
    workspace.mkdir()
    output, summary = tmp_path / "github_output", tmp_path / "step_summary"
    output.touch()
    summary.touch()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST_", "HUMANLOOP_"))}
    env.update(
        PATH=f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}",
        GITHUB_ACTIONS="true",
        GITHUB_ACTION_PATH=str(ROOT),
        GITHUB_OUTPUT=str(output),
        GITHUB_STEP_SUMMARY=str(summary),
        GITHUB_WORKSPACE=str(workspace),
        RUNNER_TEMP=str(tmp_path / "runner_temp"),
        HUMANLOOP_API_KEY=KEY,
        **{f"INPUT_{name.upper()}": value for name, value in inputs.items()},
    )
    proc = subprocess.run(
        ["bash", str(SCRIPTS / script)],
        cwd=workspace,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    pairs = (line.split("=", 1) for line in output.read_text().splitlines() if "=" in line)
    return Step(
        proc.returncode, proc.stdout + proc.stderr, dict(pairs), summary.read_text(), workspace
    )


def assert_key_nowhere(step: Step) -> None:
    texts = [step.log, step.summary, *step.outputs.values()]
    texts += [p.read_text(errors="replace") for p in step.workspace.rglob("*") if p.is_file()]
    for text in texts:
        assert KEY not in text


@pytest.mark.socket
def test_run_step_passes_against_the_faithful_mock(tmp_path: Path) -> None:
    step = run_step(tmp_path, args=QUICK, report_dir="out")
    assert step.code == 0, step.log[-3000:]
    assert step.outputs["exit-code"] == "0"
    assert step.outputs["verdict"] == "pass"
    assert step.outputs["junit-file"] == "out/junit.xml"
    for report in ("summary.json", "junit.xml", "report.html"):
        assert (step.workspace / "out" / report).is_file(), report
    assert "## promptlog-contract: PASS (exit 0)" in step.summary
    assert "| `response_matches_union` | pass |" in step.summary
    assert "### Failures" not in step.summary
    assert_key_nowhere(step)


@pytest.mark.socket
def test_run_step_fails_with_exit_1_on_a_faulty_mock(tmp_path: Path) -> None:
    step = run_step(tmp_path, args=QUICK + " --mock-fault auth_optional", profile="ci")
    assert step.code == 1, step.log[-3000:]
    assert (step.outputs["exit-code"], step.outputs["verdict"]) == ("1", "fail")
    assert (
        step.outputs["report-dir"] == "promptlog-reports" or step.outputs["report-dir"] == "reports"
    )
    assert "## promptlog-contract: FAIL (exit 1)" in step.summary
    assert "| `auth_enforced` | fail |" in step.summary
    assert "### Failures" in step.summary
    assert_key_nowhere(step)


def test_run_step_refuses_a_key_in_args(tmp_path: Path) -> None:
    step = run_step(tmp_path, args=f"--api-key {KEY}")
    assert step.code == 2
    assert step.outputs == {"exit-code": "2", "verdict": "error"}
    assert "pass the key through the api-key input" in step.log
    assert_key_nowhere(step)


def test_run_step_reports_a_usage_error_without_reports(tmp_path: Path) -> None:
    step = run_step(tmp_path, base_url="ftp://nowhere")
    assert step.code == 2, step.log[-3000:]
    assert step.outputs["verdict"] == "error"
    assert "## promptlog-contract: ERROR (exit 2)" in step.summary
    assert "No summary.json was written" in step.summary
    assert_key_nowhere(step)


def test_install_step_installs_the_action_checkout_with_constraints(tmp_path: Path) -> None:
    # A stand-in `python` and `promptlog-contract` record what the step would run.
    fake = tmp_path / "bin"
    fake.mkdir()
    log = tmp_path / "calls"
    for name in ("python", "promptlog-contract"):
        (fake / name).write_text(f'#!/bin/sh\necho "{name} $*" >> "{log}"\n')
        (fake / name).chmod(0o755)
    env = {**os.environ, "PATH": f"{fake}{os.pathsep}{os.environ['PATH']}"}
    env.update(GITHUB_ACTION_PATH=str(ROOT), INPUT_VERSION="")
    subprocess.run(["bash", str(SCRIPTS / "install.sh")], env=env, check=True, timeout=60)
    constraints = f"-c {ROOT}/constraints.txt"
    assert log.read_text().splitlines() == [
        f"python -m pip install --disable-pip-version-check --quiet {constraints} {ROOT}",
        "promptlog-contract --version",
    ]
    log.unlink()
    env["INPUT_VERSION"] = "0.1.0"
    subprocess.run(["bash", str(SCRIPTS / "install.sh")], env=env, check=True, timeout=60)
    assert f"{constraints} promptlog-contract==0.1.0" in log.read_text()

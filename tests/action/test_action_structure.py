"""action.yml is a well-formed composite Action whose every input is used, safely.

Inputs must reach the shell only through `env:` (an input spliced into `run:`
is a script-injection hole), the key only through HUMANLOOP_API_KEY, and the
steps must call the scripts that tests/action/test_action_run.py exercises.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[2]
SCRIPTS = ROOT / ".github" / "action"


def action() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load((ROOT / "action.yml").read_text())
    return data


def steps() -> list[dict[str, Any]]:
    runs: dict[str, Any] = action()["runs"]
    assert runs["using"] == "composite"
    result: list[dict[str, Any]] = runs["steps"]
    return result


def test_action_declares_the_documented_inputs_and_outputs() -> None:
    data = action()
    assert set(data["inputs"]) >= {
        *("base-url", "api-key", "profile", "baseline", "report-dir"),
        *("python-version", "version", "args"),
    }
    for name, spec in data["inputs"].items():
        assert spec.get("description"), name
        assert spec.get("required") is False, name
    assert set(data["outputs"]) >= {"exit-code", "verdict", "report-dir", "junit-file"}
    for spec in data["outputs"].values():
        assert re.fullmatch(r"\$\{\{ steps\.run\.outputs\.[a-z-]+ \}\}", spec["value"])


def test_every_input_is_used_by_a_step() -> None:
    text = yaml.safe_dump(steps())
    for name in action()["inputs"]:
        assert f"inputs.{name} " in text or f"inputs.{name}}}" in text, name


def test_inputs_reach_the_shell_only_through_env() -> None:
    for step in steps():
        if "run" in step:
            assert "${{" not in step["run"], step["name"]
            assert step["shell"] == "bash"


def test_the_key_travels_only_in_the_environment() -> None:
    uses_key = [s for s in steps() if "inputs.api-key" in yaml.safe_dump(s)]
    assert [s.get("id") for s in uses_key] == ["run"]
    assert uses_key[0]["env"]["HUMANLOOP_API_KEY"] == "${{ inputs.api-key }}"
    for script in ("install.sh", "run.sh"):
        # No script builds an --api-key argument; the CLI reads HUMANLOOP_API_KEY itself.
        assert not re.search(r"--api-key[ =]", (SCRIPTS / script).read_text()), script


def test_steps_call_the_shipped_scripts_and_actions() -> None:
    by_name = {s["name"]: s for s in steps()}
    assert by_name["Set up Python"]["uses"] == "actions/setup-python@v5"
    assert ".github/action/install.sh" in by_name["Install promptlog-contract"]["run"]
    assert ".github/action/run.sh" in by_name["Run the contract suite"]["run"]
    upload = by_name["Upload the reports"]
    assert upload["uses"] == "actions/upload-artifact@v4"
    assert upload["if"] == "always()"  # the reports of a failing run matter most
    for report in ("summary.json", "junit.xml", "report.html"):
        assert f"${{{{ inputs.report-dir }}}}/{report}" in upload["with"]["path"]
    for script in ("install.sh", "run.sh", "summary.py"):
        assert (SCRIPTS / script).is_file(), script
    for step in steps():
        for match in re.findall(r"\.github/action/[\w.]+", step.get("run", "")):
            assert (ROOT / match).is_file(), match

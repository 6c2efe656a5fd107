"""The installed plugin from outside this repository: registered once, settings, verdicts.

`pytest --pyargs promptlog_contract.conformance` run in an empty directory is
what a service repository gets: the faithful bundled mock passes, a faulty one
fails on the rule the fault breaks, and the reports carry no trace of the key.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from promptlog_contract import pytest_plugin

from ._run import pytest_in

SUITE = ("--pyargs", "promptlog_contract.conformance", "-q")
KEY = "plugin-suite-key-0123"


def test_plugin_is_registered_once_through_the_entry_point(pytestconfig: pytest.Config) -> None:
    names = [
        name
        for name, plugin in pytestconfig.pluginmanager.list_name_plugin()
        if plugin is pytest_plugin
    ]
    assert names == ["promptlog_contract"]


SETTINGS_PROBE = """
import json, os
from dataclasses import asdict

def test_probe(promptlog_config, promptlog_target):
    out = {k: v for k, v in asdict(promptlog_config).items() if k in
           ("base_url", "api_key", "profile", "seed", "strict", "mock_faults")}
    out["target"] = promptlog_target.base_url
    out["target_repr"] = repr(promptlog_target)
    out["bundled"] = promptlog_target.bundled_mock
    with open(os.environ["PROBE_OUT"], "w") as f:
        json.dump(out, f)
"""


def probe(tmp_path: Path, *flags: str, ini: str = "", env: dict[str, str] | None = None) -> dict:  # type: ignore[type-arg]
    (tmp_path / "test_probe.py").write_text(SETTINGS_PROBE)
    (tmp_path / "pytest.ini").write_text("[pytest]\n" + ini)
    out = tmp_path / "probe.json"
    proc = pytest_in(tmp_path, "-q", *flags, env={"PROBE_OUT": str(out), **(env or {})})
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-2000:]
    return json.loads(out.read_text())  # type: ignore[no-any-return]


@pytest.mark.socket
def test_settings_default_to_the_bundled_mock(tmp_path: Path) -> None:
    got = probe(tmp_path)
    assert (got["base_url"], got["profile"], got["seed"], got["strict"]) == (
        None,
        "ci",
        None,
        False,
    )
    assert got["bundled"] and got["target"].startswith("http://127.0.0.1:")
    assert "api_key" not in got["target_repr"]


@pytest.mark.socket
def test_settings_come_from_option_then_env_then_ini(tmp_path: Path) -> None:
    ini = (
        "promptlog_base_url = http://127.0.0.1:9/ini/v5\npromptlog_profile = staging\n"
        "promptlog_seed = 7\npromptlog_strict = true\n"
    )
    from_ini = probe(tmp_path, ini=ini, env={"HUMANLOOP_API_KEY": KEY})
    assert from_ini["base_url"] == "http://127.0.0.1:9/ini/v5"
    assert (from_ini["profile"], from_ini["seed"], from_ini["strict"]) == ("staging", 7, True)
    assert from_ini["api_key"] == KEY and KEY not in from_ini["target_repr"]
    env = {"HUMANLOOP_API_KEY": KEY, "HUMANLOOP_BASE_URL": "http://127.0.0.1:9/env/v5"}
    assert probe(tmp_path, ini=ini, env=env)["base_url"] == "http://127.0.0.1:9/env/v5"
    flags = [
        *("--promptlog-base-url", "http://127.0.0.1:9/opt/v5", "--promptlog-seed", "3"),
        *("--promptlog-profile", "ci", "--promptlog-api-key", "from-option-key"),
    ]
    got = probe(tmp_path, *flags, ini=ini, env=env)
    assert (got["base_url"], got["seed"], got["profile"]) == ("http://127.0.0.1:9/opt/v5", 3, "ci")
    assert got["api_key"] == "from-option-key"


@pytest.mark.slow
@pytest.mark.socket
def test_conformance_suite_holds_against_the_bundled_mock(tmp_path: Path) -> None:
    proc = pytest_in(tmp_path, *SUITE, "-p", "xdist", "-n", "2")
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-2000:]
    assert "17 passed" in proc.stdout


@pytest.mark.slow
@pytest.mark.socket
def test_conformance_suite_catches_auth_optional(tmp_path: Path) -> None:
    proc = pytest_in(
        tmp_path,
        *SUITE,
        "-rA",
        "--promptlog-mock-fault",
        "auth_optional",
        "--promptlog-report-dir",
        "out",
        env={"HUMANLOOP_API_KEY": KEY},
    )
    output = proc.stdout + proc.stderr
    assert proc.returncode == 1, output[-3000:]
    assert "FAILED test_conformance.py::test_rule_holds[auth_enforced]" in output, output[-3000:]
    assert "PASSED test_conformance.py::test_rule_holds[response_matches_union]" in output
    reports = {p.name: p.read_text() for p in (tmp_path / "out").iterdir()}
    assert set(reports) >= {"summary.json", "junit.xml", "report.html"}
    assert json.loads(reports["summary.json"])["verdict"] == "fail"
    for text in [output, *reports.values()]:
        assert KEY not in text

"""The other front ends: `pytest tests/conformance` and `selfcheck` give the same verdicts.

Both run the full default suite (and the pytest front end a whole pytest
session), so they are marked slow.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from promptlog_contract.commands.selfcheck import EXPECTED_RULE, selfcheck
from promptlog_contract.mock import running_mock

ROOT = Path(__file__).resolve().parents[2]
KEY = "frontend-key-0123"


def conformance(*flags: str) -> subprocess.CompletedProcess[str]:
    """`python -m pytest tests/conformance` in a fresh process, free of this session's env."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST_", "HUMANLOOP_"))}
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "tests/conformance",
            "-q",
            "-p",
            "no:cacheprovider",
            *flags,
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )


@pytest.mark.slow
@pytest.mark.socket
def test_pytest_front_end_holds() -> None:
    proc = conformance()
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-2000:]
    assert " passed" in proc.stdout


@pytest.mark.slow
@pytest.mark.socket
def test_pytest_front_end_catches_auth_optional() -> None:
    with running_mock(api_keys=(KEY,), faults=("auth_optional",)) as base_url:
        proc = conformance("--base-url", base_url, "--api-key", KEY)
    output = proc.stdout + proc.stderr
    assert proc.returncode == 1, output[-3000:]
    assert "test_rule_holds[auth_enforced]" in output
    assert "test_rule_holds[auth_enforced] PASSED" not in output
    assert KEY not in output


@pytest.mark.slow
@pytest.mark.socket
def test_selfcheck_catches_auth_optional_and_stale_get() -> None:
    faults = ["auth_optional", "stale_get"]
    matrix, faithful = selfcheck(faults=faults, max_examples=15, peers=True)
    assert faithful.exit_code == 0
    assert matrix["faithful"]["failures"] == 0
    totals = matrix["totals"]
    assert (totals["faults"], totals["caught"], totals["faithful_failures"]) == (2, 2, 0)
    assert matrix["faithful"]["peers"]["schemathesis"]["requests"] > 0
    for fault in faults:
        entry = matrix["faults"][fault]
        assert entry["expected_rule"] == EXPECTED_RULE[fault]
        assert entry["expected_rule_failed"], entry["caught_by"]
        peer = entry["peers"]["schemathesis"]
        assert peer["requests"] > 0, peer
        assert peer["exit_code"] in (0, 1), peer

"""pytest front end: `pytest tests/conformance --base-url URL --api-key KEY`.

The same engine as `promptlog-contract run`, run once per session (per xdist
worker, each with its own scratch logs); each rule is one test item, so a CI
system shows rule by rule what holds.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from promptlog_contract.engine import RunConfig, run
from promptlog_contract.reporting import write_reports
from promptlog_contract.types import RunResult


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("promptlog-contract")
    group.addoption(
        "--base-url",
        default=os.environ.get("HUMANLOOP_BASE_URL"),
        help="target base URL incl. /v5 (default: the bundled mock)",
    )
    group.addoption(
        "--api-key",
        default=os.environ.get("HUMANLOOP_API_KEY"),
        help="X-API-KEY for the target (never printed)",
    )
    group.addoption("--contract-profile", default="ci", choices=("ci", "staging", "fuzz"))
    group.addoption("--contract-seed", type=int, default=None)
    group.addoption("--contract-strict", action="store_true", default=False)
    group.addoption(
        "--contract-report-dir",
        default=None,
        help="also write summary.json/junit.xml/report.html here",
    )


@pytest.fixture(scope="session")
def contract_result(pytestconfig: pytest.Config) -> RunResult:
    """One engine run against the configured target (the bundled mock by default)."""
    opt = pytestconfig.getoption
    config = RunConfig(
        base_url=opt("--base-url"),
        api_key=opt("--api-key"),
        profile=opt("--contract-profile"),
        seed=opt("--contract-seed"),
        strict=opt("--contract-strict"),
    )
    result = run(config)
    report_dir = opt("--contract-report-dir")
    if report_dir:
        worker = os.environ.get("PYTEST_XDIST_WORKER", "")
        out = Path(report_dir) / worker if worker else Path(report_dir)
        write_reports(result, out, secrets=tuple(k for k in (config.api_key,) if k))
    return result

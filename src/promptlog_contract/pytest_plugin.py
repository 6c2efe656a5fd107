"""pytest plugin: the conformance suite inside any project's pytest, installed with the package.

Registered through the `pytest11` entry point, so a service repository that
installs promptlog-contract runs the whole suite with
`pytest --pyargs promptlog_contract.conformance`. Every option is prefixed
`--promptlog-` (an unprefixed `--base-url` belongs to pytest-base-url). The
engine runs once per session (per xdist worker, each with its own scratch
logs). A setup problem (bad option, refused key, target down) ends the session
with one line and exit code 2 or 3, instead of one traceback per rule.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import NoReturn

import pytest

# The engine's front door: the only place this plugin names it.
from promptlog_contract._secrets import scrub
from promptlog_contract.engine import RunConfig, run
from promptlog_contract.errors import (
    EXIT_UNHEALTHY,
    EXIT_USAGE,
    ConfigurationError,
    UsageError,
    check_url,
)
from promptlog_contract.types import RunResult

__all__ = [
    "PromptlogTarget",
    "promptlog_config",
    "promptlog_result",
    "promptlog_target",
]

PROFILES = ("ci", "staging", "fuzz")
ENV_BASE_URL = "HUMANLOOP_BASE_URL"
ENV_API_KEY = "HUMANLOOP_API_KEY"


@dataclass(frozen=True)
class PromptlogTarget:
    """The target a session judges: its base URL (ending in /v5) and API key (never shown)."""

    base_url: str
    api_key: str = field(repr=False)
    bundled_mock: bool = False


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("promptlog", "promptlog-contract conformance suite")
    group.addoption(
        "--promptlog-base-url",
        default=None,
        metavar="URL",
        help=f"target base URL including /v5 (else ${ENV_BASE_URL}, else ini "
        "promptlog_base_url, else the bundled mock on a free loopback port)",
    )
    group.addoption(
        "--promptlog-api-key",
        default=None,
        metavar="KEY",
        help=f"X-API-KEY for the target (else ${ENV_API_KEY}; never read from ini "
        "files, never printed). Prefer the environment variable: a command line is "
        "visible to other processes",
    )
    group.addoption(
        "--promptlog-profile",
        default=None,
        metavar="NAME",
        help="ci (default), staging (rate-limited) or fuzz; else ini promptlog_profile",
    )
    group.addoption(
        "--promptlog-seed",
        default=None,
        metavar="N",
        help="seed for the drawn bodies (default 0 for ci/staging, fresh for fuzz); "
        "else ini promptlog_seed",
    )
    group.addoption(
        "--promptlog-strict",
        action="store_true",
        default=None,
        help="fail on behaviour the documentation leaves open; else ini promptlog_strict",
    )
    group.addoption(
        "--promptlog-report-dir",
        default=None,
        metavar="DIR",
        help="also write summary.json, junit.xml and report.html here "
        "(one subdirectory per xdist worker); else ini promptlog_report_dir",
    )
    group.addoption(
        "--promptlog-mock-fault",
        action="append",
        default=[],
        metavar="NAME",
        help="seed a fault into the bundled mock (testing the suite itself; "
        "see `promptlog-contract mock --list-faults`)",
    )
    parser.addini("promptlog_base_url", "target base URL including /v5", default="")
    parser.addini("promptlog_profile", "ci, staging or fuzz", default="")
    parser.addini("promptlog_seed", "seed for the drawn bodies", default="")
    parser.addini("promptlog_strict", "fail on open behaviour", type="bool", default=False)
    parser.addini("promptlog_report_dir", "also write the three reports here", default="")


def _setting(config: pytest.Config, name: str, env: str | None = None) -> str | None:
    """Command line, then the environment variable, then the ini option."""
    value = config.getoption(f"--promptlog-{name.replace('_', '-')}")
    if value is None and env:
        value = os.environ.get(env) or None
    if value is None:
        value = str(config.getini(f"promptlog_{name}")) or None
    return None if value is None else str(value)


_PREFIX = "promptlog-contract: "
_UNHEALTHY = _PREFIX + "target unreachable or unhealthy: "
_ERROR = _PREFIX + "error: "


def _stop(request: pytest.FixtureRequest, message: str, secret: str | None = None) -> NoReturn:
    """End the whole session with one line (not one traceback per rule) and exit 2 or 3.

    In one process that is `pytest.exit`. An xdist worker that exits counts as
    crashed, so there the first item fails with the line alone, the worker
    stops (xdist then stops the session) and `_ExitCode` sets the status.
    """
    if secret:
        message = scrub(message, secret)
    if os.environ.get("PYTEST_XDIST_WORKER"):
        request.session.shouldstop = message
        pytest.fail(message, pytrace=False)
    code = EXIT_UNHEALTHY if message.startswith(_UNHEALTHY) else EXIT_USAGE
    pytest.exit(message, returncode=code)


class _ExitCode:
    """Gives the session exit 2 or 3 when a worker stopped it for a setup problem."""

    def __init__(self) -> None:
        self.code: int | None = None

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        if report.when != "setup" or not report.failed or self.code is not None:
            return
        text = str(report.longrepr)
        if _UNHEALTHY in text:
            self.code = EXIT_UNHEALTHY
        elif _ERROR in text:
            self.code = EXIT_USAGE

    def pytest_sessionfinish(self, session: pytest.Session) -> None:
        if self.code is not None:
            session.exitstatus = self.code


def pytest_configure(config: pytest.Config) -> None:
    config.pluginmanager.register(_ExitCode(), "promptlog-exit-code")


def build_run_config(config: pytest.Config) -> RunConfig:
    """The run this session asks for, from options, environment and ini (UsageError if bad)."""
    base_url = _setting(config, "base_url", ENV_BASE_URL)
    api_key = config.getoption("--promptlog-api-key") or os.environ.get(ENV_API_KEY) or None
    profile = _setting(config, "profile") or "ci"
    if profile not in PROFILES:
        raise UsageError(
            f"--promptlog-profile must be one of {', '.join(PROFILES)}, not {profile!r}"
        )
    seed_text = _setting(config, "seed")
    try:
        seed = None if seed_text is None else int(seed_text)
    except ValueError:
        raise UsageError(f"--promptlog-seed must be a whole number, not {seed_text!r}") from None
    strict = config.getoption("--promptlog-strict")
    faults = tuple(config.getoption("--promptlog-mock-fault"))
    if base_url:
        try:
            base_url = check_url(base_url)
        except UsageError:
            raise UsageError(
                f"--promptlog-base-url must be an http(s) URL with a host, not {base_url!r}"
            ) from None
        if faults:
            raise UsageError("--promptlog-mock-fault only applies to the bundled mock")
        if not api_key:
            raise UsageError(f"an API key is needed (--promptlog-api-key or ${ENV_API_KEY})")
    return RunConfig(
        base_url=base_url,
        api_key=api_key,
        profile=profile,
        seed=seed,
        strict=bool(config.getini("promptlog_strict") if strict is None else strict),
        mock_faults=faults,
    )


def _report_dir(config: pytest.Config) -> Path | None:
    text = _setting(config, "report_dir")
    if text is None:
        return None
    path = Path(text)
    if path.exists() and not path.is_dir():
        raise UsageError(f"--promptlog-report-dir {text!r} is a file, not a directory")
    worker = os.environ.get("PYTEST_XDIST_WORKER", "")
    return path / worker if worker else path


@pytest.fixture(scope="session")
def promptlog_config(request: pytest.FixtureRequest) -> RunConfig:
    """The engine's RunConfig for this session; a bad setting ends the session (exit 2)."""
    try:
        run_config = build_run_config(request.config)
        _report_dir(request.config)
    except UsageError as exc:
        problem = str(exc)
    else:
        return run_config
    # Outside the except block, so the one line is not chained to a traceback.
    _stop(request, _ERROR + problem, request.config.getoption("--promptlog-api-key"))


@pytest.fixture(scope="session")
def promptlog_target(
    request: pytest.FixtureRequest, promptlog_config: RunConfig
) -> Iterator[PromptlogTarget]:
    """The target, for a project's own tests: base URL and key (the key is left out of repr).

    With no base URL, a bundled mock (with any --promptlog-mock-fault) served
    from first use to the end of the session; `promptlog_result` does not use it.
    """
    if promptlog_config.base_url:
        yield PromptlogTarget(promptlog_config.base_url, promptlog_config.api_key or "")
        return
    from promptlog_contract.mock import FAULTS, running_mock

    unknown = [f for f in promptlog_config.mock_faults if f not in FAULTS]
    if unknown:
        _stop(request, _ERROR + f"unknown mock fault(s): {', '.join(unknown)}")
    key = promptlog_config.api_key or "mock-" + secrets.token_urlsafe(16)
    with running_mock(api_keys=(key,), faults=promptlog_config.mock_faults) as base_url:
        yield PromptlogTarget(base_url, key, bundled_mock=True)


@pytest.fixture(scope="session")
def promptlog_result(request: pytest.FixtureRequest, promptlog_config: RunConfig) -> RunResult:
    """One engine run against the configured target, shared by every rule test of the session.

    With no base URL the engine serves the bundled mock only for the run (a
    mock left serving for the rest of the session would share the process with
    the project's other tests). A refused key or an unusable target ends the
    session with exit 2; an unreachable or unhealthy target with exit 3 (after
    writing the reports).
    """
    key = promptlog_config.api_key
    where = promptlog_config.base_url or "the bundled mock"
    problem = None
    try:
        result = run(promptlog_config)
    except ConfigurationError as exc:
        problem = f"{exc} ({where})"
    if problem is not None:
        _stop(request, _ERROR + problem, key)
    report_dir = _report_dir(request.config)
    if report_dir is not None:
        from promptlog_contract.reporting import write_reports

        write_reports(result, report_dir, secrets=tuple(k for k in (key,) if k))
    if result.unhealthy is not None:
        suffix = "" if result.target_url in result.unhealthy else f" ({result.target_url})"
        _stop(request, _UNHEALTHY + result.unhealthy + suffix, key)
    return result

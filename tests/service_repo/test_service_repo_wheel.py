"""The built wheel in a fresh venv, used from a service repository the way its team would.

The service has its own `strategies.py` (a common name) and pytest-base-url
installed (which owns `--base-url`); the conformance suite must still run from
the service's pytest with `pytest --pyargs promptlog_contract.conformance`,
pass against the bundled mock and fail against a faulty one, while the
service's own tests keep importing their own `strategies`.

Slow: it builds the wheel and installs it with its dependencies (from pip's
cache and the configured indexes) into a new venv, once per module.
"""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SUITE = (
    "-m",
    "pytest",
    "-q",
    "-p",
    "no:cacheprovider",
    "--pyargs",
    "promptlog_contract.conformance",
)

SERVICE_STRATEGIES = '''"""The service's own strategies (nothing to do with promptlog-contract)."""


def update_bodies() -> str:
    return "the service's own update_bodies"
'''
SERVICE_TEST = """from strategies import update_bodies


def test_service_strategies_are_its_own():
    assert update_bodies() == "the service's own update_bodies"
"""
SERVICE_HYPOTHESIS_TEST = """from hypothesis import given, settings

from promptlog_contract.strategies import update_bodies


@settings(max_examples=5, deadline=None)
@given(update_bodies())
def test_team_uses_the_suite_strategies(body):
    assert isinstance(body, dict)
"""


@dataclass(frozen=True)
class Service:
    wheel: Path
    python: Path
    root: Path

    def run(
        self, *args: str, env: dict[str, str] | None = None
    ) -> subprocess.CompletedProcess[str]:
        clean = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST_", "HUMANLOOP_"))}
        clean.pop("VIRTUAL_ENV", None)
        return subprocess.run(
            [str(self.python), *args],
            cwd=self.root,
            env={**clean, **(env or {})},
            capture_output=True,
            text=True,
            timeout=900,
        )


def _check(cmd: list[str], cwd: Path) -> None:
    proc = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, timeout=900)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]


@pytest.fixture(scope="module")
def service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Service]:
    base = tmp_path_factory.mktemp("service-repo")
    dist = base / "dist"
    _check(
        [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(dist), str(ROOT)], ROOT
    )
    (wheel,) = dist.glob("promptlog_contract-*.whl")
    venv = base / "venv"
    _check([sys.executable, "-m", "venv", str(venv)], base)
    python = venv / "bin" / "python"
    constraints = str(ROOT / "constraints.txt")
    _check(
        [
            str(python),
            "-m",
            "pip",
            "install",
            "-q",
            "-c",
            constraints,
            str(wheel),
            "pytest-base-url",
        ],
        base,
    )
    root = base / "service"
    (root / "tests").mkdir(parents=True)
    (root / "strategies.py").write_text(SERVICE_STRATEGIES)
    (root / "tests" / "test_service.py").write_text(SERVICE_TEST)
    (root / "tests" / "test_with_suite_strategies.py").write_text(SERVICE_HYPOTHESIS_TEST)
    (root / "conftest.py").write_text('"""The service\'s root conftest."""\n')
    (root / "pytest.ini").write_text("[pytest]\ntestpaths = tests\n")
    yield Service(wheel, python, root)


@pytest.mark.slow
def test_wheel_has_only_promptlog_contract_as_top_level_name(service: Service) -> None:
    with zipfile.ZipFile(service.wheel) as wheel:
        top = {name.split("/")[0] for name in wheel.namelist()}
    assert {t for t in top if not t.endswith(".dist-info")} == {"promptlog_contract"}


@pytest.mark.slow
def test_plugin_options_coexist_with_pytest_base_url(service: Service) -> None:
    proc = service.run("-m", "pytest", "--help")
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "--base-url=url" in proc.stdout  # pytest-base-url's
    assert "--promptlog-base-url=URL" in proc.stdout


@pytest.mark.slow
def test_service_tests_keep_their_own_strategies(service: Service) -> None:
    proc = service.run("-m", "pytest", "-q", "-p", "no:cacheprovider")
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    assert "2 passed" in proc.stdout


@pytest.mark.slow
@pytest.mark.socket
def test_conformance_suite_holds_from_the_service_repo(service: Service) -> None:
    proc = service.run(*SUITE)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    assert "17 passed" in proc.stdout


@pytest.mark.slow
@pytest.mark.socket
def test_conformance_suite_catches_a_faulty_mock_from_the_service_repo(service: Service) -> None:
    proc = service.run(*SUITE, "-rf", "--promptlog-mock-fault", "auth_optional")
    assert proc.returncode == 1, proc.stdout[-3000:] + proc.stderr[-3000:]
    assert "FAILED test_conformance.py::test_rule_holds[auth_enforced]" in proc.stdout

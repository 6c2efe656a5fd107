"""Run pytest in a fresh process outside this repository, as a service repository would."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path


def pytest_in(
    cwd: Path, *args: str, env: dict[str, str] | None = None, timeout: float = 600
) -> subprocess.CompletedProcess[str]:
    """`python -m pytest ARGS` in `cwd`, free of this session's PYTEST_*/HUMANLOOP_* variables."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST_", "HUMANLOOP_"))}
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", *args],
        cwd=cwd,
        env={**clean, **(env or {})},
        capture_output=True,
        text=True,
        timeout=timeout,
    )

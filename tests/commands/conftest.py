"""Every command test starts from a clean environment: no target or key leaks in from the shell."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _no_target_from_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    # The CLI and the pytest plugin default --base-url/--api-key from these.
    monkeypatch.delenv("HUMANLOOP_BASE_URL", raising=False)
    monkeypatch.delenv("HUMANLOOP_API_KEY", raising=False)

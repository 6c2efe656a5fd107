"""A production-like mock of Humanloop's Update Prompt Log endpoint, with seeded faults.

The mock is the suite's reference target: with no faults it should pass every
rule, and each fault in :data:`FAULTS` should make a named rule fail. It never
imports the suite's checks, strategies or contract validators, so it can
genuinely disagree with them.

    with running_mock(faults=["drop_evaluator_logs"]) as base_url:
        ...  # base_url == "http://127.0.0.1:<port>/v5"; send X-API-KEY: mock-key
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ._faults import FAULTS

if TYPE_CHECKING:
    from ._app import create_app
    from ._server import running_mock, serve

__all__ = ["FAULTS", "create_app", "running_mock", "serve"]


def __getattr__(name: str) -> Any:
    # FastAPI costs about 1 s of CPU to import: only a command that serves the
    # mock pays it, not a run against the user's target (nor `--help`).
    if name == "create_app":
        from ._app import create_app

        return create_app
    if name in ("running_mock", "serve"):
        from . import _server

        return getattr(_server, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

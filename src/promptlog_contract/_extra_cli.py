"""Subcommands built on `run`: `selfcheck` (the kill matrix) and `diff` (two targets)."""

from __future__ import annotations

import argparse
from typing import Any


def add_parsers(sub: argparse._SubParsersAction[Any]) -> None:
    """Register selfcheck and diff (filled in by their modules when present)."""
    try:
        from promptlog_contract.selfcheck import add_parser as add_selfcheck
    except ImportError:  # pragma: no cover - during development
        pass
    else:
        add_selfcheck(sub)
    try:
        from promptlog_contract.diff import add_parser as add_diff
    except ImportError:  # pragma: no cover
        pass
    else:
        add_diff(sub)

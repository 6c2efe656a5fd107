"""`diff`: the same seeded requests to two targets; only real behaviour differences are reported."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from promptlog_contract.cli import main


def diff(tmp_path: Path, *flags: str, examples: int = 15) -> tuple[int, dict[str, Any]]:
    code = main(["diff", "--max-examples", str(examples), "--report-dir", str(tmp_path), *flags])
    report: dict[str, Any] = json.loads((tmp_path / "diff.json").read_text("utf-8"))
    return code, report


@pytest.mark.socket
def test_diff_holds(tmp_path: Path) -> None:
    # Two faithful mocks: ids and timestamps differ, behaviour does not.
    code, report = diff(tmp_path)
    assert report["differences"] == []
    assert report["cases"] == 1 + 15 + 15
    assert code == 0


@pytest.mark.socket
def test_diff_catches_prompt_tokens_as_string(tmp_path: Path) -> None:
    # 100 bodies, not 15: which seeded bodies carry prompt_tokens shifts with the set of project
    # modules loaded (Hypothesis draws constants from local modules), and 15 left it to luck.
    code, report = diff(tmp_path, "--against-mock-fault", "prompt_tokens_as_string", examples=100)
    assert code == 1
    assert report["differences"]
    for difference in report["differences"]:
        assert (difference["aspect"], difference.get("field")) == ("field_type", "prompt_tokens")
        assert (difference["a"], difference["b"]) == ("number", "string")

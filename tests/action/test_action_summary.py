"""summary.py turns summary.json into a job summary that cannot break the page or leak the key."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

SCRIPT = Path(__file__).resolve().parents[2] / ".github" / "action" / "summary.py"
KEY = "summary-secret-key-0123"


def render(tmp_path: Path, summary: object, code: int) -> str:
    path = tmp_path / "summary.json"
    path.write_text(json.dumps(summary))
    proc = subprocess.run(
        [sys.executable, str(SCRIPT), str(path), str(code)],
        env={**os.environ, "HUMANLOOP_API_KEY": KEY},
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    return proc.stdout


def test_summary_escapes_markup_control_characters_and_the_key(tmp_path: Path) -> None:
    message = f"a | b <script>x</script>\x9b line\nbreak {KEY}"
    summary = {
        "target_url": "http://127.0.0.1:1/v5",
        "profile": "ci",
        "seed": 0,
        "requests": {"sent": 3},
        "totals": {"failures": 1, "warnings": 0},
        "rules": {"auth_enforced": {"status": "fail", "passed": 1, "failed": 1, "warned": 0}},
        "failures": [{"id": "F001", "rule": "auth_enforced", "message": message}],
    }
    page = render(tmp_path, summary, 1)
    assert page.startswith("## promptlog-contract: FAIL (exit 1)")
    assert "| `auth_enforced` | fail | 1 | 1 | 0 |" in page
    assert r"a \| b &lt;script&gt;x&lt;/script&gt;\x9b line break [REDACTED]" in page
    assert KEY not in page and "<script>" not in page and "\x9b" not in page


def test_summary_says_so_when_no_report_was_written(tmp_path: Path) -> None:
    proc = subprocess.run(
        [sys.executable, str(SCRIPT), str(tmp_path / "missing.json"), "3"],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    assert proc.stdout.startswith("## promptlog-contract: UNHEALTHY (exit 3)")
    assert "No summary.json was written" in proc.stdout

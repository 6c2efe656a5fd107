"""report.html as a real browser renders it (headless Chromium, no network)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from promptlog_contract.reporting import write_reports
from promptlog_contract.types import RunResult

pytestmark = pytest.mark.slow


def _chromium() -> str:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    if Path("/usr/bin/chromium").exists():
        return "/usr/bin/chromium"
    pytest.skip("chromium is not installed (apt-get install chromium); browser rendering untested")


def _run(browser: str, profile: Path, *args: str) -> subprocess.CompletedProcess[str]:
    command = [
        browser,
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        f"--user-data-dir={profile}",
        *args,
    ]
    return subprocess.run(command, capture_output=True, text=True, timeout=180, check=False)


def test_report_renders_in_headless_chromium(failing_result: RunResult, tmp_path: Path) -> None:
    browser = _chromium()
    report_dir = tmp_path / "reports"
    page = write_reports(failing_result, report_dir)["html"]
    url = page.resolve().as_uri()

    dom = _run(browser, tmp_path / "profile", "--dump-dom", url)
    assert dom.returncode == 0, dom.stderr[-2000:]
    assert '<div class="verdict">FAIL</div>' in dom.stdout
    assert "metadata changed although the PATCH did not send it" in dom.stdout
    assert "never exercised" in dom.stdout

    shot = report_dir / "report.png"
    result = _run(
        browser, tmp_path / "profile", f"--screenshot={shot}", "--window-size=1280,2000", url
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"

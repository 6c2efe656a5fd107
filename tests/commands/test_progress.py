"""A long run announces its budget and shows the time left.

On a terminal one line is redrawn in place; in a CI log, plain lines.
"""

from __future__ import annotations

import io
import time
from pathlib import Path

import pytest

from promptlog_contract.cli import main
from promptlog_contract.commands import run as run_command
from promptlog_contract.commands._progress import Progress, budget_line, duration
from promptlog_contract.engine import RunConfig
from promptlog_contract.errors import ConfigurationError


class Terminal(io.StringIO):
    def __init__(self, tty: bool) -> None:
        super().__init__()
        self._tty = tty

    def isatty(self) -> bool:
        return self._tty


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.mark.parametrize(
    ("seconds", "text"),
    [(0, "0s"), (4.4, "4s"), (59.6, "1m0s"), (90, "1m30s"), (600, "10m0s"), (3725, "1h2m5s")],
)
def test_duration_reads_like_a_budget(seconds: float, text: str) -> None:
    assert duration(seconds) == text


def test_budget_line_of_the_default_fuzz_run() -> None:
    line = budget_line(RunConfig(profile="fuzz", max_time=600.0))
    assert line is not None
    assert line.startswith("fuzz: budget 10m0s (--max-time), rate 10/s, 2 workers, ")
    assert "target the bundled mock" in line


def test_budget_line_names_every_limit() -> None:
    config = RunConfig(
        profile="staging",
        base_url="http://127.0.0.1:9/v5",
        prompt_id="pr_1",
        log_id="log_1",
        max_requests=500,
    )
    assert budget_line(config) == (
        "staging: 500 requests at most (--max-requests), rate 5/s, 1 worker, "
        "target http://127.0.0.1:9/v5; Ctrl-C stops early and still reports"
    )


def test_quick_run_announces_nothing() -> None:
    assert budget_line(RunConfig(profile="ci")) is None
    assert budget_line(RunConfig(profile="ci", max_time=90.0)) is not None


def _drive(stream: Terminal, clock: Clock) -> None:
    with Progress(stream, label="fuzz", max_time=600.0, every_s=0.01, clock=clock) as progress:
        progress.phase("probes")
        clock.now += 60
        progress.phase("bodies: round 1, seed 7")
        time.sleep(0.1)  # the ticker redraws several times
        clock.now += 540


def test_terminal_line_is_redrawn_in_place_with_time_left() -> None:
    stream, clock = Terminal(tty=True), Clock()
    _drive(stream, clock)
    out = stream.getvalue()
    assert "\n" not in out  # one line, redrawn
    assert "\r\x1b[2K» probes · 0s elapsed, 10m0s left" in out
    assert "\r\x1b[2K» bodies: round 1, seed 7 · 1m0s elapsed, 9m0s left" in out
    assert out.count("1m0s elapsed") >= 3  # the ticker, not only the phase change
    assert out.endswith("\r\x1b[2K")  # cleared for the verdict


def test_plain_output_has_phase_lines_and_periodic_lines() -> None:
    stream, clock = Terminal(tty=False), Clock()
    _drive(stream, clock)
    lines = stream.getvalue().splitlines()
    assert "\r" not in stream.getvalue() and "\x1b" not in stream.getvalue()
    assert lines[:2] == ["» probes", "» bodies: round 1, seed 7"]
    assert "» fuzz: 1m0s elapsed, 9m0s left (bodies: round 1, seed 7)" in lines


def test_plain_output_is_every_30_seconds_by_default() -> None:
    assert Progress(Terminal(tty=False), label="ci", max_time=None).every_s == 30.0
    assert Progress(Terminal(tty=True), label="ci", max_time=None).every_s == 1.0


def test_fuzz_announces_its_default_budget(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    seen: list[RunConfig] = []

    def fake_run(config: RunConfig) -> None:
        seen.append(config)
        raise ConfigurationError("stopped by the test")

    monkeypatch.setattr(run_command, "run", fake_run)
    assert main(["fuzz", "--report-dir", str(tmp_path)]) == 2
    err = capsys.readouterr().err.splitlines()
    assert err[0].startswith("» fuzz: budget 10m0s (--max-time), rate 10/s, 2 workers")
    assert seen[0].max_time == 600.0 and seen[0].progress is not None
    assert main(["fuzz", "--report-dir", str(tmp_path), "--quiet"]) == 2
    assert capsys.readouterr().err == "promptlog-contract: error: stopped by the test\n"
    assert seen[1].progress is None


@pytest.mark.socket
def test_budgeted_run_announces_then_reports_phases(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["run", "--max-time", "3s", "--no-schemathesis", "--report-dir", str(tmp_path)])
    captured = capsys.readouterr()
    # The verdict is not the point here (main's faithful mock run is inconclusive until the
    # concurrency and sibling rounds land); what the run says on the way is.
    assert code in (0, 3), captured
    assert "Traceback" not in captured.err
    lines = captured.err.splitlines()
    assert lines[0].startswith("» ci: budget 3s (--max-time), no rate limit, 2 workers")
    assert "» probes: auth, unknown log, open questions, raw requests" in lines
    assert "(--max-time)" not in captured.out  # stdout keeps the verdict only

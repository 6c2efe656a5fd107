"""Exit codes: 3 for a target that cannot be tested, 2 for usage errors (one line, no traceback).

CI gates on these numbers, so each is driven through `main` as a user would
drive it, with stderr read back.
"""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

from promptlog_contract.cli import main
from promptlog_contract.engine import RunConfig, run
from promptlog_contract.errors import ConfigurationError
from promptlog_contract.mock import running_mock
from promptlog_contract.reporting import junit_counts, validate_summary


def exit_code(argv: list[str]) -> int:
    """`main(argv)`, counting argparse's SystemExit as a return."""
    try:
        return main(argv)
    except SystemExit as exc:
        return exc.code if isinstance(exc.code, int) else 1


def assert_one_line_error(err: str) -> None:
    assert "Traceback" not in err, err
    lines = err.splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("promptlog-contract: error: "), err


@pytest.fixture
def closed_port() -> Iterator[int]:
    """A loopback port that refuses connections: bound (so nobody else takes it), not listening."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    try:
        yield int(sock.getsockname()[1])
    finally:
        sock.close()


@pytest.mark.socket
def test_unreachable_exit_code_holds(
    closed_port: int, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"http://127.0.0.1:{closed_port}/v5"
    code = main(
        ["run", "--base-url", url, "--api-key", "k-unreachable", "--report-dir", str(tmp_path)]
    )
    out = capsys.readouterr()
    assert code == 3, out
    assert "Traceback" not in out.err
    summary = json.loads((tmp_path / "summary.json").read_text("utf-8"))
    validate_summary(summary)
    assert summary["verdict"] == "unhealthy"
    assert summary["exit_code"] == 3
    assert "cannot reach" in summary["unhealthy"]
    # It gave up at once rather than retrying the dead target.
    assert summary["requests"]["sent"] <= 2
    assert junit_counts(tmp_path / "junit.xml")["errors"] == 1


BAD_FLAGS = {
    "rate_limit_not_a_rate": ["--rate-limit", "abc"],
    "negative_max_time": ["--max-time", "-5"],
    "ftp_base_url": ["--base-url", "ftp://x", "--api-key", "k"],
    "zero_workers": ["--workers", "0"],
    "prompt_id_without_log_id": ["--prompt-id", "pr_1"],
    "unknown_mock_fault": ["--mock-fault", "no_such_fault"],
    "unknown_profile": ["--profile", "nope"],
    "budget_smaller_than_setup": ["--max-requests", "3", "--no-schemathesis"],
    "budget_judges_nothing": ["--max-requests", "5", "--no-schemathesis", "--quiet"],
}


@pytest.mark.parametrize("flags", list(BAD_FLAGS.values()), ids=list(BAD_FLAGS))
def test_usage_error_exit_code_holds(
    flags: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = exit_code(["run", "--report-dir", str(tmp_path), *flags])
    err = capsys.readouterr().err
    assert code == 2, err
    assert_one_line_error(err)


def test_replay_of_missing_report_exit_code_holds(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = exit_code(["replay", "F001", "--report-dir", str(tmp_path), "--api-key", "k"])
    err = capsys.readouterr().err
    assert code == 2, err
    assert_one_line_error(err)


@pytest.mark.socket
def test_wrong_api_key_exit_code_holds(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with running_mock(api_keys=("the-right-key-123",)) as base_url:
        code = main(
            [
                *("run", "--base-url", base_url, "--api-key", "a-wrong-key-456"),
                *("--report-dir", str(tmp_path), "--no-schemathesis"),
            ]
        )
    out = capsys.readouterr()
    assert code == 2, out
    assert_one_line_error(out.err)
    assert "API key" in out.err
    assert "a-wrong-key-456" not in out.err + out.out


@pytest.mark.socket
def test_vacuous_budget_rejected_holds() -> None:
    # Nothing would be tested, so a pass (exit 0) would be vacuous.
    with pytest.raises(ConfigurationError, match="--max-requests"):
        run(RunConfig(max_requests=3, schemathesis=False))

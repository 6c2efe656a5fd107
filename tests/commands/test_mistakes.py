"""Configuration mistakes end in exit 2 and one line naming the fix, before anything is judged.

Each mistake is made the way a user makes it, against loopback servers: a
log id that does not exist, a base URL without /v5, https:// to a plain-HTTP
port, an unusable --report-dir, a port out of range. `diff` answers the same
mistakes with the same exit codes as `run`.
"""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

from promptlog_contract.engine._mistakes import v5_hint
from promptlog_contract.mock import running_mock
from tests.engine._servers import json_answer, serving
from tests.engine.test_engine_exit_codes import exit_code

KEY = "mistakes-key-0123456789"

pytestmark = pytest.mark.socket


def one_line(err: str) -> str:
    """The one error line of a failed command (no traceback, no progress lines)."""
    assert "Traceback" not in err, err
    lines = [line for line in err.splitlines() if not line.startswith("»")]
    assert len(lines) == 1, err
    assert lines[0].startswith("promptlog-contract: error: "), err
    return lines[0]


@pytest.fixture(scope="module")
def mock_url() -> Iterator[str]:
    with running_mock(api_keys=(KEY,)) as url:
        yield url


@pytest.fixture
def closed_port() -> Iterator[int]:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    try:
        yield int(sock.getsockname()[1])
    finally:
        sock.close()


# --- a log that does not exist ---


def test_nonexistent_log_is_a_configuration_error(
    mock_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = exit_code(
        [
            *("run", "--base-url", mock_url, "--api-key", KEY, "--report-dir", str(tmp_path)),
            *("--prompt-id", "pr_nope", "--log-id", "log_nope", "--no-schemathesis"),
        ]
    )
    line = one_line(capsys.readouterr().err)
    assert code == 2
    assert "log log_nope not found under prompt pr_nope" in line
    assert not (tmp_path / "summary.json").exists()  # nothing was judged


def test_log_of_another_prompt_is_a_configuration_error(
    mock_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import httpx

    with httpx.Client(base_url=mock_url, headers={"X-API-KEY": KEY}) as client:
        made = client.post("/prompts/log", json={"path": "mistakes/other", "output": "x"}).json()
    code = exit_code(
        [
            *("run", "--base-url", mock_url, "--api-key", KEY, "--report-dir", str(tmp_path)),
            *("--prompt-id", "pr_someone_else", "--log-id", made["id"], "--no-schemathesis"),
        ]
    )
    line = one_line(capsys.readouterr().err)
    assert code == 2
    assert f"belongs to prompt {made['prompt_id']}, not pr_someone_else" in line


def test_existing_log_without_get_is_checked_by_a_patch(tmp_path: Path) -> None:
    # No GET /logs/{id}: the empty PATCH decides, and here it finds the log.
    def answer(
        method: str, path: str, headers: dict[str, str], body: bytes
    ) -> tuple[int, dict[str, str], bytes]:
        if method == "GET":
            return json_answer(404, b'{"detail": "Not Found"}')
        return json_answer(404 if "log_missing" in path else 500, b'{"detail": "x"}')

    with serving(answer) as served:
        code = exit_code(
            [
                *("run", "--base-url", served.base_url, "--api-key", KEY),
                *("--report-dir", str(tmp_path), "--prompt-id", "pr_1", "--log-id", "log_here"),
                *("--no-schemathesis", "--max-requests", "40", "--quiet"),
            ]
        )
        assert ("PATCH", "/v5/prompts/pr_1/log/log_here") in served.seen
    assert code != 2  # judged (this server fails everything): not a wrong-id error


# --- a base URL without /v5 ---


@pytest.mark.parametrize(
    ("url", "hint"),
    [
        ("http://h:8000", "did you mean http://h:8000/v5?"),
        ("http://h:8000/", "did you mean http://h:8000/v5?"),
        ("https://api.example/v4", "did you mean https://api.example/v5?"),
        ("http://h/api", "did you mean http://h/api/v5?"),
    ],
)
def test_v5_hint_names_the_likely_url(url: str, hint: str) -> None:
    assert v5_hint(url) == hint


def test_v5_hint_is_silent_when_v5_is_there() -> None:
    assert v5_hint("http://h:8000/v5") is None
    assert v5_hint("http://h/api/v5/") is None


@pytest.mark.parametrize("command", ["run", "diff"])
def test_missing_v5_is_a_configuration_error_with_a_hint(
    command: str, mock_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    without = mock_url.removesuffix("/v5")
    code = exit_code(
        [command, "--base-url", without, "--api-key", KEY, "--report-dir", str(tmp_path)]
    )
    line = one_line(capsys.readouterr().err)
    assert code == 2
    assert f"did you mean {mock_url}?" in line
    assert "--prompt-id" not in line  # not the old, wrong advice


def test_missing_v5_with_a_user_log_gets_the_hint(
    mock_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    without = mock_url.removesuffix("/v5")
    code = exit_code(
        [
            *("run", "--base-url", without, "--api-key", KEY, "--report-dir", str(tmp_path)),
            *("--prompt-id", "pr_1", "--log-id", "log_1"),
        ]
    )
    line = one_line(capsys.readouterr().err)
    assert code == 2
    assert "not found under prompt pr_1" in line and f"did you mean {mock_url}?" in line


# --- https:// to a plain-HTTP port ---


@pytest.mark.parametrize("command", ["run", "diff"])
def test_tls_to_a_plain_port_suggests_http(
    command: str, mock_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    tls_url = mock_url.replace("http://", "https://")
    code = exit_code(
        [command, "--base-url", tls_url, "--api-key", KEY, "--report-dir", str(tmp_path)]
    )
    line = one_line(capsys.readouterr().err)
    assert code == 2
    assert f"did you mean {mock_url}?" in line
    assert "[SSL" not in line and "_ssl.c" not in line


# --- --report-dir, checked before anything is sent ---


def _unusable_dirs(tmp_path: Path) -> dict[str, tuple[Path, str]]:
    a_file = tmp_path / "a-file"
    a_file.write_text("x", encoding="utf-8")
    return {
        "a file": (a_file, "is a file"),
        "parent is a file": (a_file / "reports", "cannot be created"),
    }


@pytest.mark.parametrize("case", ["a file", "parent is a file", "not writable"])
@pytest.mark.parametrize("command", ["run", "fuzz", "diff"])
def test_unusable_report_dir_is_exit_2_before_anything_is_sent(
    command: str, case: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    if case == "not writable":
        if not Path("/proc/self").is_dir():
            pytest.skip("needs /proc (a directory nobody can write, root included)")
        report_dir, expected = Path("/proc"), "is not writable"
    else:
        report_dir, expected = _unusable_dirs(tmp_path)[case]
    with serving(lambda *_: json_answer(500)) as served:
        code = exit_code(
            [
                command,
                "--base-url",
                served.base_url,
                "--api-key",
                KEY,
                "--report-dir",
                str(report_dir),
            ]
        )
        assert served.seen == []
    line = one_line(capsys.readouterr().err)
    assert code == 2
    assert f"--report-dir {report_dir} {expected}" in line


@pytest.mark.parametrize("command", [["selfcheck", "--no-peers"], ["load", "--run-time", "1s"]])
def test_unusable_report_dir_stops_long_commands_at_once(
    command: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    a_file = tmp_path / "a-file"
    a_file.write_text("x", encoding="utf-8")
    assert exit_code([*command, "--report-dir", str(a_file)]) == 2
    assert "is a file" in one_line(capsys.readouterr().err)


# --- ports ---


@pytest.mark.parametrize(
    "argv",
    [
        ["mock", "--port", "99999"],
        ["mock", "--port", "-1"],
        ["mock", "--port", "http"],
        ["load", "--master", "--master-port", "70000"],
    ],
)
def test_port_out_of_range_is_one_line_and_exit_2(
    argv: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    assert exit_code(argv) == 2
    line = one_line(capsys.readouterr().err)
    assert "port" in line


# --- diff and run: the same mistake, the same exit code ---


@pytest.mark.parametrize("mistake", ["wrong key", "no key", "ftp url", "unreachable"])
def test_diff_and_run_agree_on_exit_codes(
    mistake: str,
    mock_url: str,
    closed_port: int,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    flags = {
        "wrong key": ["--base-url", mock_url, "--api-key", "a-wrong-key-456"],
        "no key": ["--base-url", mock_url],
        "ftp url": ["--base-url", "ftp://x", "--api-key", KEY],
        "unreachable": ["--base-url", f"http://127.0.0.1:{closed_port}/v5", "--api-key", KEY],
    }[mistake]
    codes = {}
    for command in ("run", "diff"):
        codes[command] = exit_code(
            [command, *flags, "--report-dir", str(tmp_path / command), "--quiet"]
            if command == "run"
            else [command, *flags, "--report-dir", str(tmp_path / command)]
        )
        capsys.readouterr()
    assert codes["diff"] == codes["run"], codes
    assert codes["run"] == (3 if mistake == "unreachable" else 2)

"""A setup problem is one line and one exit code for the whole session, never one per rule.

Wrong key and bad settings end the session with exit 2, a target that is down
with exit 3; in one process and under xdist alike, without a traceback and
without the key anywhere in the output.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from promptlog_contract.mock import running_mock

from ._run import pytest_in

SUITE = ("--pyargs", "promptlog_contract.conformance", "-q")
RIGHT_KEY = "plugin-right-key-0123"
WRONG_KEY = "plugin-wrong-key-4567"


@pytest.fixture(scope="module")
def mock_url() -> Iterator[str]:
    with running_mock(api_keys=(RIGHT_KEY,)) as base_url:
        yield base_url


def errored_items(output: str) -> int:
    return sum(line.startswith("ERROR ") for line in output.splitlines())


def assert_one_line(output: str, line: str) -> None:
    assert output.count(line) >= 1, output[-3000:]
    assert "Traceback" not in output, output[-3000:]
    assert "was never exercised" not in output, output[-3000:]
    assert WRONG_KEY not in output and RIGHT_KEY not in output


@pytest.mark.socket
@pytest.mark.parametrize("xdist", [(), ("-p", "xdist", "-n", "2")], ids=["serial", "xdist"])
def test_wrong_key_is_one_configuration_error(
    tmp_path: Path, mock_url: str, xdist: tuple[str, ...]
) -> None:
    proc = pytest_in(
        tmp_path,
        *SUITE,
        *xdist,
        "--promptlog-base-url",
        mock_url,
        env={"HUMANLOOP_API_KEY": WRONG_KEY},
    )
    output = proc.stdout + proc.stderr
    assert proc.returncode == 2, output[-3000:]
    assert_one_line(output, "promptlog-contract: error: the target refused the API key (HTTP 401)")
    # At most one errored item per process, not one per rule.
    assert errored_items(output) <= (2 if xdist else 0), output[-3000:]
    assert " passed" not in output and " failed" not in output


@pytest.mark.socket
@pytest.mark.parametrize("xdist", [(), ("-p", "xdist", "-n", "2")], ids=["serial", "xdist"])
def test_unreachable_target_is_one_unhealthy_error(tmp_path: Path, xdist: tuple[str, ...]) -> None:
    proc = pytest_in(
        tmp_path,
        *SUITE,
        *xdist,
        "--promptlog-base-url",
        "http://127.0.0.1:1/v5",
        "--promptlog-api-key",
        WRONG_KEY,
    )
    output = proc.stdout + proc.stderr
    assert proc.returncode == 3, output[-3000:]
    assert_one_line(output, "promptlog-contract: target unreachable or unhealthy: cannot reach")
    assert errored_items(output) <= (2 if xdist else 0), output[-3000:]


@pytest.mark.parametrize(
    ("flags", "env", "line"),
    [
        (
            ("--promptlog-profile", "nope"),
            {},
            "--promptlog-profile must be one of ci, staging, fuzz",
        ),
        (("--promptlog-seed", "x1"), {}, "--promptlog-seed must be a whole number"),
        (("--promptlog-base-url", "ftp://x"), {}, "--promptlog-base-url must be an http(s) URL"),
        (("--promptlog-base-url", "http://127.0.0.1:1/v5"), {}, "an API key is needed"),
        (("--promptlog-mock-fault", "no_such_fault"), {}, "unknown mock fault(s): no_such_fault"),
        (
            ("--promptlog-mock-fault", "auth_optional"),
            {"HUMANLOOP_BASE_URL": "http://127.0.0.1:1/v5", "HUMANLOOP_API_KEY": WRONG_KEY},
            "--promptlog-mock-fault only applies to the bundled mock",
        ),
    ],
    ids=["profile", "seed", "url", "no_key", "fault_name", "fault_with_url"],
)
def test_bad_setting_is_one_usage_error(
    tmp_path: Path, flags: tuple[str, ...], env: dict[str, str], line: str
) -> None:
    proc = pytest_in(tmp_path, *SUITE, *flags, env=env)
    output = proc.stdout + proc.stderr
    assert proc.returncode == 2, output[-3000:]
    assert_one_line(output, "promptlog-contract: error: ")
    assert line in output, output[-3000:]


def test_report_dir_that_is_a_file_is_a_usage_error(tmp_path: Path) -> None:
    (tmp_path / "reports").write_text("not a directory")
    proc = pytest_in(tmp_path, *SUITE, "--promptlog-report-dir", "reports")
    assert proc.returncode == 2, proc.stdout[-3000:]
    assert_one_line(proc.stdout, "--promptlog-report-dir 'reports' is a file, not a directory")

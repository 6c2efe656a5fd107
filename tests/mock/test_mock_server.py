"""The mock over a real loopback socket: lifecycle, concurrency, and the `mock` command."""

from __future__ import annotations

import argparse
import os
import re
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from promptlog_contract.mock import FAULTS, running_mock
from promptlog_contract.mock._cli import add_parser

pytestmark = pytest.mark.socket

KEY = "socket-key"


def _create(client: httpx.Client, **fields: Any) -> tuple[str, str]:
    response = client.post("/prompts/log", json={"path": "socket/test", "output": "a", **fields})
    assert response.status_code == 200, response.text
    return response.json()["prompt_id"], response.json()["id"]


def test_running_mock_serves_over_a_socket_and_releases_it() -> None:
    with running_mock(api_keys=(KEY,)) as base_url:
        assert re.fullmatch(r"http://127\.0\.0\.1:\d+/v5", base_url)
        with httpx.Client(base_url=base_url, headers={"X-API-KEY": KEY}) as client:
            prompt_id, log_id = _create(client)
            patched = client.patch(f"/prompts/{prompt_id}/log/{log_id}", json={"output": "b"})
            assert patched.status_code == 200 and patched.json()["output"] == "b"
            assert client.get(f"/logs/{log_id}").json() == patched.json()
            assert client.get("/logs/x", headers={"X-API-KEY": "nope"}).status_code == 401
    with pytest.raises(httpx.TransportError):
        httpx.get(f"{base_url}/logs/{log_id}", headers={"X-API-KEY": KEY}, timeout=2)


def test_running_mock_starts_and_stops_fast_many_times() -> None:
    threads_before = threading.active_count()
    for fault in list(FAULTS)[:6]:
        began = time.monotonic()
        with running_mock(faults=[fault]) as base_url:
            assert time.monotonic() - began < 1.0
            response = httpx.get(f"{base_url}/logs/log_x", headers={"X-API-KEY": "mock-key"})
            assert response.status_code in (404, 500)
        assert time.monotonic() - began < 1.5
    assert threading.active_count() == threads_before


def test_running_mock_fixed_port_and_bad_fault() -> None:
    with running_mock() as base_url:
        port = int(base_url.rsplit(":", 1)[1].split("/")[0])
        with pytest.raises(OSError), running_mock(port=port):
            pass  # the port is taken
    with pytest.raises(ValueError, match="valid faults"), running_mock(faults=["nope"]):
        pass


def test_oversized_body_is_413_over_a_socket() -> None:
    with (
        running_mock(api_keys=(KEY,), max_body_bytes=1_000) as base_url,
        httpx.Client(base_url=base_url, headers={"X-API-KEY": KEY}) as client,
    ):
        response = client.post("/prompts/log", json={"path": "p", "output": "x" * 2_000})
        assert response.status_code == 413
        assert "detail" in response.json()
        _create(client)  # the server is still fine


# --- concurrency: one writer thread per field, readers checking monotonic progress ---

ROUNDS = 50
WRITERS: dict[str, Callable[[int], Any]] = {
    "prompt_tokens": lambda j: j,
    "reasoning_tokens": lambda j: j + 1000,
    "output_tokens": lambda j: j + 2000,
    "prompt_cost": lambda j: j / 4,
    "output_cost": lambda j: j / 8,
    "provider_latency": lambda j: j / 2,
    "finish_reason": lambda j: f"reason-{j}",
    "output": lambda j: f"output-{j}",
    "error": lambda j: f"error-{j}",
    "stdout": lambda j: f"stdout-{j}",
    "source": lambda j: f"source-{j}",
    "inputs": lambda j: {"j": j},
    "metadata": lambda j: {"m": j},
    "provider_request": lambda j: {"q": [j]},
    "provider_response": lambda j: {"r": {"j": j}},
    "messages": lambda j: [{"role": "user", "content": f"message-{j}"}],
}
READERS = 16


def _round_of(field: str, value: Any) -> int:
    encode = WRITERS[field]
    for j in range(ROUNDS):
        if encode(j) == value:
            return j
    return -1


def _hammer(*faults: str) -> tuple[list[int], list[str], dict[str, Any], dict[str, Any]]:
    """16 writers (one field each) and 16 readers on one log; statuses, regressions, final."""
    statuses: list[int] = []
    regressions: list[str] = []
    with running_mock(api_keys=(KEY,), faults=faults) as base_url:
        with httpx.Client(base_url=base_url, headers={"X-API-KEY": KEY}) as setup:
            prompt_id, log_id = _create(setup, output=None)
        url = f"/prompts/{prompt_id}/log/{log_id}"
        start = threading.Barrier(len(WRITERS) + READERS)

        def write(field: str) -> None:
            with httpx.Client(base_url=base_url, headers={"X-API-KEY": KEY}) as client:
                start.wait()
                for j in range(ROUNDS):
                    statuses.append(client.patch(url, json={field: WRITERS[field](j)}).status_code)

        def read() -> None:
            seen = dict.fromkeys(WRITERS, -1)
            with httpx.Client(base_url=base_url, headers={"X-API-KEY": KEY}) as client:
                start.wait()
                for _ in range(ROUNDS):
                    response = client.get(f"/logs/{log_id}")
                    statuses.append(response.status_code)
                    if response.status_code != 200:
                        continue
                    for field, value in response.json().items():
                        if field in seen:
                            j = _round_of(field, value)
                            if j < seen[field]:
                                regressions.append(f"{field} went from {seen[field]} to {j}")
                            seen[field] = j

        threads = [threading.Thread(target=write, args=(field,)) for field in WRITERS]
        threads += [threading.Thread(target=read) for _ in range(READERS)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
        with httpx.Client(base_url=base_url, headers={"X-API-KEY": KEY}) as check:
            final = check.get(f"/logs/{log_id}").json()
    expected = {field: encode(ROUNDS - 1) for field, encode in WRITERS.items()}
    return statuses, regressions, {field: final[field] for field in WRITERS}, expected


@pytest.mark.slow
def test_concurrent_patches_of_disjoint_fields_lose_nothing() -> None:
    statuses, regressions, final, expected = _hammer()
    assert len(statuses) == (len(WRITERS) + READERS) * ROUNDS
    assert set(statuses) == {200}
    assert regressions == []
    assert final == expected


@pytest.mark.slow
def test_concurrent_patches_catch_clear_omitted_fields() -> None:
    statuses, regressions, final, expected = _hammer("clear_omitted_fields")
    assert set(statuses) == {200}
    assert final != expected and regressions != []


# --- the `mock` command ---


def _parse(*argv: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="promptlog-contract")
    add_parser(parser.add_subparsers(dest="command"))
    return parser.parse_args(argv)


def test_cli_lists_faults(capsys: pytest.CaptureFixture[str]) -> None:
    args = _parse("mock", "--list-faults")
    assert args.func(args) == 0
    lines = capsys.readouterr().out.splitlines()
    assert [line.split()[0] for line in lines] == list(FAULTS)
    assert all(FAULTS[line.split()[0]] in line for line in lines)


def test_cli_rejects_unknown_fault_in_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    args = _parse("mock", "--fault", "drop_evaluator_logs", "--fault", "made_up")
    assert args.func(args) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.count("\n") == 1 and "made_up" in captured.err


def test_cli_reports_a_taken_port_in_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    with running_mock() as base_url:
        port = base_url.rsplit(":", 1)[1].split("/")[0]
        args = _parse("mock", "--port", port, "--api-key", "k")
        assert args.func(args) == 1
    captured = capsys.readouterr()
    assert captured.err.count("\n") == 1 and "cannot listen" in captured.err
    assert "Traceback" not in captured.err


_RUN_CLI = """
import argparse, sys
from promptlog_contract.mock._cli import add_parser
parser = argparse.ArgumentParser()
add_parser(parser.add_subparsers())
args = parser.parse_args(sys.argv[1:])
sys.exit(args.func(args))
"""


@pytest.mark.parametrize("given_key", [None, "my-cli-key"])
def test_cli_serves_prints_key_and_stops_cleanly_on_ctrl_c(given_key: str | None) -> None:
    argv = ["mock", "--port", "0", "--fault", "drop_evaluator_logs"]
    argv += ["--api-key", given_key] if given_key else []
    process = subprocess.Popen(
        [sys.executable, "-c", _RUN_CLI, *argv],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env={**os.environ, "PYTHONIOENCODING": "utf-8"},
    )
    try:
        assert process.stdout is not None
        first = process.stdout.readline().decode()
        second = process.stdout.readline().decode()
        match = re.fullmatch(
            r"Mock listening on (http://127\.0\.0\.1:\d+/v5) — use X-API-KEY: (\S+)\n", first
        )
        assert match, first
        base_url, key = match.groups()
        assert key == given_key or (given_key is None and len(key) >= 20)
        assert second == "Active faults: drop_evaluator_logs\n"
        with httpx.Client(base_url=base_url, headers={"X-API-KEY": key}) as client:
            prompt_id, log_id = _create(client)
            body = client.patch(f"/prompts/{prompt_id}/log/{log_id}", json={}).json()
            assert "evaluator_logs" not in body
    finally:
        process.send_signal(signal.SIGINT)
        _, err = process.communicate(timeout=10)
    assert process.returncode == 0
    assert b"Traceback" not in err and b"KeyboardInterrupt" not in err
    assert key.encode() not in err


def test_cli_help_mentions_every_option(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        _parse("mock", "--help")
    help_text = capsys.readouterr().out
    for option in ("--host", "--port", "--api-key", "--fault", "--list-faults", "--max-body-bytes"):
        assert option in help_text

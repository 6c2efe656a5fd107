"""`promptlog-contract load`: flags, the processes of a run, and the exit code.

Three roles, as Locust has: on one machine (the default) the command starts
the mock if needed, a Locust master and `--processes` local workers; with
`--master` it starts only the master and waits for `--expect-workers`
workers from anywhere; with `--worker` it joins a master. The node that ran
the master deletes the scratch logs and writes the reports.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import secrets
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from ._engine import (
    EXIT_UNHEALTHY,
    UsageError,
    check_report_dir,
    check_url,
    parse_duration,
    parse_rate,
    positive_int,
)

__all__ = ["add_parser", "handler"]

MISSING_EXTRA = "the load job needs the extra: pip install 'promptlog-contract[load]'"
POOL_SIZE = 200
_JOIN_GRACE_S = 90.0


def add_parser(subparsers: Any) -> None:
    """Register the `load` subcommand."""
    p = subparsers.add_parser(
        "load",
        help="check the contract under load (Locust; needs the [load] extra)",
        description="A headless Locust run in which every response is judged by the suite's "
        "rules; one machine by default, or --master/--worker across machines.",
        epilog="exit codes:\n"
        "  0   the target conforms under load\n"
        "  1   contract violations\n"
        "  2   usage or configuration error (one line on stderr)\n"
        "  3   target unreachable or unhealthy, the --p99 objective missed, or interrupted\n"
        "      (Ctrl-C, SIGTERM) before --run-time ended",
    )
    p.add_argument(
        "--base-url",
        default=os.environ.get("HUMANLOOP_BASE_URL"),
        metavar="URL",
        help="target base URL including /v5 (default: $HUMANLOOP_BASE_URL, else the bundled "
        "mock in a process of its own)",
    )
    p.add_argument(
        "--api-key",
        default=os.environ.get("HUMANLOOP_API_KEY"),
        metavar="KEY",
        help="X-API-KEY (default: $HUMANLOOP_API_KEY); never printed",
    )
    p.add_argument(
        "--users", type=positive_int, default=10, metavar="N", help="simulated users in all"
    )
    p.add_argument(
        "--spawn-rate",
        type=parse_rate,
        default=10.0,
        metavar="RATE",
        help="users started per second, e.g. 10/s (default: 10/s)",
    )
    p.add_argument(
        "--run-time",
        type=parse_duration,
        default=60.0,
        metavar="DURATION",
        help="how long the users send: 90, 90s, 5m or 1h (default: 60s)",
    )
    p.add_argument(
        "--processes",
        type=positive_int,
        default=1,
        help="Locust worker processes to start on this machine (also with --worker)",
    )
    p.add_argument(
        "--rate-limit",
        type=parse_rate,
        metavar="RATE",
        help="requests per second in all, e.g. 50/s (default: none)",
    )
    p.add_argument(
        "--report-dir",
        type=Path,
        default=Path("reports"),
        metavar="DIR",
        help="where the reports and load-logs/ go; checked before anything starts",
    )
    p.add_argument("--seed", type=int, default=0, metavar="N", help="seed of the drawn bodies")
    p.add_argument("--strict", action="store_true", help="fail on documented-open behaviour")
    p.add_argument("--p99", type=float, metavar="MS", help="latency objective: p99 in ms (exit 3)")
    p.add_argument(
        "--mock-fault",
        action="append",
        default=[],
        metavar="NAME",
        help="seed a fault into the bundled mock (testing the suite itself)",
    )
    role = p.add_mutually_exclusive_group()
    role.add_argument("--master", action="store_true", help="run only the master")
    role.add_argument("--worker", action="store_true", help="join a master as a worker")
    p.add_argument("--master-host", default="127.0.0.1", help="worker: the master's address")
    p.add_argument(
        "--master-bind-host", default="*", help="master: address to listen on (* for all)"
    )
    p.add_argument(
        "--master-port",
        type=_port,
        default=5557,
        metavar="PORT",
        help="master: port to listen on; worker: the master's port",
    )
    p.add_argument(
        "--expect-workers",
        type=positive_int,
        default=1,
        help="master: workers to wait for before starting",
    )
    p.add_argument(
        "--plain-users",
        action="store_true",
        help="benchmarking: as many users again, in worker processes of their own, sending "
        "the same requests and judging nothing",
    )
    p.add_argument("--quiet", action="store_true", help="only the verdict line")
    p.set_defaults(func=handler)


def _port(text: str) -> int:
    value = positive_int(text)
    if value > 65535:
        raise argparse.ArgumentTypeError(f"a port is 1 to 65535, not {value}")
    return value


def handler(args: argparse.Namespace) -> int:
    """Run the job in the role the flags say; return the exit code."""
    if importlib.util.find_spec("locust") is None:
        raise UsageError(MISSING_EXTRA)
    # SIGTERM (a CI job cancelled, a pod stopped) ends the run as Ctrl-C does: logs still go.
    previous = signal.signal(signal.SIGTERM, _interrupt)
    try:
        return _run(args)
    finally:
        signal.signal(signal.SIGTERM, previous)


def _run(args: argparse.Namespace) -> int:
    base_url = check_url(args.base_url) if args.base_url else None
    if not args.worker:
        check_report_dir(args.report_dir)
    if args.mock_fault and base_url:
        raise UsageError("--mock-fault only applies to the bundled mock (drop --base-url)")
    if base_url and not args.api_key:
        raise UsageError("an API key is needed (--api-key or HUMANLOOP_API_KEY)")
    if args.plain_users and (args.master or args.worker):
        raise UsageError("--plain-users is for one-machine runs (drop --master/--worker)")
    if args.worker:
        if not base_url:
            raise UsageError("a worker needs the target: --base-url (and --api-key)")
        return _worker(args, base_url)
    if args.master and not base_url and not args.api_key:
        raise UsageError("--master with the bundled mock needs --api-key (the workers need it)")
    from promptlog_contract.mock import FAULTS

    unknown = [f for f in args.mock_fault if f not in FAULTS]
    if unknown:
        raise UsageError(f"unknown mock fault(s): {', '.join(unknown)} (see `mock --list-faults`)")
    with _target(base_url, args) as (url, key):
        return _master(args, url, key)


def _interrupt(_signo: int, _frame: Any) -> None:
    raise KeyboardInterrupt


@contextmanager
def _target(base_url: str | None, args: argparse.Namespace) -> Iterator[tuple[str, str]]:
    if base_url:
        yield base_url, str(args.api_key)
        return
    from ._processes import running_bundled_mock

    with running_bundled_mock(args.mock_fault, args.api_key) as (url, key):
        if args.master and not args.quiet:
            print(f"» bundled mock at {url}", file=sys.stderr)
        yield url, key


def _pool_file(directory: Path, seed: int) -> Path:
    from ._pool import draw_pool, write_pool

    path = directory / "pool.json"
    write_pool(draw_pool(POOL_SIZE, POOL_SIZE, seed), path)
    return path


def _worker(args: argparse.Namespace, base_url: str) -> int:
    from ._processes import locust_command, start_node, stop

    with tempfile.TemporaryDirectory(prefix="promptlog-contract-load-") as tmp:
        pool = _pool_file(Path(tmp), args.seed)
        command = locust_command(
            ["--worker", "--master-host", args.master_host, "--master-port", str(args.master_port)]
        )
        nodes = [
            start_node(
                f"worker-{i}", command, None, base_url=base_url, api_key=args.api_key, pool=pool
            )
            for i in range(args.processes)
        ]
        try:
            codes = [node.process.wait() for node in nodes]
        except KeyboardInterrupt:
            codes = [130]
        finally:
            stop(nodes)
    if any(codes):
        print(f"promptlog-contract: a Locust worker ended with code {max(codes)}", file=sys.stderr)
        return EXIT_UNHEALTHY
    return 0


def _master(args: argparse.Namespace, base_url: str, api_key: str) -> int:
    from ._processes import free_port, locust_command, start_node, stop

    run_id = secrets.token_hex(4)
    started_at = datetime.now(UTC).isoformat(timespec="seconds")
    started = time.monotonic()
    report_dir: Path = args.report_dir
    logs_dir = report_dir / "load-logs"
    local = not args.master
    port = free_port() if local else args.master_port
    # --plain-users: as many worker processes again, whose users judge nothing (benchmarking).
    workers = (args.processes if local else args.expect_workers) * (2 if args.plain_users else 1)
    users = args.users * (2 if args.plain_users else 1)
    with tempfile.TemporaryDirectory(prefix="promptlog-contract-load-") as tmp:
        state_path = Path(tmp) / "state.json"
        master_args = [
            "--headless", "--master",
            "--master-bind-host", "127.0.0.1" if local else args.master_bind_host,
            "--master-bind-port", str(port),
            "--expect-workers", str(workers), "--expect-workers-max-wait", "60",
            "--users", str(users), "--spawn-rate", f"{args.spawn_rate:g}",
            "--plc-run-id", run_id, "--plc-run-seconds", f"{args.run_time:g}",
            "--plc-users", str(users), "--plc-rate", f"{args.rate_limit or 0:g}",
            "--plc-state", str(state_path), "--only-summary",
            *(["--plc-strict"] if args.strict else []),
            "CheckedUser",
        ]  # fmt: skip
        nodes = [start_node("master", locust_command(master_args), logs_dir / "master.log")]
        if not args.quiet:
            where = "locally" if local else f"on port {port}"
            print(f"» load: {users} users, {workers} worker(s) {where}, "
                  f"{args.run_time:g}s, run {run_id}", file=sys.stderr)  # fmt: skip
        try:
            if local:
                pool = _pool_file(Path(tmp), args.seed)
                worker_args = ["--worker", "--master-host", "127.0.0.1", "--master-port", str(port)]
                nodes += [
                    start_node(
                        f"worker-{i}",
                        locust_command(worker_args),
                        logs_dir / f"worker-{i}.log",
                        base_url=base_url,
                        api_key=api_key,
                        pool=pool,
                        plain=i >= args.processes,
                    )
                    for i in range(workers)
                ]
            interrupted = _wait(nodes[0], args.run_time + _JOIN_GRACE_S)
        finally:
            # The master first, alone: on SIGTERM Locust still writes its state file.
            stop(nodes[:1], grace_s=15.0)
            stop(nodes)
        state = _read_state(state_path)
    if interrupted and not state.get("unhealthy"):
        state["unhealthy"] = "interrupted before the end of --run-time"
    return _finish(args, state, base_url, api_key, started_at, time.monotonic() - started)


def _wait(master: Any, timeout_s: float) -> bool:
    """Wait for the Locust master to end; True if the wait was interrupted (Ctrl-C, SIGTERM)."""
    try:
        master.process.wait(timeout=timeout_s)
    except subprocess.TimeoutExpired:
        return True
    except KeyboardInterrupt:
        return True
    return False


def _read_state(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {"unhealthy": "the Locust master ended without writing its state (see load-logs)"}
    return data if isinstance(data, dict) else {}


def _finish(
    args: argparse.Namespace,
    state: dict[str, Any],
    base_url: str,
    api_key: str,
    started_at: str,
    duration_s: float,
) -> int:
    from promptlog_contract import contract
    from promptlog_contract.types import RunResult

    from ._engine import print_verdict
    from ._master import LoadSettings, cleanup, merge
    from ._report import write_load_reports

    result = RunResult(
        target_url=base_url,
        seed=args.seed,
        profile="load",
        strict=args.strict,
        started_at=started_at,
        contract_hash=contract.contract_hash(),
    )
    settings = LoadSettings(
        users=args.users,
        spawn_rate=args.spawn_rate,
        run_time_s=args.run_time,
        expected_workers=args.expect_workers
        if args.master
        else args.processes * (1 + args.plain_users),
        rate_limit=args.rate_limit,
        p99_ms=args.p99,
    )
    load = merge(state, result, settings)
    ids = [i for ids in load["scratch_logs"]["by_worker"].values() for i in ids]
    problems = cleanup(base_url, api_key, ids)
    load["scratch_logs"]["deleted"] = len(ids) if not problems else None
    load["scratch_logs"]["problems"] = problems
    result.duration_s = round(duration_s, 3)
    paths = write_load_reports(result, load, args.report_dir, secrets=[api_key])
    _scrub_logs(args.report_dir / "load-logs", api_key)
    print_verdict(result, paths, quiet=args.quiet)
    return result.exit_code


def _scrub_logs(directory: Path, secret: str) -> None:
    from ._engine import scrub

    for path in directory.glob("*.log"):
        text = path.read_text(encoding="utf-8", errors="replace")
        cleaned = scrub(text, secret)
        if cleaned != text:
            path.write_text(cleaned, encoding="utf-8")

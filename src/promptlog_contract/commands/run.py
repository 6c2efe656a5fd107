"""`run` and `fuzz`: one engine run against a target (default: the bundled mock), then reports.

`fuzz` is `run` with the fuzz profile: time-budgeted (10 minutes unless told),
rate-limited, a fresh seed each time.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

from promptlog_contract.engine import RunConfig, Stop, run
from promptlog_contract.errors import UsageError, check_url
from promptlog_contract.reporting import (
    BaselineError,
    apply_baseline,
    load_baseline,
    write_reports,
)

from ._console import print_verdict
from ._signals import stopping_on_signals

_FUZZ_DEFAULT_TIME_S = 600.0


def parse_rate(text: str) -> float:
    match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*(?:/s)?\s*", text)
    if not match or float(match.group(1)) <= 0:
        raise argparse.ArgumentTypeError(f"rate must look like 5/s, not {text!r}")
    return float(match.group(1))


def parse_duration(text: str) -> float:
    match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([smh]?)\s*", text)
    if not match or float(match.group(1)) <= 0:
        raise argparse.ArgumentTypeError(
            f"duration must look like 90, 90s, 10m or 1h, not {text!r}"
        )
    return float(match.group(1)) * {"": 1, "s": 1, "m": 60, "h": 3600}[match.group(2)]


def parse_size(text: str) -> int:
    """Bytes from 2097152, 512k, 2M, 2MiB (k/M/G are powers of 1024)."""
    match = re.fullmatch(r"\s*(\d+)\s*(?:([kKmMgG])(?:i?B)?|B)?\s*", text)
    if not match or int(match.group(1)) < 1:
        raise argparse.ArgumentTypeError(f"size must look like 2MiB, 512k or 1048576, not {text!r}")
    unit = (match.group(2) or "").lower()
    return int(match.group(1)) * {"": 1, "k": 1 << 10, "m": 1 << 20, "g": 1 << 30}[unit]


def positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, not {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a number >= 1, not {text!r}")
    return value


def _add_target_options(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--base-url",
        default=os.environ.get("HUMANLOOP_BASE_URL"),
        help="target base URL including /v5 (default: $HUMANLOOP_BASE_URL, "
        "else the bundled mock on a free loopback port)",
    )
    p.add_argument(
        "--api-key",
        default=os.environ.get("HUMANLOOP_API_KEY"),
        help="X-API-KEY for the target (default: $HUMANLOOP_API_KEY); never printed",
    )
    p.add_argument("--prompt-id", help="use this existing log's prompt id instead of scratch logs")
    p.add_argument("--log-id", help="use this existing log instead of scratch logs")
    p.add_argument("--max-examples", type=positive_int, help="valid bodies per round")
    p.add_argument("--max-time", type=parse_duration, help="time budget, e.g. 90s or 10m")
    p.add_argument("--max-requests", type=positive_int, help="request budget")
    p.add_argument("--seed", type=int, help="seed (ci: 0 unless given; fuzz: fresh)")
    p.add_argument(
        "--strict",
        action="store_true",
        help="fail on behaviour the documentation leaves open (warnings)",
    )
    p.add_argument("--report-dir", type=Path, default=Path("reports"))
    p.add_argument("--rate-limit", type=parse_rate, help="requests per second, e.g. 5/s")
    p.add_argument(
        "--timeout", type=parse_duration, default=10.0, help="per-read timeout (default 10s)"
    )
    p.add_argument(
        "--max-request-time",
        type=parse_duration,
        help="connect-to-last-byte limit of one request (default: 3 x --timeout, at least 30s)",
    )
    p.add_argument(
        "--max-response-bytes",
        type=parse_size,
        help="largest response body read, decompressed (default 2MiB); more is a finding",
    )
    p.add_argument("--workers", type=positive_int, help="concurrent scratch logs")
    p.add_argument("--baseline", type=Path, help="known-failure file (see `baseline`)")
    p.add_argument("--no-schemathesis", action="store_true", help="skip the Schemathesis phase")
    p.add_argument(
        "--mock-fault",
        action="append",
        default=[],
        metavar="NAME",
        help="seed a fault into the bundled mock (testing the suite itself)",
    )
    p.add_argument("--quiet", action="store_true", help="only the verdict line")


def add_parser(sub: argparse._SubParsersAction[Any]) -> None:
    run_p = sub.add_parser("run", help="run the suite (default target: the bundled mock)")
    _add_target_options(run_p)
    run_p.add_argument("--profile", choices=("ci", "staging", "fuzz"), default="ci")
    run_p.set_defaults(func=_cmd)
    fuzz_p = sub.add_parser("fuzz", help="time-budgeted, rate-limited fuzzing of a target")
    _add_target_options(fuzz_p)
    fuzz_p.set_defaults(func=_cmd, profile="fuzz")


def _progress(quiet: bool) -> Callable[[str], None] | None:
    if quiet:
        return None
    tty = sys.stderr.isatty()

    def say(line: str) -> None:
        print(
            ("\r\x1b[2K" if tty else "") + f"» {line}",
            end="" if tty else "\n",
            file=sys.stderr,
            flush=True,
        )

    return say


def _cmd(args: argparse.Namespace) -> int:
    base_url = check_url(args.base_url) if args.base_url else None
    if args.mock_fault and base_url:
        raise UsageError("--mock-fault only applies to the bundled mock (drop --base-url)")
    max_time = args.max_time
    if args.profile == "fuzz" and max_time is None and args.max_requests is None:
        max_time = _FUZZ_DEFAULT_TIME_S
    config = RunConfig(
        base_url=base_url,
        api_key=args.api_key,
        prompt_id=args.prompt_id,
        log_id=args.log_id,
        profile=args.profile,
        max_examples=args.max_examples,
        max_time=max_time,
        max_requests=args.max_requests,
        seed=args.seed,
        strict=args.strict,
        rate_limit=args.rate_limit,
        timeout=args.timeout,
        workers=args.workers,
        schemathesis=not args.no_schemathesis,
        mock_faults=tuple(args.mock_fault),
        progress=_progress(args.quiet),
        max_request_time=args.max_request_time,
        max_response_bytes=args.max_response_bytes,
        stop=(stop := Stop()),
    )
    baseline = _load_baseline(args.baseline) if args.baseline else None
    # Until the reports are written: a first signal stops the run, a second exits at once.
    with stopping_on_signals(stop):
        result = run(config)
        if baseline is not None:
            apply_baseline(result, baseline, today=date.today())
        secrets = tuple(s for s in (args.api_key,) if s)
        paths = write_reports(result, args.report_dir, secrets=secrets)
        print_verdict(result, paths, quiet=args.quiet, secrets=secrets)
    return result.exit_code


def _load_baseline(path: Path) -> Any:
    try:
        return load_baseline(path)
    except BaselineError as exc:
        raise UsageError(str(exc)) from None

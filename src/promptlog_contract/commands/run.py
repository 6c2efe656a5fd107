"""`run` and `fuzz`: one engine run against a target (default: the bundled mock), then reports.

`fuzz` is `run` with the fuzz profile: time-budgeted (10 minutes unless told),
rate-limited, a fresh seed each time.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any

from promptlog_contract.engine import PROFILES, RunConfig, Stop, run
from promptlog_contract.errors import UsageError, check_report_dir, check_url
from promptlog_contract.reporting import (
    BaselineError,
    apply_baseline,
    load_baseline,
    write_reports,
)

from ._console import print_verdict
from ._help import exit_codes
from ._progress import Progress, budget_line
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


def _per_profile(field: str, unit: str = "") -> str:
    values = (getattr(PROFILES[name], field) for name in PROFILES)
    shown = (f"{v:g}{unit}" if v is not None else "none" for v in values)
    return ", ".join(f"{name} {value}" for name, value in zip(PROFILES, shown, strict=True))


def _add_target_options(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--base-url",
        default=os.environ.get("HUMANLOOP_BASE_URL"),
        metavar="URL",
        help="target base URL including /v5 (default: $HUMANLOOP_BASE_URL, "
        "else the bundled mock on a free loopback port)",
    )
    p.add_argument(
        "--api-key",
        default=os.environ.get("HUMANLOOP_API_KEY"),
        metavar="KEY",
        help="X-API-KEY for the target (default: $HUMANLOOP_API_KEY); never printed",
    )
    p.add_argument(
        "--prompt-id",
        metavar="ID",
        help="prompt id of an existing log to test instead of scratch logs (with --log-id; "
        "the log is modified)",
    )
    p.add_argument("--log-id", metavar="ID", help="id of that existing log (with --prompt-id)")
    p.add_argument(
        "--max-examples",
        type=positive_int,
        metavar="N",
        help="valid bodies per round, invalid ones twice as many "
        f"(default: the profile's: {_per_profile('valid')})",
    )
    p.add_argument(
        "--max-time",
        type=parse_duration,
        metavar="DURATION",
        help="time budget: 90, 90s, 10m or 1h; the run stops sending when it is spent "
        f"(default: none; fuzz: {_FUZZ_DEFAULT_TIME_S / 60:g}m unless --max-requests is given)",
    )
    p.add_argument(
        "--max-requests",
        type=positive_int,
        metavar="N",
        help="request budget; cleanup of scratch logs is sent even past it (default: none)",
    )
    p.add_argument(
        "--seed",
        type=int,
        metavar="N",
        help="seed of the drawn bodies: the same seed sends the same requests "
        "(default: 0; fuzz: a fresh one each run, shown in the report)",
    )
    p.add_argument(
        "--strict",
        action="store_true",
        help="fail on behaviour the documentation leaves open (warnings)",
    )
    p.add_argument(
        "--report-dir",
        type=Path,
        default=Path("reports"),
        metavar="DIR",
        help="where summary.json, junit.xml and report.html are written; checked before "
        "anything is sent",
    )
    p.add_argument(
        "--rate-limit",
        type=parse_rate,
        metavar="RATE",
        help="requests per second, e.g. 5/s "
        f"(default: the profile's: {_per_profile('rate_limit', '/s')})",
    )
    p.add_argument(
        "--timeout",
        type=parse_duration,
        default=10.0,
        metavar="SECONDS",
        help="per-read (and connect) timeout in seconds, e.g. 10 or 30s (default: 10)",
    )
    p.add_argument(
        "--max-request-time",
        type=parse_duration,
        metavar="SECONDS",
        help="connect-to-last-byte limit of one request, in seconds or e.g. 1m "
        "(default: 3 x --timeout, at least 30s)",
    )
    p.add_argument(
        "--max-response-bytes",
        type=parse_size,
        metavar="SIZE",
        help="largest response body read, decompressed, e.g. 4MiB (default: 2MiB); "
        "more is a finding",
    )
    p.add_argument(
        "--workers",
        type=positive_int,
        metavar="N",
        help="scratch logs tested concurrently "
        f"(default: the profile's: {_per_profile('workers')}; 1 with --log-id)",
    )
    p.add_argument(
        "--baseline",
        type=Path,
        metavar="FILE",
        help="known failures to accept, written by `baseline` (default: none)",
    )
    p.add_argument("--no-schemathesis", action="store_true", help="skip the Schemathesis phase")
    p.add_argument(
        "--mock-fault",
        action="append",
        default=[],
        metavar="NAME",
        help="seed a fault into the bundled mock, to test the suite itself "
        "(repeatable; see `mock --list-faults`)",
    )
    p.add_argument(
        "--quiet",
        action="store_true",
        help="only the verdict line: no budget, progress or per-rule table",
    )


def add_parser(sub: argparse._SubParsersAction[Any]) -> None:
    run_p = sub.add_parser(
        "run",
        help="run the suite (default target: the bundled mock)",
        description="Run the conformance suite once against a target (default: the bundled "
        "mock on a free loopback port): scratch logs are created, PATCHed with seeded valid and "
        "invalid bodies, read back and deleted; summary.json, junit.xml and report.html go to "
        "--report-dir.",
        epilog=exit_codes(),
    )
    _add_target_options(run_p)
    run_p.add_argument(
        "--profile",
        choices=tuple(PROFILES),
        default="ci",
        help="ci: deterministic, one round, no rate limit; staging: one round at 5 requests/s "
        "on one worker; fuzz: fresh seeds round after round at 10 requests/s until the budget "
        "is spent (as `fuzz`)",
    )
    run_p.set_defaults(func=_cmd)
    fuzz_p = sub.add_parser(
        "fuzz",
        help="time-budgeted, rate-limited fuzzing of a target",
        description="Fuzz a target: fresh seeds round after round, rate-limited, until "
        f"--max-time ({_FUZZ_DEFAULT_TIME_S / 60:g}m unless given) or --max-requests is spent; "
        "the budget is announced at the start and the time left shown while it runs. "
        "The same as `run --profile fuzz`.",
        epilog=exit_codes(),
    )
    _add_target_options(fuzz_p)
    fuzz_p.set_defaults(func=_cmd, profile="fuzz")


def _cmd(args: argparse.Namespace) -> int:
    base_url = check_url(args.base_url) if args.base_url else None
    if args.mock_fault and base_url:
        raise UsageError("--mock-fault only applies to the bundled mock (drop --base-url)")
    check_report_dir(args.report_dir)
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
        max_request_time=args.max_request_time,
        max_response_bytes=args.max_response_bytes,
        stop=(stop := Stop()),
    )
    baseline = _load_baseline(args.baseline) if args.baseline else None
    # Until the reports are written: a first signal stops the run, a second exits at once.
    with stopping_on_signals(stop):
        if args.quiet:
            result = run(config)
        else:
            progress = Progress(sys.stderr, label=args.profile, max_time=max_time)
            announcement = budget_line(config)
            if announcement:
                progress.announce(announcement)
            with progress:
                result = run(replace(config, progress=progress.phase))
        if baseline is not None:
            apply_baseline(result, baseline, today=date.today())
        secrets = tuple(s for s in (args.api_key,) if s)
        paths = write_reports(result, args.report_dir, secrets=secrets)
        print_verdict(result, paths, quiet=args.quiet, secrets=secrets, report_dir=args.report_dir)
    return result.exit_code


def _load_baseline(path: Path) -> Any:
    try:
        return load_baseline(path)
    except BaselineError as exc:
        raise UsageError(str(exc)) from None

"""The command line: `run`, `fuzz`, `replay`, `mock`, `baseline`, `selfcheck`, `diff`.

Exit codes (README documents them): 0 the target conforms; 1 contract
violations; 2 usage or configuration error (one line, no traceback); 3 target
unreachable or unhealthy.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import Any, NoReturn
from urllib.parse import urlsplit

from promptlog_contract import __version__

EXIT_OK, EXIT_VIOLATIONS, EXIT_USAGE, EXIT_UNHEALTHY = 0, 1, 2, 3


class UsageError(Exception):
    """A user error: one line on stderr, exit 2."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        self.exit(EXIT_USAGE, f"promptlog-contract: error: {message} (see --help)\n")


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


def positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, not {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a number >= 1, not {text!r}")
    return value


def check_url(url: str) -> str:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise UsageError(f"--base-url must be an http(s) URL with a host, not {url!r}")
    return url.rstrip("/")


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
    p.add_argument("--timeout", type=parse_duration, default=10.0, help="per-request timeout")
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


def build_parser() -> argparse.ArgumentParser:
    from promptlog_contract.diff import add_parser as add_diff
    from promptlog_contract.mock._cli import add_parser as add_mock
    from promptlog_contract.reporting._cli import add_parser as add_baseline
    from promptlog_contract.selfcheck import add_parser as add_selfcheck

    parser = _Parser(
        prog="promptlog-contract",
        description="Contract tests for Humanloop's Update Prompt Log endpoint.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub: Any = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    run_p = sub.add_parser("run", help="run the suite (default target: the bundled mock)")
    _add_target_options(run_p)
    run_p.add_argument("--profile", choices=("ci", "staging", "fuzz"), default="ci")
    run_p.set_defaults(func=_cmd_run)
    fuzz_p = sub.add_parser("fuzz", help="time-budgeted, rate-limited fuzzing of a target")
    _add_target_options(fuzz_p)
    fuzz_p.set_defaults(func=_cmd_run, profile="fuzz")
    replay_p = sub.add_parser("replay", help="re-send one recorded failure")
    replay_p.add_argument("failure_id")
    replay_p.add_argument("--report-dir", type=Path, default=Path("reports"))
    replay_p.add_argument("--api-key", default=os.environ.get("HUMANLOOP_API_KEY"))
    replay_p.add_argument(
        "--base-url", default=None, help="send to this base URL instead of the recorded one"
    )
    replay_p.set_defaults(func=_cmd_replay)
    add_mock(sub)
    add_baseline(sub)
    add_selfcheck(sub)
    add_diff(sub)
    from promptlog_contract.load import add_parser as add_load  # the coordinator re-wires this

    add_load(sub)
    return parser


def _progress(quiet: bool) -> Any:
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


def _cmd_run(args: argparse.Namespace) -> int:
    from promptlog_contract.runner import RunConfig, run

    base_url = check_url(args.base_url) if args.base_url else None
    if args.mock_fault and base_url:
        raise UsageError("--mock-fault only applies to the bundled mock (drop --base-url)")
    max_time = args.max_time
    if args.profile == "fuzz" and max_time is None and args.max_requests is None:
        max_time = 600.0
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
    )
    baseline = _load_baseline(args.baseline) if args.baseline else None
    result = run(config)
    if baseline is not None:
        from promptlog_contract.reporting import apply_baseline

        apply_baseline(result, baseline, today=date.today())
    from promptlog_contract.reporting import write_reports

    secrets = tuple(s for s in (args.api_key,) if s)
    paths = write_reports(result, args.report_dir, secrets=secrets)
    from promptlog_contract._console import print_verdict

    print_verdict(result, paths, quiet=args.quiet)
    return result.exit_code


def _load_baseline(path: Path) -> Any:
    from promptlog_contract.reporting import BaselineError, load_baseline

    try:
        return load_baseline(path)
    except BaselineError as exc:
        raise UsageError(str(exc)) from None


def _cmd_replay(args: argparse.Namespace) -> int:
    from promptlog_contract._replay import replay

    return replay(
        args.failure_id,
        args.report_dir,
        api_key=args.api_key,
        base_url=check_url(args.base_url) if args.base_url else None,
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    from promptlog_contract.runner import ConfigurationError

    try:
        code: int = args.func(args)
    except (UsageError, ConfigurationError) as exc:
        print(f"promptlog-contract: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("promptlog-contract: interrupted", file=sys.stderr)
        return 130
    return code


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())

"""`replay FAILURE_ID`: re-send one recorded failure and say whether it still fails."""

from __future__ import annotations

import argparse
import json
import os
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from promptlog_contract import strategies
from promptlog_contract._secrets import REDACTED, printable
from promptlog_contract.checks import run_checks
from promptlog_contract.engine import Limits, Target, TargetUnhealthy
from promptlog_contract.errors import (
    EXIT_OK,
    EXIT_UNHEALTHY,
    EXIT_USAGE,
    EXIT_VIOLATIONS,
    UsageError,
    check_url,
)
from promptlog_contract.types import Context, Exchange, Label, RawRequest

from ._help import exit_codes


class ReplayError(Exception):
    """The recorded failure cannot be found or re-sent."""


def _finding(report_dir: Path, failure_id: str) -> dict[str, Any]:
    path = report_dir / "summary.json"
    try:
        summary = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ReplayError(f"cannot read {path}: {exc}") from None
    for group in ("failures", "warnings", "baselined"):
        for finding in summary.get(group) or []:
            if finding.get("id") == failure_id:
                return dict(finding)
    raise ReplayError(f"no failure {failure_id!r} in {path}")


def _raw_case(content: bytes | None) -> RawRequest | None:
    for raw in strategies.RAW_REQUESTS:
        if raw.content[:4096] == (content or b"")[:4096]:
            return raw
    return None


def replay(failure_id: str, report_dir: Path, *, api_key: str | None, base_url: str | None) -> int:
    """Re-send; exit 1 if the rule still fails, 0 if it no longer does, 3 if unreachable."""
    try:
        finding = _finding(report_dir, failure_id)
    except ReplayError as exc:
        raise UsageError(str(exc)) from None
    request = finding["request"]
    parts = urlsplit(request["url"])
    if base_url:
        base = urlsplit(base_url)
        path = parts.path.removeprefix("/v5") if base.path.endswith("/v5") else parts.path
        url = urlunsplit((base.scheme, base.netloc, base.path.rstrip("/") + path, parts.query, ""))
    else:
        url = request["url"]
    uses_key = request["headers"].get("X-API-KEY") == REDACTED
    if uses_key and not api_key:
        raise UsageError("this request needs the API key: pass --api-key or HUMANLOOP_API_KEY")
    target = Target(url, api_key or "", Limits(timeout_s=10.0))
    body = request.get("body")
    try:
        sent, response = target.request(
            request["method"],
            "",
            content=body.encode() if body is not None else None,
            content_type=request["headers"].get("content-type"),
            auth="key" if uses_key else request["headers"].get("X-API-KEY"),
        )
    except TargetUnhealthy as exc:
        print(printable(f"target unreachable: {exc}", api_key))
        return EXIT_UNHEALTHY
    finally:
        target.close()
    label = finding.get("label")
    exchange = Exchange(
        kind=finding["kind"],
        request=sent,
        response=response,
        sent=sent.json(),
        label=Label(tuple(label["path"]), label["rule"], label["severity"]) if label else None,
        raw=_raw_case(sent.content) if finding["kind"] == "raw" else None,
        phase=finding.get("phase", "engine"),
    )
    if response.status == 404 and finding["kind"] not in ("unknown_log", "raw"):
        print(
            f"{failure_id} {finding['rule']}: HTTP 404, the log no longer exists "
            "(a run deletes its scratch logs); replay against a log that exists "
            "(a run with --prompt-id/--log-id) to judge it again"
        )
        return EXIT_USAGE
    ctx = Context(api_key=api_key or "")
    still = [v for c, v in run_checks(exchange, ctx) if c.name == finding["rule"] and v]
    print(f"{failure_id} {finding['rule']}: HTTP {response.status}")
    # Scrubbed before it is cut, so a key straddling the cut leaves no fragment.
    print(printable(response.content.decode("utf-8", errors="replace"), api_key)[:2000])
    if still:
        print(printable(f"still fails: {still[0].message}", api_key))
        return 1
    print("no longer fails (stateful rules need the original sequence: see the report)")
    return 0


def add_parser(sub: argparse._SubParsersAction[Any]) -> None:
    p = sub.add_parser(
        "replay",
        help="re-send one recorded failure",
        description="Re-send the request of one finding recorded in a run's summary.json and "
        "judge the answer with the same rule. Stateful findings need the log they were found "
        "on: replay those from a run made with --prompt-id/--log-id.",
        epilog=exit_codes(
            (
                (EXIT_OK, "the rule no longer fails"),
                (EXIT_VIOLATIONS, "the rule still fails"),
                (EXIT_USAGE, "usage error, no such finding, or its log no longer exists"),
                (EXIT_UNHEALTHY, "target unreachable"),
            )
        ),
    )
    p.add_argument(
        "failure_id",
        metavar="FAILURE_ID",
        help="a finding's id from the run's summary.json or report (e.g. F003)",
    )
    p.add_argument(
        "--report-dir",
        type=Path,
        default=Path("reports"),
        metavar="DIR",
        help="report directory of the run that recorded it",
    )
    p.add_argument(
        "--api-key",
        default=os.environ.get("HUMANLOOP_API_KEY"),
        metavar="KEY",
        help="X-API-KEY, if the request used the key (default: $HUMANLOOP_API_KEY); never printed",
    )
    p.add_argument(
        "--base-url",
        default=None,
        metavar="URL",
        help="send to this base URL instead of the recorded one (default: the recorded one)",
    )
    p.set_defaults(func=_cmd)


def _cmd(args: argparse.Namespace) -> int:
    return replay(
        args.failure_id,
        args.report_dir,
        api_key=args.api_key,
        base_url=check_url(args.base_url) if args.base_url else None,
    )

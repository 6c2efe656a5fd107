"""`replay F003` / `replay --all`: re-create recorded findings and say whether they still fail.

Each finding is re-created on a fresh scratch log (deleted afterwards), its
whole recorded sequence re-sent and exactly its rule re-judged. A finding from
a run against the bundled mock replays against a fresh bundled mock with the
same seeded faults (recorded in summary.json), so there is no key to type.
"""

from __future__ import annotations

import argparse
import json
import os
from pathlib import Path
from typing import Any

from promptlog_contract._secrets import printable
from promptlog_contract.engine import Limits, Target, TargetUnhealthy, endpoint
from promptlog_contract.engine._replay import replay_finding
from promptlog_contract.errors import (
    EXIT_OK,
    EXIT_UNHEALTHY,
    EXIT_USAGE,
    EXIT_VIOLATIONS,
    UsageError,
    check_url,
)

from ._help import exit_codes


def _summary(report_dir: Path) -> dict[str, Any]:
    path = report_dir / "summary.json"
    try:
        summary = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise UsageError(f"cannot read {path}: {exc}") from None
    if not isinstance(summary, dict):
        raise UsageError(f"{path} is not a summary.json")
    return summary


def _findings(summary: dict[str, Any], wanted: str | None, where: Path) -> list[dict[str, Any]]:
    groups = ("failures", "warnings", "baselined")
    every = [f for g in groups for f in summary.get(g) or [] if isinstance(f, dict)]
    if wanted is None:
        return [f for f in every if f.get("level") == "failure"]
    for finding in every:
        if str(finding.get("id", "")).upper() in {wanted.upper(), _padded(wanted)}:
            return [finding]
    raise UsageError(f"no finding {wanted!r} in {where / 'summary.json'}")


def _padded(text: str) -> str:
    """'F1' -> 'F001', as the terminal abbreviates ids."""
    digits = text.upper().removeprefix("F")
    return f"F{int(digits):03d}" if digits.isdigit() else text.upper()


def replay(
    finding_id: str | None, report_dir: Path, *, api_key: str | None, base_url: str | None
) -> int:
    """Exit 1 if a finding still fails, 0 if each was judged and held, 2 if one cannot be
    re-created, 3 if the target is unreachable."""
    summary = _summary(report_dir)
    findings = _findings(summary, finding_id, report_dir)
    if not findings:
        print("no failures to replay")
        return 0
    faults = summary.get("mock_faults")
    mock = base_url is None and isinstance(faults, list)
    fault_names = tuple(str(f) for f in faults) if mock and isinstance(faults, list) else ()
    url = None if mock else (base_url or str(summary.get("target_url") or ""))
    if not mock and not api_key:
        raise UsageError("replaying against a target needs its key: --api-key or HUMANLOOP_API_KEY")
    codes: list[int] = []
    with endpoint(url, api_key, fault_names) as (base, key):
        if mock:
            print(f"replaying on a fresh bundled mock (faults: {', '.join(fault_names) or 'none'})")
        target = Target(base, key, Limits(timeout_s=10.0))
        try:
            for finding in findings:
                code, lines = replay_finding(target, finding)
                for line in lines:
                    # Scrubbed before anything is cut; control characters escaped.
                    print(printable(line, key))
                codes.append(code)
        except TargetUnhealthy as exc:
            print(printable(f"target unreachable: {exc}", key))
            return EXIT_UNHEALTHY
        finally:
            target.close()
    if 1 in codes:
        return 1
    return EXIT_USAGE if EXIT_USAGE in codes else 0


def add_parser(sub: argparse._SubParsersAction[Any]) -> None:
    p = sub.add_parser(
        "replay",
        help="re-create a recorded finding on a fresh log and re-judge it",
        description="Re-create one finding recorded in a run's summary.json (or every one, "
        "with --all): a fresh scratch log, the whole recorded sequence sent again, and exactly "
        "the rules that failed judged again (Schemathesis checks included). A finding from a "
        "bundled-mock run replays on a fresh bundled mock with the same faults, with no key.",
        epilog=exit_codes(
            (
                (EXIT_OK, "judged again and held"),
                (EXIT_VIOLATIONS, "still fails"),
                (EXIT_USAGE, "usage error, or a finding that cannot be re-created (says why)"),
                (EXIT_UNHEALTHY, "target unreachable"),
            )
        ),
    )
    p.add_argument(
        "failure_id",
        nargs="?",
        metavar="FAILURE_ID",
        help="a finding's id from the run's summary.json or the terminal (F003 or F3)",
    )
    p.add_argument("--all", action="store_true", help="replay every failure of the report")
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
        help="X-API-KEY of the target (default: $HUMANLOOP_API_KEY); never printed; "
        "not needed for a bundled-mock run",
    )
    p.add_argument(
        "--base-url",
        default=None,
        metavar="URL",
        help="send to this base URL instead of the recorded target (or the bundled mock)",
    )
    p.set_defaults(func=_cmd)


def _cmd(args: argparse.Namespace) -> int:
    if bool(args.failure_id) == bool(args.all):
        raise UsageError("give one finding id (e.g. F003) or --all")
    return replay(
        None if args.all else args.failure_id,
        args.report_dir,
        api_key=args.api_key,
        base_url=check_url(args.base_url) if args.base_url else None,
    )

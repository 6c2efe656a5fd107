"""`promptlog-contract baseline`: start a known-failure ledger from a run's summary.

Adopting the gate against a target with known bugs starts with accepting
today's failures, each with an owner and a date; writing that file by hand
from fingerprints is error-prone, so this command writes it from
summary.json. `cli.py` registers it with `add_parser`.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from datetime import date, timedelta
from pathlib import Path
from typing import Any, TypeVar

import yaml

from ._baseline import BaselineError, baseline_from_summary, load_baseline

DEFAULT_DAYS = 30
#: The caller's parser class (cli.py uses its own ArgumentParser subclass).
_P = TypeVar("_P", bound=argparse.ArgumentParser)
_HEADER = (
    "# Known failures accepted by `promptlog-contract run --baseline FILE`.\n"
    "# One entry per failure: rule, fingerprint (from summary.json), owner, expires (YYYY-MM-DD),\n"
    "# reason. Entries past their expiry fail the gate; entries that match nothing are reported\n"
    "# as stale and can be deleted.\n"
)


def _iso_date(text: str) -> date:
    try:
        if len(text) != 10:
            raise ValueError
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a date YYYY-MM-DD, got {text!r}") from None


def add_parser(subparsers: argparse._SubParsersAction[_P]) -> _P:
    """Register `baseline` on a subparsers object; sets `func=handler`."""
    parser = subparsers.add_parser(
        "baseline",
        help="write a known-failure baseline from a run's summary.json",
        description="Write a baseline file accepting every failure in a summary.json, "
        "each with an owner and an expiry date. Review it, then pass it to `run --baseline`.",
        epilog="exit codes:\n  0   written\n  2   usage error (unreadable summary, file exists, "
        "date in the past)",
    )
    parser.add_argument(
        "--from",
        dest="summary",
        type=Path,
        required=True,
        metavar="SUMMARY",
        help="summary.json of the run whose failures to accept (e.g. reports/summary.json)",
    )
    parser.add_argument(
        "--owner",
        default=None,
        help="who owns the accepted failures (default: $USER, else 'unassigned')",
    )
    parser.add_argument(
        "--expires",
        type=_iso_date,
        default=None,
        metavar="YYYY-MM-DD",
        help=f"the last day the entries are accepted (default: today + {DEFAULT_DAYS} days)",
    )
    parser.add_argument(
        "-o",
        "--output",
        type=Path,
        default=Path("baseline.yaml"),
        help="file to write, .yaml/.yml or .json (default: baseline.yaml)",
    )
    parser.add_argument("--force", action="store_true", help="overwrite an existing file")
    parser.set_defaults(func=handler)
    return parser


def _fail(message: str) -> int:
    print(f"promptlog-contract baseline: error: {message}", file=sys.stderr)
    return 2


def _read_summary(path: Path) -> dict[str, Any] | str:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        return f"cannot read {path}: {exc.strerror or exc}"
    except (ValueError, UnicodeDecodeError) as exc:
        return f"{path} is not JSON: {str(exc).splitlines()[0] if str(exc) else exc}"
    if not isinstance(data, dict) or not isinstance(data.get("failures"), list):
        return f"{path} is not a promptlog-contract summary.json (no failures list)"
    return data


def handler(args: argparse.Namespace) -> int:
    """Write the baseline; 0 on success, 2 with one stderr line on a user error."""
    output: Path = args.output
    suffix = output.suffix.lower()
    if suffix not in (".json", ".yaml", ".yml"):
        return _fail(f"{output}: the baseline must end in .yaml, .yml or .json")
    if output.exists() and not args.force:
        return _fail(f"{output} exists; pass --force to overwrite it")
    today = date.today()
    expires: date = args.expires or today + timedelta(days=DEFAULT_DAYS)
    if expires < today:
        return _fail(f"--expires {expires.isoformat()} is in the past")
    owner = (args.owner or os.environ.get("USER") or "unassigned").strip()
    if not owner:
        return _fail("--owner must not be empty")
    summary = _read_summary(args.summary)
    if isinstance(summary, str):
        return _fail(summary)
    baseline = baseline_from_summary(summary, owner=owner, expires=expires)
    if suffix == ".json":
        text = json.dumps(baseline, indent=2, ensure_ascii=False) + "\n"
    else:
        text = _HEADER + yaml.safe_dump(baseline, sort_keys=False, allow_unicode=True)
    try:
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_text(text, encoding="utf-8")
        load_baseline(output)  # what we write must load
    except OSError as exc:
        return _fail(f"cannot write {output}: {exc.strerror or exc}")
    except BaselineError as exc:
        return _fail(f"wrote an unusable baseline (a bug): {exc}")
    count = len(baseline["entries"])
    candidates = len(summary.get("failures", [])) + len(summary.get("baselined", []) or [])
    print(
        f"wrote {count} entr{'y' if count == 1 else 'ies'} to {output} "
        f"(owner {owner}, expires {expires.isoformat()}); review the reasons and commit it"
    )
    if candidates > count:
        print(
            f"note: {candidates - count} failure(s) were duplicates or had no fingerprint",
            file=sys.stderr,
        )
    return 0

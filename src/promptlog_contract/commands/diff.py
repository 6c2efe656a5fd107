"""`diff`: send the same seeded requests to two targets and report where they behave differently.

Typical use: the bundled mock (the reference) against staging. Values differ
between any two servers (ids, timestamps), so only the shape of behaviour is
compared: status class, union member, 422 error locations, and the JSON types
of the fields of a 200 body.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from promptlog_contract import strategies
from promptlog_contract.contract import member_of
from promptlog_contract.engine import (
    Limits,
    ScratchLogRefused,
    ScratchLogs,
    Target,
    TargetUnhealthy,
    draw_batch,
    endpoint,
)
from promptlog_contract.engine._mistakes import explain_unhealthy
from promptlog_contract.errors import (
    EXIT_OK,
    EXIT_UNHEALTHY,
    EXIT_USAGE,
    EXIT_VIOLATIONS,
    UsageError,
    check_report_dir,
    check_url,
)
from promptlog_contract.types import NOT_JSON, HttpResponse

from ._help import exit_codes
from .run import positive_int


@dataclass(frozen=True)
class Case:
    name: str
    body: Any


def _json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    return "object" if isinstance(value, dict) else type(value).__name__


def signature(response: HttpResponse) -> dict[str, Any]:
    """What is compared: never values, only the shape of the behaviour."""
    sig: dict[str, Any] = {"status_class": f"{response.status // 100}xx"}
    body = response.body
    if response.status == 200 and isinstance(body, dict):
        sig["union_member"] = member_of(body)
        sig["field_types"] = {k: _json_type(v) for k, v in sorted(body.items()) if v is not None}
    elif response.status == 422:
        detail = body.get("detail") if isinstance(body, dict) else None
        locs = (
            sorted(
                "/".join(str(p) for p in item["loc"])
                for item in detail or []
                if isinstance(item, dict) and isinstance(item.get("loc"), list)
            )
            if isinstance(detail, list)
            else [repr(detail) if body is not NOT_JSON else "<not JSON>"]
        )
        sig["error_locations"] = locs
    return sig


def cases(max_examples: int, seed: int) -> list[Case]:
    out = [Case("empty", {})]
    for i, body in enumerate(draw_batch(strategies.update_bodies(), max_examples, seed)):
        out.append(Case(f"valid-{i}", body))
    for i, inv in enumerate(draw_batch(strategies.invalid_update_bodies(), max_examples, seed + 1)):
        out.append(
            Case(f"invalid-{i}:{inv.label.rule}@{'/'.join(map(str, inv.label.path))}", inv.body)
        )
    return out


def _compare(a: dict[str, Any], b: dict[str, Any]) -> list[dict[str, Any]]:
    out = []
    for aspect in ("status_class", "union_member", "error_locations"):
        if a.get(aspect) != b.get(aspect):
            out.append({"aspect": aspect, "a": a.get(aspect), "b": b.get(aspect)})
    ta, tb = a.get("field_types"), b.get("field_types")
    if ta is not None and tb is not None:
        for field in sorted(set(ta) | set(tb)):
            if ta.get(field) != tb.get(field):
                out.append(
                    {"aspect": "field_type", "field": field, "a": ta.get(field), "b": tb.get(field)}
                )
    return out


def _scratch_path(scratch: ScratchLogs) -> str:
    # A refused key or a wrong URL is a configuration error (exit 2), as it is for `run`.
    try:
        return scratch.new().path
    except ScratchLogRefused as exc:
        raise ScratchLogRefused(f"{scratch.target.base_url}: {exc}") from None
    except TargetUnhealthy as exc:
        raise explain_unhealthy(exc, scratch.target.base_url) from None


def diff(a: tuple[str, str], b: tuple[str, str], *, max_examples: int, seed: int) -> dict[str, Any]:
    """Send the same cases to both targets; return every difference found."""
    targets = [Target(url, key, Limits(timeout_s=10.0)) for url, key in (a, b)]
    scratch = [ScratchLogs(t, tag="diff") for t in targets]
    try:
        paths = [_scratch_path(s) for s in scratch]
        differences = []
        all_cases = cases(max_examples, seed)
        for case in all_cases:
            sigs = [
                signature(t.request("PATCH", p, json_body=case.body)[1])
                for t, p in zip(targets, paths, strict=True)
            ]
            for d in _compare(*sigs):
                differences.append({"case": case.name, **d, "body": json.dumps(case.body)[:500]})
    finally:
        for s in scratch:
            s.cleanup()
            s.target.close()
    return {"a": a[0], "b": b[0], "seed": seed, "cases": len(all_cases), "differences": differences}


def add_parser(sub: argparse._SubParsersAction[Any]) -> None:
    p = sub.add_parser(
        "diff",
        help="same seeded requests to two targets; report differences",
        description="Send the same seeded bodies to target A and target B (typically the "
        "bundled mock and staging) and report where their behaviour differs: status class, "
        "union member, 422 error locations, JSON types of the response's fields. Values "
        "(ids, timestamps) are never compared. Writes diff.json.",
        epilog=exit_codes(
            (
                (EXIT_OK, "no difference"),
                (EXIT_VIOLATIONS, "differences found"),
                (EXIT_USAGE, "usage or configuration error (as for `run`)"),
                (EXIT_UNHEALTHY, "a target unreachable or unhealthy"),
            )
        ),
    )
    p.add_argument(
        "--base-url", metavar="URL", help="target A, including /v5 (default: the bundled mock)"
    )
    p.add_argument(
        "--api-key", metavar="KEY", help="key for A (default: $HUMANLOOP_API_KEY); never printed"
    )
    p.add_argument(
        "--against", metavar="URL", help="target B, including /v5 (default: the bundled mock)"
    )
    p.add_argument(
        "--against-api-key", metavar="KEY", help="key for B (default: A's key); never printed"
    )
    p.add_argument(
        "--against-mock-fault",
        action="append",
        default=[],
        metavar="NAME",
        help="seed a fault into B when B is the bundled mock (repeatable)",
    )
    p.add_argument(
        "--max-examples",
        type=positive_int,
        default=40,
        metavar="N",
        help="valid bodies drawn, and as many invalid ones",
    )
    p.add_argument(
        "--seed",
        type=int,
        default=0,
        metavar="N",
        help="seed of the drawn bodies: the same seed sends the same requests",
    )
    p.add_argument(
        "--report-dir",
        type=Path,
        default=Path("reports"),
        metavar="DIR",
        help="where diff.json goes; checked before anything is sent",
    )
    p.set_defaults(func=_cmd)


def _cmd(args: argparse.Namespace) -> int:
    check_report_dir(args.report_dir)
    url_a = check_url(args.base_url) if args.base_url else None
    url_b = check_url(args.against) if args.against else None
    if args.against_mock_fault and url_b:
        raise UsageError("--against-mock-fault only applies to the bundled mock (drop --against)")
    key_a = args.api_key or os.environ.get("HUMANLOOP_API_KEY")
    key_b = args.against_api_key or key_a
    with (
        endpoint(url_a, key_a) as a,
        endpoint(url_b, key_b, tuple(args.against_mock_fault)) as b,
    ):
        try:
            report = diff(a, b, max_examples=args.max_examples, seed=args.seed)
        except TargetUnhealthy as exc:
            print(f"target unhealthy: {exc}", file=sys.stderr)
            return EXIT_UNHEALTHY
    (args.report_dir / "diff.json").write_text(json.dumps(report, indent=2), "utf-8")
    for d in report["differences"][:30]:
        where = f" {d['field']}" if "field" in d else ""
        print(f"{d['case']}: {d['aspect']}{where}: A={d['a']} B={d['b']}")
    n = len(report["differences"])
    print(
        f"{'DIFFERENT' if n else 'SAME'}: {n} differences over {report['cases']} cases "
        f"-> {args.report_dir / 'diff.json'}"
    )
    return EXIT_VIOLATIONS if n else EXIT_OK

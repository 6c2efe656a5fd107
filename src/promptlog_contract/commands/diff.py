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
from promptlog_contract.errors import EXIT_UNHEALTHY
from promptlog_contract.types import NOT_JSON, HttpResponse


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
    try:
        return scratch.new().path
    except ScratchLogRefused as exc:
        raise TargetUnhealthy(f"{scratch.target.base_url}: {exc}") from None


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
    p = sub.add_parser("diff", help="same seeded requests to two targets; report differences")
    p.add_argument("--base-url", help="target A (default: the bundled mock)")
    p.add_argument("--api-key", help="key for A (default: $HUMANLOOP_API_KEY)")
    p.add_argument("--against", help="target B (default: the bundled mock)")
    p.add_argument("--against-api-key", help="key for B (default: A's key)")
    p.add_argument(
        "--against-mock-fault",
        action="append",
        default=[],
        metavar="NAME",
        help="seed a fault into B when B is the bundled mock",
    )
    p.add_argument("--max-examples", type=int, default=40)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--report-dir", type=Path, default=Path("reports"))
    p.set_defaults(func=_cmd)


def _cmd(args: argparse.Namespace) -> int:
    key_a = args.api_key or os.environ.get("HUMANLOOP_API_KEY")
    key_b = args.against_api_key or key_a
    with (
        endpoint(args.base_url, key_a) as a,
        endpoint(args.against, key_b, tuple(args.against_mock_fault)) as b,
    ):
        try:
            report = diff(a, b, max_examples=args.max_examples, seed=args.seed)
        except TargetUnhealthy as exc:
            print(f"target unhealthy: {exc}", file=sys.stderr)
            return EXIT_UNHEALTHY
    args.report_dir.mkdir(parents=True, exist_ok=True)
    (args.report_dir / "diff.json").write_text(json.dumps(report, indent=2), "utf-8")
    for d in report["differences"][:30]:
        where = f" {d['field']}" if "field" in d else ""
        print(f"{d['case']}: {d['aspect']}{where}: A={d['a']} B={d['b']}")
    n = len(report["differences"])
    print(
        f"{'DIFFERENT' if n else 'SAME'}: {n} differences over {report['cases']} cases "
        f"-> {args.report_dir / 'diff.json'}"
    )
    return 1 if n else 0

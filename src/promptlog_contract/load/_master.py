"""The master's half of the job after Locust stops: merge the workers, clean up, judge.

Each worker's last tally holds cumulative counts, its findings (each once,
by fingerprint) and every scratch log it created. Merging sums the counts,
keeps each finding once across workers (the same fault seen on two workers
is one finding, not two) and renumbers them; the verdict then follows the
same exit codes as `run`, with a missed latency objective reported as
unhealthy, apart from contract violations.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import httpx

from promptlog_contract.types import Finding, RuleStats, RunResult

from ._engine import scrub

__all__ = ["LoadSettings", "cleanup", "merge", "merge_findings"]

_MAX_FINDINGS_PER_RULE = 10
_DELETE_CHUNK = 50


@dataclass(frozen=True)
class LoadSettings:
    """How the run was set up, as the load section reports it."""

    users: int
    spawn_rate: float
    run_time_s: float
    expected_workers: int
    rate_limit: float | None = None
    p99_ms: float | None = None


def merge_findings(snapshots: Iterable[Mapping[str, Any]]) -> list[Finding]:
    """Every worker's findings, each (rule, fingerprint) once, at most 10 per rule, renumbered."""
    seen: set[tuple[str, str]] = set()
    per_rule: dict[str, int] = {}
    out: list[Finding] = []
    for snapshot in snapshots:
        for data in snapshot.get("findings", []):
            key = (str(data["rule"]), str(data.get("fingerprint", "")))
            if key in seen or per_rule.get(key[0], 0) >= _MAX_FINDINGS_PER_RULE:
                continue
            seen.add(key)
            per_rule[key[0]] = per_rule.get(key[0], 0) + 1
            finding = Finding(**{k: v for k, v in data.items() if k in _FINDING_FIELDS})
            finding.id = f"F{len(out) + 1:03d}"
            out.append(finding)
    return out


_FINDING_FIELDS = frozenset(Finding.__dataclass_fields__)


def _add(into: dict[str, int], counts: Mapping[str, Any]) -> None:
    for key, value in counts.items():
        into[str(key)] = into.get(str(key), 0) + int(value)


def merge(state: Mapping[str, Any], result: RunResult, settings: LoadSettings) -> dict[str, Any]:
    """Fill `result` from the master's state file; return the report's load section."""
    workers = sorted(state.get("workers", {}).values(), key=lambda w: int(w.get("index", -1)))
    snapshots = [w["snapshot"] for w in workers if w.get("snapshot")]
    rules: dict[str, RuleStats] = {}
    coverage: dict[str, dict[str, dict[str, int]]] = {}
    by_status: dict[str, int] = {}
    first_failure: dict[str, float] = {}
    for snap in snapshots:
        for rule, counts in snap.get("rules", {}).items():
            stats = rules.setdefault(rule, RuleStats())
            stats.passed += int(counts.get("passed", 0))
            stats.failed += int(counts.get("failed", 0))
            stats.warned += int(counts.get("warned", 0))
        for dim, variants in snap.get("coverage", {}).items():
            for variant, cell in variants.items():
                _add(coverage.setdefault(dim, {}).setdefault(variant, {}), cell)
        _add(by_status, snap.get("by_status", {}))
        for rule, at in snap.get("first_failure_s", {}).items():
            first_failure[rule] = min(float(at), first_failure.get(rule, float("inf")))
    result.rules = rules
    result.coverage = {d: {v: dict(c) for v, c in vs.items()} for d, vs in coverage.items()}
    result.findings = merge_findings(snapshots)
    result.requests_by_status = by_status
    result.requests_sent = sum(by_status.values())
    stats = state.get("stats", {})
    total = stats.get("total", {})
    reasons = [str(state["unhealthy"])] if state.get("unhealthy") else []
    judged = sum(r.passed + r.failed + r.warned for r in rules.values())
    if not snapshots:
        reasons.append("no worker reported (check --master-host, --master-port, --expect-workers)")
    elif judged == 0 and not reasons:
        # A pass that judged nothing would be false comfort.
        reasons.append("no response was judged (see the load-logs directory)")
    objective = None
    if settings.p99_ms is not None:
        measured = float(total.get("p99_ms", 0.0))
        met = bool(total.get("requests")) and measured <= settings.p99_ms
        objective = {"p99_ms": settings.p99_ms, "measured_p99_ms": measured, "met": met}
        if not met:
            reasons.append(
                f"latency objective missed: p99 {measured:g} ms > {settings.p99_ms:g} ms"
            )
    result.unhealthy = "; ".join(reasons) or None
    result.phases = {
        "load": {"users": settings.users, "workers": len(workers)},
        "first_failure_s": first_failure,
    }
    started = float(state.get("started") or 0.0)
    lost = [int(w.get("index", -1)) for w in workers if not w.get("final")]
    return {
        "users": settings.users,
        "spawn_rate": settings.spawn_rate,
        "run_time_s": settings.run_time_s,
        "rate_limit": settings.rate_limit,
        "workers": {"expected": settings.expected_workers, "reported": len(workers), "lost": lost},
        "requests": int(total.get("requests", 0)),
        "failures": int(total.get("failures", 0)),
        "latency_ms": {k: v for k, v in total.items() if k.endswith("_ms")},
        "phases": stats.get("phases", {}),
        "requests_by_name": stats.get("entries", {}),
        "throughput": _series(stats.get("per_second", {}), started),
        "latency_objective": objective,
        "scratch_logs": {
            "created": sum(len(w.get("logs", [])) for w in workers),
            "by_worker": {str(w.get("index", -1)): list(w.get("logs", [])) for w in workers},
        },
    }


def _series(per_second: Mapping[str, Any], started: float) -> list[list[float]]:
    """[[seconds since start, requests, failures], ...], one point per second."""
    points = sorted((int(ts), int(v[0]), int(v[1])) for ts, v in per_second.items())
    if not points:
        return []
    origin = int(started) if started else points[0][0]
    # A second with no request has no entry in Locust's counts: it is a zero, not a gap.
    counts = {ts: (n, f) for ts, n, f in points}
    return [
        [float(ts - origin), *map(float, counts.get(ts, (0, 0)))]
        for ts in range(min(origin, points[0][0]), points[-1][0] + 1)
    ]


def cleanup(base_url: str, api_key: str, ids: list[str], *, timeout_s: float = 10.0) -> list[str]:
    """DELETE every scratch log (in chunks); return what went wrong, key scrubbed."""
    problems: list[str] = []
    with httpx.Client(timeout=timeout_s) as client:
        for start in range(0, len(ids), _DELETE_CHUNK):
            chunk = ids[start : start + _DELETE_CHUNK]
            try:
                resp = client.delete(
                    f"{base_url.rstrip('/')}/logs",
                    params={"id": chunk},
                    headers={"X-API-KEY": api_key, "accept": "application/json"},
                )
            except httpx.HTTPError as exc:
                problems.append(scrub(f"DELETE /logs: {type(exc).__name__}: {exc}", api_key))
                continue
            if resp.status_code >= 300:
                problems.append(f"DELETE /logs ({len(chunk)} ids): HTTP {resp.status_code}")
    return problems

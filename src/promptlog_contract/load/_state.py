"""What the Locust master keeps during a run, and the state file it leaves behind.

Workers send their cumulative tally every second and every scratch log id as
soon as it exists, so the master always holds the latest word of every
worker, a dead one's included. The master writes it, with Locust's own
statistics (per request name, and requests per second over time), to a JSON
file for the `load` command, which turns it into the reports and deletes the
logs. Kept apart from the locustfile so it is importable without gevent.
"""

from __future__ import annotations

import json
import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

__all__ = ["MasterState", "master_state", "stats_of"]

PERCENTILES = (0.5, 0.95, 0.99)


@dataclass
class MasterState:
    snapshots: dict[str, dict[str, Any]] = field(default_factory=dict)
    logs: dict[str, list[str]] = field(default_factory=dict)
    index: dict[str, int] = field(default_factory=dict)
    final: set[str] = field(default_factory=set)
    unhealthy: str | None = None
    started: float = 0.0

    def on_logs(self, environment: Any = None, msg: Any = None, **_kw: Any) -> None:
        data = msg.data
        self.index[msg.node_id] = int(data.get("worker", -1))
        self.logs.setdefault(msg.node_id, []).extend(str(i) for i in data.get("ids", []))

    def on_snapshot(self, environment: Any = None, msg: Any = None, **_kw: Any) -> None:
        data = dict(msg.data)
        self.index[msg.node_id] = int(data.get("worker", -1))
        self.snapshots[msg.node_id] = data
        # The snapshot lists every log the worker made: a lost plc_logs message is repaired.
        known = self.logs.setdefault(msg.node_id, [])
        seen = set(known)
        known.extend(i for i in data.get("logs", []) if i not in seen)
        if data.get("final"):
            self.final.add(msg.node_id)
        if data.get("unhealthy") and self.unhealthy is None:
            self.unhealthy = str(data["unhealthy"])

    def to_dict(self, env: Any) -> dict[str, Any]:
        workers = {
            node: {
                "index": self.index.get(node, -1),
                "final": node in self.final,
                "logs": self.logs.get(node, []),
                "snapshot": self.snapshots.get(node),
            }
            for node in sorted(set(self.logs) | set(self.snapshots))
        }
        return {
            "started": self.started,
            "written": time.time(),
            "unhealthy": self.unhealthy,
            "workers": workers,
            "stats": stats_of(env),
        }

    def write(self, path: Path, env: Any) -> None:
        # Write then rename: the command may read it at any moment if the master dies.
        tmp = path.with_name(path.name + ".tmp")
        tmp.write_text(json.dumps(self.to_dict(env)), encoding="utf-8")
        os.replace(tmp, path)


def master_state(env: Any) -> MasterState:
    state = getattr(env, "_promptlog_contract_state", None)
    if state is None:
        state = MasterState()
        env._promptlog_contract_state = state
    return state


def _entry(entry: Any) -> dict[str, Any]:
    return {
        "requests": int(entry.num_requests),
        "failures": int(entry.num_failures),
        "avg_ms": round(float(entry.avg_response_time), 2),
        "max_ms": round(float(entry.max_response_time or 0), 2),
        **{
            f"p{int(p * 100)}_ms": round(float(entry.get_response_time_percentile(p) or 0), 2)
            for p in PERCENTILES
        },
    }


def stats_of(env: Any) -> dict[str, Any]:
    """Locust's statistics: per phase (the request name's first word), per request name,
    in total, and per second (requests, failures)."""
    from locust.stats import StatsEntry

    stats = env.stats
    total = stats.total
    phases: dict[str, Any] = {}
    for (name, _method), entry in stats.entries.items():
        phase = str(name).split(" ", 1)[0]
        if phase not in phases:
            phases[phase] = StatsEntry(stats, phase, "")
        phases[phase].extend(entry)
    return {
        "phases": {phase: _entry(entry) for phase, entry in sorted(phases.items())},
        "entries": {
            str(name): {"method": str(method), **_entry(entry)}
            for (name, method), entry in stats.entries.items()
        },
        "total": _entry(total),
        "per_second": {
            str(ts): [int(n), int(total.num_fail_per_sec.get(ts, 0))]
            for ts, n in sorted(total.num_reqs_per_sec.items())
        },
    }

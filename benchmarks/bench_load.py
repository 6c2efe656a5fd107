"""How many checked requests per second `load` sends, beside unchecked Locust users in the same run.

Not a test: run `python benchmarks/bench_load.py [--quick]` (needs the [load]
extra) and read the table (also written to reports/bench-load.json). Every
run is `promptlog-contract load` as a user runs it, against the bundled mock
in its own process:

1. checked vs plain, same run: `--plain-users` adds as many `PlainUser`s as
   checked users, sending the same requests (the same pool, the same 6:3:1 mix,
   the same sequences) and judging nothing, so the two rates share one machine,
   one mock and one time window; their ratio is the cost of the checks;
2. scaling: checked users alone with `--processes 1` and then `--processes 2`
   (the machine has 2 cores, shared with the mock).

Rates are requests over the steady part of the run: the throughput series
without its first and last two seconds (spawning and stopping).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]


def load_run(users: int, seconds: int, processes: int, *, plain: bool) -> dict[str, Any]:
    """Run `promptlog-contract load` once; return its summary's load section and verdict."""
    with tempfile.TemporaryDirectory() as tmp:
        command = [
            sys.executable, "-m", "promptlog_contract", "load", "--quiet",
            "--users", str(users), "--spawn-rate", str(users * 4),
            "--run-time", f"{seconds}s", "--processes", str(processes), "--report-dir", tmp,
            *(["--plain-users"] if plain else []),
        ]  # fmt: skip
        done = subprocess.run(command, capture_output=True, text=True, check=False)
        path = Path(tmp) / "summary.json"
        if not path.exists():
            raise SystemExit(f"load run failed (exit {done.returncode}): {done.stderr[-2000:]}")
        summary = json.loads(path.read_text())
    load: dict[str, Any] = summary["load"]
    load["verdict"] = summary["verdict"]
    return load


def steady_rate(load: dict[str, Any], phases: set[str] | None = None) -> float:
    """Requests per second in the steady window; for `phases`, in proportion to their count."""
    series = load["throughput"][2:-2] or load["throughput"]
    total_rate = sum(p[1] for p in series) / max(len(series), 1)
    if phases is None:
        return total_rate
    mine = sum(row["requests"] for name, row in load["phases"].items() if name in phases)
    everything = sum(row["requests"] for row in load["phases"].values())
    return total_rate * mine / max(everything, 1)


CHECKED = {"valid", "invalid", "concurrent", "probe", "setup"}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--quick", action="store_true", help="shorter runs (10 s instead of 30 s)")
    parser.add_argument("--users", type=int, default=20, help="checked users per run")
    args = parser.parse_args()
    seconds = 10 if args.quick else 30
    rows: dict[str, Any] = {}

    both = load_run(args.users, seconds, 1, plain=True)
    checked, plain = steady_rate(both, CHECKED), steady_rate(both, {"plain"})
    rows["checked_vs_plain"] = {
        "users_each": args.users,
        "processes": 1,
        "checked_rps": round(checked, 1),
        "plain_rps": round(plain, 1),
        "ratio": round(checked / plain, 3) if plain else None,
        "verdict": both["verdict"],
        "p99_ms": {k: v["p99_ms"] for k, v in both["phases"].items()},
    }
    for processes in (1, 2):
        run = load_run(args.users, seconds, processes, plain=False)
        rows[f"processes_{processes}"] = {
            "users": args.users,
            "checked_rps": round(steady_rate(run), 1),
            "p99_ms": run["latency_ms"].get("p99_ms"),
            "verdict": run["verdict"],
        }
    one, two = rows["processes_1"]["checked_rps"], rows["processes_2"]["checked_rps"]
    rows["scaling_1_to_2"] = round(two / one, 3) if one else None
    rows["machine"] = {"cpus": os.cpu_count(), "python": platform.python_version()}
    rows["seconds"] = seconds

    cvp = rows["checked_vs_plain"]
    print(f"checked vs plain, same run ({args.users} users each, 1 process, {seconds}s):")
    print(f"  checked {cvp['checked_rps']:>8} req/s   plain {cvp['plain_rps']:>8} req/s   "
          f"ratio {cvp['ratio']}")  # fmt: skip
    print(f"scaling ({args.users} checked users, {seconds}s):")
    for processes in (1, 2):
        row = rows[f"processes_{processes}"]
        print(f"  {processes} process(es): {row['checked_rps']:>8} req/s   p99 {row['p99_ms']} ms")
    print(f"  1 -> 2 processes: x{rows['scaling_1_to_2']}")
    out = ROOT / "reports" / "bench-load.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(rows, indent=2) + "\n")
    print(f"-> {out}")


if __name__ == "__main__":
    main()

"""Memory, throughput and disk of a long unthrottled `fuzz`, sampled as it runs.

Not a test: run `python benchmarks/bench_fuzz_rss.py [--quick] [--minutes N]`
and read the table (raw samples in reports/bench-fuzz-rss.json). The bundled
mock is served in its own process on loopback; `promptlog-contract fuzz` runs
against it for N minutes (default 10, `--quick` 1) with a rate limit far above
what it can reach, from a fresh working directory with a fresh cache
directory. Every 10 s the fuzzing process's resident memory (VmRSS, VmHWM from
/proc/<pid>/status) and the cache directory's size are sampled. Reported: the
checked requests/s (summary.json's requests sent over its duration), RSS
growth from the first sample after warm-up to the last (the goal is flat
within 10%), and the cache's size before and after (the goal is a cap).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from _common import BENCH_KEY, mock_process

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
INTERVAL_S = 10.0
WARMUP_S = 30.0
TARGET_RPS = 800.0
TARGET_RSS_GROWTH = 0.10
UNTHROTTLED = "100000/s"


def _status_kib(pid: int) -> dict[str, int]:
    try:
        text = Path(f"/proc/{pid}/status").read_text(encoding="ascii")
    except OSError:
        return {}
    return {key: int(kib) for key, kib in re.findall(r"^(VmRSS|VmHWM):\s+(\d+) kB", text, re.M)}


def _descendants(pid: int) -> list[int]:
    """The process's children, grandchildren... (the engine's drawing processes)."""
    found: list[int] = []
    try:
        tasks = list(Path(f"/proc/{pid}/task").iterdir())
    except OSError:
        return found
    for task in tasks:
        try:
            children = (task / "children").read_text(encoding="ascii").split()
        except OSError:
            continue
        for child in map(int, children):
            found += [child, *_descendants(child)]
    return found


def _tree_rss_mib(pid: int) -> float:
    """Resident memory of the process and all its descendants, summed."""
    total = sum(_status_kib(p).get("VmRSS", 0) for p in [pid, *_descendants(pid)])
    return round(total / 1024, 1)


def _size(directory: Path) -> int:
    total = 0
    for path in directory.rglob("*"):
        try:
            if path.is_file():
                total += path.stat().st_size
        except OSError:
            pass
    return total


def fuzz(base_url: str, minutes: float) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as tmp:
        cwd, home, cache = Path(tmp, "project"), Path(tmp, "home"), Path(tmp, "cache")
        for directory in (cwd, home, cache):
            directory.mkdir()
        env = {k: v for k, v in os.environ.items() if not k.startswith(("HYPOTHESIS", "XDG_"))}
        env.update(HOME=str(home), PROMPTLOG_CONTRACT_CACHE=str(cache), NO_COLOR="1")
        command = [str(BIN / "promptlog-contract"), "fuzz", "--base-url", base_url]
        command += ["--api-key", BENCH_KEY, "--rate-limit", UNTHROTTLED]
        command += ["--max-time", f"{int(minutes * 60)}s", "--report-dir", "reports", "--quiet"]
        cache_before = _size(cache)
        samples: list[dict[str, Any]] = []
        started = time.monotonic()
        with tempfile.TemporaryFile("w+") as output:
            process = subprocess.Popen(command, cwd=cwd, env=env, stdout=output, stderr=output)
            next_at = started + INTERVAL_S
            while process.poll() is None:
                time.sleep(max(0.0, min(1.0, next_at - time.monotonic())))
                if time.monotonic() >= next_at:
                    kib = _status_kib(process.pid)
                    if kib:
                        samples.append(
                            {
                                "t_s": round(time.monotonic() - started, 1),
                                "rss_mib": round(kib["VmRSS"] / 1024, 1),
                                "hwm_mib": round(kib["VmHWM"] / 1024, 1),
                                "tree_rss_mib": _tree_rss_mib(process.pid),
                                "load_1m": os.getloadavg()[0],
                                "cache_bytes": _size(cache),
                            }
                        )
                        print(f"  {samples[-1]}", flush=True)
                    next_at += INTERVAL_S
            wall = time.monotonic() - started
            output.seek(0)
            tail = output.read()[-1500:]
        summary_path = cwd / "reports" / "summary.json"
        if not summary_path.exists():
            raise SystemExit(f"fuzz wrote no summary (exit {process.returncode}):\n{tail}")
        summary = json.loads(summary_path.read_text(encoding="utf-8"))
        cache_after = _size(cache)
        cache_files = sum(1 for p in cache.rglob("*") if p.is_file())
    sent = int(summary["requests"]["sent"])
    warm = [s for s in samples if s["t_s"] >= WARMUP_S] or samples
    growth = (warm[-1]["rss_mib"] - warm[0]["rss_mib"]) / warm[0]["rss_mib"] if warm else None
    tree = [s["tree_rss_mib"] for s in warm]
    tree_growth = (tree[-1] - tree[0]) / tree[0] if tree and tree[0] else None
    return {
        "command": " ".join(command),
        "exit_code": process.returncode,
        "verdict_line": tail.strip().splitlines()[-1] if tail.strip() else "",
        "wall_s": round(wall, 1),
        "duration_s": summary["duration_s"],
        "requests": sent,
        "checked_rps": sent / summary["duration_s"],
        "phases": summary["phases"],
        "samples": samples,
        "rss_growth_after_warmup": growth,
        "tree_rss_growth_after_warmup": tree_growth,
        "load_1m": [min(x["load_1m"] for x in samples), max(x["load_1m"] for x in samples)]
        if samples
        else None,
        "cache_bytes_before": cache_before,
        "cache_bytes_after": cache_after,
        "cache_files_after": cache_files,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="one minute (default: 10)")
    parser.add_argument("--minutes", type=float, default=None)
    parser.add_argument("--out", type=Path, default=ROOT / "reports" / "bench-fuzz-rss.json")
    args = parser.parse_args()
    minutes = args.minutes or (1.0 if args.quick else 10.0)
    with mock_process() as base_url:
        result = fuzz(base_url, minutes)
    result["machine"] = {"python": platform.python_version(), "cpus": os.cpu_count()}
    result["targets"] = {"checked_rps": TARGET_RPS, "rss_growth": TARGET_RSS_GROWTH}
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2), encoding="utf-8")
    rss = [s["rss_mib"] for s in result["samples"]]
    growth = result["rss_growth_after_warmup"]
    print(f"\n== unthrottled fuzz for {minutes:g} min against the mock in its own process ==")
    print(f"  exit {result['exit_code']}: {result['verdict_line']}")
    print(
        f"  checked requests/s: {result['checked_rps']:.0f} "
        f"({result['requests']} in {result['duration_s']} s; target >= {TARGET_RPS:.0f})"
    )
    if rss:
        print(
            f"  RSS every {INTERVAL_S:.0f} s: min {min(rss)} / max {max(rss)} / last {rss[-1]} MiB;"
            f" growth after {WARMUP_S:.0f} s warm-up: "
            + (f"{growth:+.1%}" if growth is not None else "n/a")
            + f" (target within {TARGET_RSS_GROWTH:.0%})"
        )
    tree = [s["tree_rss_mib"] for s in result["samples"]]
    if tree:
        tree_growth = result["tree_rss_growth_after_warmup"]
        print(
            f"  RSS with the drawing processes: min {min(tree)} / max {max(tree)} / last"
            f" {tree[-1]} MiB; growth after warm-up: "
            + (f"{tree_growth:+.1%}" if tree_growth is not None else "n/a")
            + f"; load average (1 min) {result['load_1m']}"
        )
    print(
        f"  cache: {result['cache_bytes_before'] / 2**20:.1f} MiB before, "
        f"{result['cache_bytes_after'] / 2**20:.1f} MiB after ({result['cache_files_after']} files)"
    )
    print(f"  raw samples: {args.out}")


if __name__ == "__main__":
    main()

"""A default `run` as a fresh CI clone meets it, beside Schemathesis run the same way.

Not a test: run `python benchmarks/bench_cold.py [--quick]` and read the table
(raw rounds in reports/bench-cold.json). Both tools start cold, as in CI: each
process gets a fresh working directory, an empty HOME and, for the suite, an
empty body cache, so no `.hypothesis/` directory, Unicode table or cached body
is reused. Both run against the same bundled mock, served in its own process on
loopback, in interleaved rounds (the machine is shared, so only the ratio
measured in one run means anything):

- the suite: `promptlog-contract run --base-url URL` (the default `ci` profile,
  Schemathesis phase included); requests from summary.json;
- Schemathesis alone: `st run contracts/openapi.yaml --checks all
  --continue-on-failure -n 100` on the PATCH operation, path parameters bound
  to a scratch log; requests counted from its HAR report.

Peak RSS comes from `/usr/bin/time -v` (the child's own high-water mark). The
ratio is per request over the whole process's wall time (start-up, schema
loading and generation included): what a user waits for.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx
from _common import BENCH_KEY, median, mock_process
from bench_fuzz_rss import _tree_rss_mib

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
OPERATION_ID = "update_log_prompts__id__log__log_id__patch"
TARGET_RATIO = 2.0
TARGET_PEAK_MIB = 150.0


def _clean_env(home: Path, cache: Path | None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("HYPOTHESIS", "XDG_"))}
    env.update(HOME=str(home), NO_COLOR="1")
    if cache is not None:
        env["PROMPTLOG_CONTRACT_CACHE"] = str(cache)
    return env


#: The peak of the whole process tree (the suite's drawing processes included), in MiB.
tree_peaks: list[float] = []


def _timed(command: list[str], cwd: Path, env: dict[str, str]) -> tuple[int, float, float, str]:
    """Exit code, wall seconds, peak RSS in MiB and stdout of `command` under /usr/bin/time -v.

    /usr/bin/time gives the largest single process; the sum over the process
    tree, sampled every 0.2 s, is appended to `tree_peaks`.
    """
    started = time.perf_counter()
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        process = subprocess.Popen(
            ["/usr/bin/time", "-v", *command], cwd=cwd, env=env, stdout=out, stderr=err, text=True
        )
        peak = 0.0
        while process.poll() is None:
            peak = max(peak, _tree_rss_mib(process.pid))
            time.sleep(0.2)
        wall = time.perf_counter() - started
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read(), err.read()
    tree_peaks.append(peak)
    found = re.search(r"Maximum resident set size \(kbytes\): (\d+)", stderr)
    if not found:
        raise SystemExit(f"no RSS from /usr/bin/time:\n{stderr[-2000:]}")
    return process.returncode, wall, int(found.group(1)) / 1024, stdout


def suite_round(base_url: str) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as tmp:
        cwd, home, cache = Path(tmp, "project"), Path(tmp, "home"), Path(tmp, "cache")
        cwd.mkdir()
        home.mkdir()
        command = [str(BIN / "promptlog-contract"), "run", "--base-url", base_url]
        command += ["--api-key", BENCH_KEY, "--report-dir", "reports", "--quiet"]
        code, wall, peak, _ = _timed(command, cwd, _clean_env(home, cache))
        tree_peak = tree_peaks[-1]
        summary = json.loads((cwd / "reports" / "summary.json").read_text(encoding="utf-8"))
        left = sorted(p.name for p in cwd.iterdir())
    sent = int(summary["requests"]["sent"])
    return {
        "exit_code": code,
        "requests": sent,
        "wall_s": round(wall, 3),
        "run_s": summary["duration_s"],
        "peak_mib": round(peak, 1),
        "tree_peak_mib": round(tree_peak, 1),
        "rps": sent / wall,
        "run_rps": sent / summary["duration_s"],
        "phases": summary["phases"],
        "cwd_after": left,
    }


def schemathesis_round(base_url: str, max_examples: int) -> dict[str, Any]:
    st = shutil.which("st", path=str(BIN)) or shutil.which("st")
    if st is None:
        raise SystemExit("the schemathesis CLI (st) is not installed")
    created = httpx.post(
        f"{base_url}/prompts/log",
        headers={"X-API-KEY": BENCH_KEY},
        json={"path": "promptlog-contract/bench-peer", "output": "x"},
    ).json()
    with tempfile.TemporaryDirectory() as tmp:
        cwd, home = Path(tmp, "project"), Path(tmp, "home")
        cwd.mkdir()
        home.mkdir()
        (cwd / "schemathesis.toml").write_text(
            "[parameters]\n"
            f'"path.id" = "{created["prompt_id"]}"\n'
            f'"path.log_id" = "{created["id"]}"\n'
            "[phases.coverage]\nunexpected-methods = []\n",
            encoding="utf-8",
        )
        command = [st, "run", str(ROOT / "contracts" / "openapi.yaml"), "--url", base_url]
        command += ["-H", f"X-API-KEY: {BENCH_KEY}", "--include-operation-id", OPERATION_ID]
        command += ["--checks", "all", "--continue-on-failure", "-n", str(max_examples)]
        command += ["--seed", "0", "--workers", "1", "--report", "har", "--report-dir", "har"]
        code, wall, peak, _ = _timed(command, cwd, _clean_env(home, None))
        tree_peak = tree_peaks[-1]
        requests = sum(
            len(json.loads(har.read_text(encoding="utf-8"))["log"]["entries"])
            for har in (cwd / "har").glob("*")
        )
    if not requests:
        raise SystemExit(f"Schemathesis sent nothing (exit {code})")
    return {
        "exit_code": code,
        "requests": requests,
        "wall_s": round(wall, 3),
        "peak_mib": round(peak, 1),
        "tree_peak_mib": round(tree_peak, 1),
        "rps": requests / wall,
    }


def _spread(values: list[float], fmt: str = "{:.2f}") -> str:
    return " / ".join(fmt.format(v) for v in (min(values), median(values), max(values)))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="one round (default: 3)")
    parser.add_argument("--rounds", type=int, default=None)
    parser.add_argument("--max-examples", type=int, default=100, help="Schemathesis's -n")
    parser.add_argument("--out", type=Path, default=ROOT / "reports" / "bench-cold.json")
    args = parser.parse_args()
    rounds = args.rounds or (1 if args.quick else 3)
    out: dict[str, Any] = {
        "machine": {"python": platform.python_version(), "cpus": os.cpu_count()},
        "rounds": [],
    }
    with mock_process() as base_url:
        for index in range(rounds):
            # Alternate who goes first, so neither always meets a warmer machine.
            order = ["suite", "schemathesis"]
            row: dict[str, Any] = {}
            for who in order if index % 2 == 0 else order[::-1]:
                row[who] = (
                    suite_round(base_url)
                    if who == "suite"
                    else schemathesis_round(base_url, args.max_examples)
                )
                got = row[who]
                print(
                    f"  round {index + 1} {who}: {got['requests']} requests in {got['wall_s']} s,"
                    f" peak {got['peak_mib']} MiB (tree {got['tree_peak_mib']} MiB),"
                    f" exit {got['exit_code']}, load {os.getloadavg()[0]:.1f}",
                    flush=True,
                )
            row["ratio_per_request"] = row["suite"]["rps"] / row["schemathesis"]["rps"]
            out["rounds"].append(row)
    suite = [r["suite"] for r in out["rounds"]]
    peer = [r["schemathesis"] for r in out["rounds"]]
    ratios = [r["ratio_per_request"] for r in out["rounds"]]
    out["summary"] = {
        "suite_peak_mib": [min(s["peak_mib"] for s in suite), max(s["peak_mib"] for s in suite)],
        "schemathesis_peak_mib": [
            min(p["peak_mib"] for p in peer),
            max(p["peak_mib"] for p in peer),
        ],
        "ratio_per_request": {"min": min(ratios), "median": median(ratios), "max": max(ratios)},
        "targets": {"peak_mib": TARGET_PEAK_MIB, "ratio": TARGET_RATIO},
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(out, indent=2), encoding="utf-8")
    print("\n== cold default run vs Schemathesis alone (min / median / max) ==")
    for name, rows in (("suite", suite), ("schemathesis", peer)):
        print(
            f"  {name:<13} requests {_spread([r['requests'] for r in rows], '{:.0f}')}"
            f"  wall {_spread([r['wall_s'] for r in rows])} s"
            f"  {_spread([r['rps'] for r in rows], '{:.0f}')} req/s"
            f"  peak {_spread([r['peak_mib'] for r in rows], '{:.0f}')} MiB"
            f" (tree {_spread([r['tree_peak_mib'] for r in rows], '{:.0f}')} MiB)"
        )
    print(
        f"  suite/schemathesis per request: {_spread(ratios)} (target >= {TARGET_RATIO})\n"
        f"  suite peak RSS target < {TARGET_PEAK_MIB:.0f} MiB; "
        f"files left in the suite's cwd: {sorted({n for s in suite for n in s['cwd_after']})}\n"
        f"  raw rounds: {args.out}"
    )


if __name__ == "__main__":
    main()

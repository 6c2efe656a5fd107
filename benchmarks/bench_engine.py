"""How fast the engine reaches a verdict, beside baselines measured in the same run.

Not a test: run `python benchmarks/bench_engine.py [--quick]` and read the
table (also written to reports/bench-engine.json). The machine is shared and
noisy, so every figure that matters is a ratio to a baseline measured in the
same run, round by round:

1. checked requests per second against the bundled mock (in its own process,
   so it does not share the client's GIL): the suite's bodies phase beside a
   bare httpx loop sending the same bodies in the same PATCH -> PATCH -> GET
   sequences on as many workers with no checks (the ceiling), and beside the
   Schemathesis CLI fuzzing the same operation;
2. validations per second of a realistic prompt log: `jsonschema` beside
   `jsonschema-rs` (the engine's hot path, `contract.is_valid`);
3. time to verdict and peak RSS of `run(RunConfig())` (what `promptlog-contract
   run` does, in-process mock and Schemathesis phase included) in a fresh
   subprocess, beside a subprocess that only imports the package.

If the suite misses its throughput target the bodies phase is profiled
(CPU time in every thread) and the hot areas and functions are printed.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from importlib.metadata import version
from pathlib import Path
from typing import Any

import httpx
from _common import (
    BENCH_KEY,
    PEAK_KIB,
    Laps,
    ThreadProfiler,
    fresh,
    median,
    mock_process,
    schemathesis_cli,
    show_profile,
    summarise,
)

from promptlog_contract import contract
from promptlog_contract.engine import RunConfig, run
from promptlog_contract.engine._http import Target
from promptlog_contract.types import RunResult

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "tests" / "contract" / "examples" / "realistic_prompt_log_response.json"
TARGET_SUITE_VS_BARE = 0.7
TARGET_SUITE_VS_ST = 1.0
TARGET_PEAK_MB = 300.0
SEED = 0


@dataclass
class Round:
    """One suite run, then a bare run replaying the suite's bodies-phase requests."""

    requests: int  # in the bodies phase, the same in both
    suite_bodies_s: float
    draw_s: float  # from the phase's start to its first request
    suite_requests: int  # the whole run: setup, probes, bodies, shrinking, cleanup
    suite_s: float
    suite_cpu_ms: float  # client CPU per request, whole run
    sending_cpu_ms: float  # client CPU per request from the phase's first request on
    bare_s: float
    bare_cpu_ms: float

    @property
    def bare_rps(self) -> float:
        return self.requests / self.bare_s

    @property
    def suite_rps(self) -> float:
        return self.suite_requests / self.suite_s

    @property
    def bodies_rps(self) -> float:
        return self.requests / self.suite_bodies_s

    @property
    def bodies_undrawn_rps(self) -> float:
        return self.requests / max(self.suite_bodies_s - self.draw_s, 1e-9)


# -- 1. throughput ----------------------------------------------------------------------
@dataclass
class Capture:
    """The bodies-phase requests of one suite run, per worker thread, in order."""

    phase_started: float = 0.0
    first_request: float = 0.0
    first_request_cpu: float = 0.0
    by_thread: dict[int, list[tuple[str, bytes | None]]] = field(default_factory=dict)

    def progress(self, line: str) -> None:
        if line.startswith("bodies"):
            self.phase_started = time.perf_counter()

    @property
    def requests(self) -> int:
        return sum(len(sent) for sent in self.by_thread.values())


@contextmanager
def capturing(capture: Capture) -> Iterator[None]:
    """Record what the engine's worker threads send (the bodies phase; the rest runs on main).

    Recording the engine's own requests keeps the bare loop on the same bodies
    (its batch, its sweeps) however the runner chooses them; it costs a list
    append per request.
    """
    original = Target.request

    def request(self: Target, method: str, path: str, **kwargs: Any) -> Any:
        if threading.current_thread() is not threading.main_thread():
            if not capture.first_request:
                capture.first_request = time.perf_counter()
                capture.first_request_cpu = time.process_time()
            body = kwargs.get("json_body")
            content = kwargs.get("content") if body is None else body
            sent = capture.by_thread.setdefault(threading.get_ident(), [])
            sent.append((method, content))
        return original(self, method, path, **kwargs)

    Target.request = request  # type: ignore[method-assign]
    try:
        yield
    finally:
        Target.request = original  # type: ignore[method-assign]


def suite(base_url: str, n: int, workers: int, **extra: Any) -> RunResult:
    return run(
        RunConfig(
            base_url=base_url,
            api_key=BENCH_KEY,
            schemathesis=False,
            max_examples=n,
            workers=workers,
            seed=SEED,
            **extra,
        )
    )


def captured_suite(base_url: str, n: int, workers: int) -> tuple[RunResult, Capture, float, float]:
    """A suite run, its bodies-phase capture, its client CPU, and that CPU after drawing."""
    capture = Capture()
    cpu = time.process_time()
    with capturing(capture):
        result = suite(base_url, n, workers, progress=capture.progress)
    end = time.process_time()
    return result, capture, end - cpu, end - capture.first_request_cpu


def bare(base_url: str, capture: Capture) -> float:
    """Replay a capture with nothing else: send, read, no parsing, no checks; seconds taken.

    One shared client with the engine's pool settings, one thread and one
    scratch log per captured worker, each sending its worker's requests in order.
    """
    headers = {"accept": "application/json", "content-type": "application/json"}
    headers["X-API-KEY"] = BENCH_KEY
    client = httpx.Client(
        timeout=10.0, limits=httpx.Limits(max_connections=64, max_keepalive_connections=64)
    )
    scratch = {"path": "bench/engine", "prompt": {"model": "gpt-4o"}, "output": "scratch"}
    shares = list(capture.by_thread.values())
    logs = [
        client.post(f"{base_url}/prompts/log", json=scratch, headers=headers).json() for _ in shares
    ]

    def worker(index: int) -> None:
        log = logs[index]
        patch = base_url + contract.patch_path(log["prompt_id"], log["id"])
        get = f"{base_url}/logs/{log['id']}"
        for method, body in shares[index]:
            if method == "GET":
                client.get(get, headers=headers)
                continue
            content = (
                body
                if isinstance(body, bytes | None)
                else json.dumps(body, ensure_ascii=False).encode()
            )
            client.request(method, patch, content=content, headers=headers)

    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=len(shares)) as pool:
        list(pool.map(worker, range(len(shares))))
    elapsed = time.perf_counter() - started
    client.close()
    return elapsed


def one_round(base_url: str, n: int, workers: int) -> Round:
    result, capture, suite_cpu, sending_cpu = captured_suite(base_url, n, workers)
    cpu = time.process_time()
    bare_s = bare(base_url, capture)
    bare_cpu = time.process_time() - cpu
    return Round(
        requests=capture.requests,
        suite_bodies_s=result.phases["bodies-1"]["duration_s"],
        draw_s=capture.first_request - capture.phase_started,
        suite_requests=result.requests_sent,
        suite_s=result.duration_s,
        suite_cpu_ms=1000 * suite_cpu / result.requests_sent,
        sending_cpu_ms=1000 * sending_cpu / capture.requests,
        bare_s=bare_s,
        bare_cpu_ms=1000 * bare_cpu / capture.requests,
    )


def schemathesis(base_url: str, n: int) -> dict[str, Any]:
    """The Schemathesis CLI on the PATCH operation, its path pinned to a fresh scratch log."""
    scratch = {"path": "bench/engine-st", "prompt": {"model": "gpt-4o"}, "output": "scratch"}
    headers = {"X-API-KEY": BENCH_KEY}
    log = httpx.post(f"{base_url}/prompts/log", json=scratch, headers=headers).json()
    params = {"path.id": log["prompt_id"], "path.log_id": log["id"]}
    return schemathesis_cli(
        contract.openapi_path(), base_url, contract.OPERATION_ID, params, n, SEED
    )


def throughput(
    base_url: str, n: int, workers: int, rounds: int, quick: bool, lap: Laps
) -> dict[str, Any]:
    """Suite/bare rounds (ratios: their median; rates: the best), 1 worker, Schemathesis."""
    one_round(base_url, 5, workers)  # warm-up: imports, validators, pools
    lap("warm-up")
    runs = [one_round(base_url, n, workers) for _ in range(rounds)]
    lap("suite/bare rounds")
    one_worker_rps: float | None = None
    if not quick:
        lone, lone_capture, _, _ = captured_suite(base_url, n, 1)
        one_worker_rps = lone_capture.requests / lone.phases["bodies-1"]["duration_s"]
        lap("suite, 1 worker")
    st = schemathesis(base_url, 40 if quick else n)
    lap("schemathesis CLI")
    best = {
        key: max(getattr(r, key) for r in runs)
        for key in ("bare_rps", "suite_rps", "bodies_rps", "bodies_undrawn_rps")
    }
    for key in ("draw_s", "bare_cpu_ms", "suite_cpu_ms", "sending_cpu_ms"):
        best[key] = min(getattr(r, key) for r in runs)
    st_rps = st.get("rps", float("inf"))
    return {
        "examples": n,
        "workers": workers,
        "rounds": [asdict(r) | {"bodies_rps": r.bodies_rps} for r in runs],
        "best": best,
        "suite_vs_bare": median([r.bodies_rps / r.bare_rps for r in runs]),
        "undrawn_vs_bare": median([r.bodies_undrawn_rps / r.bare_rps for r in runs]),
        "cpu_bare_vs_sending": median([r.bare_cpu_ms / r.sending_cpu_ms for r in runs]),
        "suite_vs_schemathesis": best["bodies_rps"] / st_rps,
        "one_worker_rps": one_worker_rps,
        "one_worker_vs_st": one_worker_rps and one_worker_rps / st_rps,
        "schemathesis": st,
    }


# -- 2. validations ---------------------------------------------------------------------
def validations(budget_s: float, rounds: int) -> dict[str, Any]:
    body = json.loads(EXAMPLE.read_text())
    slow = contract.validator(contract.UNION_SCHEMA).is_valid

    def fast(value: Any) -> bool:
        return contract.is_valid(contract.UNION_SCHEMA, value)

    if not (slow(body) and fast(body)):
        raise SystemExit(f"{EXAMPLE.name} is not a valid LogResponse")

    def rate(check: Any) -> float:
        count, started = 0, time.perf_counter()
        while (elapsed := time.perf_counter() - started) < budget_s / rounds:
            check(body)
            count += 1
        return count / elapsed

    pairs = [(rate(slow), rate(fast)) for _ in range(rounds)]
    return {
        "example": EXAMPLE.name,
        "bytes": len(EXAMPLE.read_bytes()),
        "jsonschema_per_s": max(p[0] for p in pairs),
        "jsonschema_rs_per_s": max(p[1] for p in pairs),
        "ratio": median([f / s for s, f in pairs]),
    }


# -- 3. time to verdict and memory ------------------------------------------------------
_VERDICT = (
    PEAK_KIB
    + """
import json, resource, time
started = time.perf_counter()
from promptlog_contract.engine import RunConfig, run
imported = time.perf_counter()
result = run(RunConfig())
print(json.dumps({
    "import_s": imported - started, "run_s": result.duration_s,
    "wall_s": time.perf_counter() - started, "exit_code": result.exit_code,
    "requests": result.requests_sent, "failures": len(result.failures),
    "phases": {k: v for k, v in result.phases.items() if isinstance(v, dict) and "duration_s" in v},
    "peak_kib": _peak_kib(),
    "ru_maxrss_kib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
}))
"""
)
_IMPORT_ONLY = (
    PEAK_KIB
    + """
import json
import {module}
maxrss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({{"peak_kib": _peak_kib(), "ru_maxrss_kib": maxrss}}))
"""
)


# -- profile ----------------------------------------------------------------------------
def profile(base_url: str, n: int, workers: int) -> dict[str, Any]:
    """CPU time by area and the top functions, in every thread, over the bodies phase only."""
    profiler = ThreadProfiler()

    def progress(line: str) -> None:
        if line.startswith("bodies"):
            profiler.start()

    started = time.perf_counter()
    suite(base_url, n, workers, progress=progress)
    elapsed = time.perf_counter() - started
    return {"wall_s": elapsed} | summarise(profiler.stop())


# -- output -----------------------------------------------------------------------------
def show(results: dict[str, Any]) -> None:
    t, v, m = results["throughput"], results["validation"], results["verdict"]
    best = t["best"]
    print(f"\n== 1. checked requests/s, {t['examples']} examples, {t['workers']} workers ==")
    rows = [
        ("bare httpx loop, same requests (ceiling)", best["bare_rps"]),
        ("suite, bodies phase (draw+send+check)", best["bodies_rps"]),
        ("suite, bodies phase after drawing (send+check)", best["bodies_undrawn_rps"]),
        ("suite, whole run (setup, probes, cleanup)", best["suite_rps"]),
        ("suite, bodies phase, 1 worker", t["one_worker_rps"]),
        ("schemathesis CLI, 1 worker, fuzzing phase", t["schemathesis"].get("rps")),
        ("schemathesis CLI, process wall time", t["schemathesis"].get("wall_rps")),
    ]
    for label, rps in rows:
        if rps is not None:  # None: skipped (--quick) or failed
            print(f"  {label:<46}{rps:>9,.0f} req/s")
    if "error" in t["schemathesis"]:
        print(f"  schemathesis CLI failed: {t['schemathesis']['error']}")
    print(
        f"  bodies phase: {t['rounds'][0]['requests']} requests; "
        f"{best['draw_s']:.2f} s drawing before the first one"
    )
    print(
        f"  client CPU per request: bare {best['bare_cpu_ms']:.2f} ms, suite after drawing "
        f"{best['sending_cpu_ms']:.2f} ms, suite whole run {best['suite_cpu_ms']:.2f} ms"
    )
    for name, value, target, strict in (
        ("suite/bare (bodies phase)", t["suite_vs_bare"], TARGET_SUITE_VS_BARE, False),
        ("suite/bare, after drawing", t["undrawn_vs_bare"], TARGET_SUITE_VS_BARE, False),
        ("CPU/request bare/suite after drawing", t["cpu_bare_vs_sending"], None, False),
        ("suite/schemathesis", t["suite_vs_schemathesis"], TARGET_SUITE_VS_ST, True),
        ("suite/schemathesis, 1 worker each", t["one_worker_vs_st"], TARGET_SUITE_VS_ST, True),
    ):
        if value is None:  # skipped in --quick
            continue
        if target is None:
            print(f"  {name:<46}{value:>9.2f}   (robust to load; no target)")
            continue
        met = "meets" if (value > target if strict else value >= target) else "MISSES"
        print(f"  {name:<46}{value:>9.2f}   target {'>' if strict else '>='} {target:g}: {met}")
    print(f"\n== 2. validations/s of {v['example']} ({v['bytes']:,} bytes) as LogResponse ==")
    print(f"  {'jsonschema  validator(...).is_valid':<46}{v['jsonschema_per_s']:>9,.0f} /s")
    print(f"  {'jsonschema-rs  contract.is_valid':<46}{v['jsonschema_rs_per_s']:>9,.0f} /s")
    print(f"  {'ratio rs/jsonschema':<46}{v['ratio']:>9,.0f} x")
    print("\n== 3. run(RunConfig()): default ci profile, in-process mock, schemathesis on ==")
    print(
        f"  time to verdict {m['run_s']:.1f} s (run) / {m['process_s']:.1f} s (process, "
        f"imports {m['import_s']:.2f} s); {m['requests']} requests, exit {m['exit_code']}"
    )
    print("  phases: " + ", ".join(f"{k} {p['duration_s']:.1f} s" for k, p in m["phases"].items()))
    base = results["import_baseline"]
    print(
        f"  peak RSS {m['peak_mb']:.0f} MB (target < {TARGET_PEAK_MB:g}: "
        f"{'meets' if m['peak_mb'] < TARGET_PEAK_MB else 'MISSES'}); "
        f"import-only baselines: promptlog_contract {base['package']['peak_mb']:.0f} MB, "
        f"+ runner {base['runner']['peak_mb']:.0f} MB"
    )
    if "profile" in results:
        show_profile(results["profile"])
    elif t["suite_vs_bare"] < TARGET_SUITE_VS_BARE:
        print("\n(profile skipped in --quick; add --profile to see where the time goes)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--quick", action="store_true", help="a short run (under ~40 s)")
    parser.add_argument("--examples", type=int, help="max_examples per suite run")
    parser.add_argument("--workers", type=int, default=2, help="suite and bare-loop workers")
    parser.add_argument("--rounds", type=int, help="bare/suite pairs; ratios are their median")
    parser.add_argument("--profile", action="store_true", help="profile even if targets are met")
    parser.add_argument("--check", action="store_true", help="exit 1 if a target is missed")
    parser.add_argument("--json", type=Path, default=ROOT / "reports" / "bench-engine.json")
    args = parser.parse_args()
    n = args.examples or (40 if args.quick else 200)
    rounds = args.rounds or (2 if args.quick else 3)
    if n < 1 or rounds < 1 or args.workers < 1:
        parser.error("--examples, --rounds and --workers must be at least 1")
    began = time.perf_counter()
    print(f"{n} examples, {args.workers} workers, {rounds} rounds, {os.cpu_count()} CPUs")

    laps: dict[str, float] = {}
    lap = Laps(laps)
    results: dict[str, Any] = {"validation": validations(0.6 if args.quick else 3.0, 3)}
    lap("validations")
    with mock_process() as base_url:
        results["throughput"] = throughput(base_url, n, args.workers, rounds, args.quick, lap)
        missed = results["throughput"]["suite_vs_bare"] < TARGET_SUITE_VS_BARE
        # Profiling costs several times the phase itself: too slow for --quick unless asked.
        if args.profile or (missed and not args.quick):
            results["profile"] = profile(base_url, n, args.workers)
            lap("profile")
    results["verdict"] = fresh(_VERDICT)
    lap("time to verdict")
    results["import_baseline"] = {
        "package": fresh(_IMPORT_ONLY.format(module="promptlog_contract")),
        "runner": fresh(_IMPORT_ONLY.format(module="promptlog_contract.engine")),
    }
    lap("import baselines")
    results["sections_s"] = laps
    results["machine"] = {
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "load_avg": os.getloadavg(),
    } | {d: version(d) for d in ("schemathesis", "hypothesis", "httpx", "jsonschema-rs")}
    results["bench_s"] = time.perf_counter() - began
    show(results)
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(results, indent=2, default=str) + "\n")
    print(f"\n{results['bench_s']:.0f} s; wrote {args.json}")
    t = results["throughput"]
    below = (
        t["suite_vs_bare"] < TARGET_SUITE_VS_BARE
        or t["suite_vs_schemathesis"] <= TARGET_SUITE_VS_ST
        or results["verdict"]["peak_mb"] >= TARGET_PEAK_MB
    )
    sys.exit(1 if args.check and below else 0)


if __name__ == "__main__":
    main()

"""Benchmark helpers: the mock as a process, fresh-process memory, Schemathesis, profiling.

The mock runs in a subprocess so that the load generator does not share its
GIL; the profiler exists because `cProfile` only sees the thread that enabled
it, and the engine sends from a thread pool.
"""

from __future__ import annotations

import cProfile
import json
import pstats
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path
from types import FrameType
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
BENCH_KEY = "bench-key"

_SERVE = (
    "from promptlog_contract.mock import serve\n"
    f"serve(host='127.0.0.1', port=0, api_keys=[{BENCH_KEY!r}], faults=[])\n"
)


@contextmanager
def mock_process(start_timeout: float = 20.0) -> Iterator[str]:
    """Serve the bundled mock in a subprocess; yield its base URL (`http://127.0.0.1:PORT/v5`).

    Port 0 and the URL the mock prints avoid a race between picking a port and binding it.
    """
    with tempfile.TemporaryFile(mode="w+") as stderr:
        process = subprocess.Popen(
            [sys.executable, "-c", _SERVE], stdout=subprocess.PIPE, stderr=stderr, text=True
        )
        try:
            assert process.stdout is not None
            match = re.search(r"(http://\S+/v5)", process.stdout.readline())
            if not match:
                stderr.seek(0)
                raise SystemExit(f"the mock did not start:\n{stderr.read()[-2000:]}")
            base_url = match.group(1)
            port = int(base_url.rsplit(":", 1)[1].split("/")[0])
            deadline = time.monotonic() + start_timeout
            while True:
                try:
                    socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                    break
                except OSError:
                    if time.monotonic() > deadline:
                        raise SystemExit("the mock never accepted a connection") from None
                    time.sleep(0.02)
            yield base_url
        finally:
            process.send_signal(signal.SIGINT)
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
            if process.stdout is not None:
                process.stdout.close()


# VmHWM, not ru_maxrss: after fork+exec Linux keeps the parent's ru_maxrss as the child's
# floor, so a child of this (fat) process would report at least the parent's size.
PEAK_KIB = """
import re, resource
def _peak_kib():
    status = open("/proc/self/status").read()
    found = re.search(r"^VmHWM:\\s+(\\d+) kB", status, re.M)
    return int(found.group(1)) if found else resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
"""


def fresh(code: str) -> dict[str, Any]:
    """Run `code` in a new interpreter; its last stdout line is a JSON object with peak_kib."""
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"subprocess failed:\n{done.stderr[-2000:]}")
    out: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    out["process_s"] = time.perf_counter() - started
    out["peak_mb"] = out["peak_kib"] / 1024
    return out


class Laps:
    """Seconds per benchmark section, reported as they finish."""

    def __init__(self, into: dict[str, float]) -> None:
        self.into, self.last = into, time.perf_counter()

    def __call__(self, name: str) -> None:
        now = time.perf_counter()
        self.into[name] = round(now - self.last, 2)
        self.last = now
        print(f"  {name}: {self.into[name]:.1f} s", flush=True)


def schemathesis_cli(
    spec: Path, base_url: str, operation_id: str, params: dict[str, str], n: int, seed: int
) -> dict[str, Any]:
    """`st run` fuzzing one operation with `params` pinned; requests counted from its HAR.

    The rate is over the Fuzzing time Schemathesis prints (start-up and schema
    loading excluded, as the suite's phase times exclude them); the process's
    wall time is reported beside it.
    """
    st = shutil.which("st", path=str(Path(sys.executable).parent)) or shutil.which("st")
    if st is None:
        return {"error": "the schemathesis CLI (st) is not installed"}
    with tempfile.TemporaryDirectory() as tmp:
        pinned = "".join(f'"{name}" = {json.dumps(value)}\n' for name, value in params.items())
        Path(tmp, "schemathesis.toml").write_text("[parameters]\n" + pinned)
        command = [st, "run", str(spec), "--url", base_url, "-H", f"X-API-KEY: {BENCH_KEY}"]
        command += ["--include-operation-id", operation_id, "-n", str(n), "--workers", "1"]
        command += ["--checks", "all", "--phases", "fuzzing", "--generation-database", "none"]
        command += ["--seed", str(seed), "--no-color", "--report", "har", "--report-dir", tmp]
        started = time.perf_counter()
        done = subprocess.run(command, cwd=tmp, capture_output=True, text=True, check=False)
        wall = time.perf_counter() - started
        har = next(Path(tmp).glob("har-*"), None)
        if har is None:
            return {"error": f"no HAR report (exit {done.returncode}): {done.stdout[-500:]}"}
        entries = len(json.loads(har.read_text())["log"]["entries"])
    fuzzing = re.search(r"Fuzzing \(in ([\d.]+)s\)", done.stdout)
    fuzz_s = float(fuzzing.group(1)) if fuzzing else wall
    return {
        "method": "st run subprocess; requests = HAR entries; rate over its Fuzzing time",
        "command": " ".join(command),
        "exit_code": done.returncode,
        "requests": entries,
        "wall_s": round(wall, 3),
        "fuzzing_s": fuzz_s,
        "rps": entries / fuzz_s,
        "wall_rps": entries / wall,
    }


def median(values: list[float]) -> float:
    ordered = sorted(values)
    mid = len(ordered) // 2
    return ordered[mid] if len(ordered) % 2 else (ordered[mid - 1] + ordered[mid]) / 2


class ThreadProfiler:
    """cProfile on the calling thread and on every thread started while it runs.

    It measures CPU time per thread (`time.thread_time`), so threads blocked on
    a socket or on the GIL cost nothing: the figures say where the client
    burns its core, not where it waits.
    """

    def __init__(self) -> None:
        self._main = cProfile.Profile(time.thread_time)
        self._threads: list[cProfile.Profile] = []
        self._lock = threading.Lock()
        self.running = False

    def _hook(self, frame: FrameType, event: str, arg: Any) -> None:
        profile = cProfile.Profile(time.thread_time)
        with self._lock:
            self._threads.append(profile)
        profile.enable()  # replaces this hook for the rest of the thread

    def start(self) -> None:
        if self.running:
            return
        self.running = True
        threading.setprofile(self._hook)
        self._main.enable()

    def stop(self) -> pstats.Stats:
        self._main.disable()
        threading.setprofile(None)
        self.running = False
        stats = pstats.Stats(self._main)
        for profile in self._threads:
            stats.add(profile)
        return stats


@dataclass(frozen=True)
class Hotspot:
    function: str
    own_s: float
    cumulative_s: float
    calls: int


def _label(func: tuple[str, int, str]) -> str:
    filename, line, name = func
    if filename == "~":
        return name
    short = re.sub(r"^.*/(site-packages|lib/python3\.\d+)/", "", filename)
    short = short.removeprefix(f"{ROOT}/")
    return f"{short}:{line}({name})"


_AREAS = (
    ("/hypothesis/", "drawing: Hypothesis"),
    ("/promptlog_contract/strategies/", "drawing: strategies"),
    ("/httpx/", "HTTP client: httpx"),
    ("/httpcore/", "HTTP client: httpcore/h11"),
    ("/h11/", "HTTP client: httpcore/h11"),
    ("/promptlog_contract/checks/", "checks"),
    ("/promptlog_contract/", "engine: sequences, schedule, recorder, _http"),
    ("/jsonschema", "jsonschema (python)"),
    ("/referencing/", "jsonschema (python)"),
    ("/json/", "json"),
    ("/threading.py", "threads and locks"),
    ("/concurrent/", "threads and locks"),
)


def classify(filename: str) -> str:
    return next((area for key, area in _AREAS if key in filename), "other stdlib and libs")


def is_project_code(filename: str) -> bool:
    return "/promptlog_contract/" in filename or filename.startswith(f"{ROOT}/strategies/")


def areas(stats: pstats.Stats, area_of: Callable[[str], str] = classify) -> dict[str, float]:
    """Own CPU time per area; a builtin's time goes to the areas of the code that called it."""
    raw: dict[Any, Any] = stats.stats  # type: ignore[attr-defined]
    out: dict[str, float] = {}
    for (filename, _line, _name), (_cc, _nc, own, _cum, callers) in raw.items():
        if filename != "~" or not callers:
            area = area_of(filename) if filename != "~" else "other builtins"
            out[area] = out.get(area, 0.0) + own
            continue
        # callers[caller] = (calls, prim. calls, own time under that caller, cumulative)
        total = sum(c[2] for c in callers.values()) or 1.0
        for caller, (_c1, _c2, share, _c4) in callers.items():
            area = area_of(caller[0]) if caller[0] != "~" else "other builtins"
            out[area] = out.get(area, 0.0) + own * share / total
    return dict(sorted(out.items(), key=lambda item: -item[1]))


def hotspots(
    stats: pstats.Stats, top: int, *, within: Callable[[str], bool] | None = None
) -> list[Hotspot]:
    """The `top` functions by own CPU time; or, `within` some files, by cumulative time."""
    raw: dict[Any, Any] = stats.stats  # type: ignore[attr-defined]
    items = [(func, row) for func, row in raw.items() if within is None or within(func[0])]
    column = 2 if within is None else 3
    rows = sorted(items, key=lambda item: -item[1][column])[:top]
    return [Hotspot(_label(func), own, cum, nc) for func, (_cc, nc, own, cum, _c) in rows]


def summarise(stats: pstats.Stats) -> dict[str, Any]:
    """CPU by area, the top functions by own time, and our own functions by cumulative time."""
    by_area = areas(stats)
    total = sum(by_area.values())
    return {
        "cpu_s": total,
        "areas": {area: {"cpu_s": s, "share": s / total} for area, s in by_area.items()},
        "hotspots": [asdict(h) for h in hotspots(stats, 12)],
        "own_code": [asdict(h) for h in hotspots(stats, 12, within=is_project_code)],
    }


def show_profile(prof: dict[str, Any]) -> None:
    print(
        f"\n== profile: {prof['cpu_s']:.2f} s CPU in all threads "
        "(cProfile inflates pure-Python code; trust the unprofiled split above) =="
    )
    for area, row in prof["areas"].items():
        if row["share"] >= 0.005:
            print(f"  {area:<46}{row['cpu_s']:>7.2f} s {row['share']:>6.1%}")
    for title, rows in (
        ("top functions by own CPU time", prof["hotspots"]),
        ("the project's own functions by cumulative CPU time", prof["own_code"]),
    ):
        print(f"  {title}:")
        for h in rows:
            print(f"  {h['own_s']:>7.3f} s own {h['cumulative_s']:>7.3f} s cum  {h['function']}")

"""Draw seeded batches in worker processes, ahead of sending, so drawing and sending overlap.

Hypothesis costs about 2.5 ms of CPU a body and holds the GIL while it draws:
in a thread it slows the sending workers and, for the bundled mock, the
server. Spawned processes draw whole batches instead, through the same
`_cache.stream` a serial draw uses (same seeds, same chunks, same cache
entries: the same seed gives the same bodies whoever draws them), and hand
them back as JSON text. A batch already in the cache is read here, without a
process; the pool starts on the first miss and serves every later run of this
process. Starting a process costs seconds (an interpreter, the imports,
Hypothesis's Unicode tables), more than a one-round run saves on a loaded
2-core machine, so only runs that play rounds until a budget (`fuzz`) use
them by default (`use_by_default`); `PROMPTLOG_CONTRACT_DRAW_PROCESSES` sets
the number for every run (0: draw in the run's own process).
"""

from __future__ import annotations

import atexit
import contextlib
import json
import multiprocessing
import os
import sys
import threading
import time
import types
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from typing import Any, Generic, TypeVar

from . import _cache

T = TypeVar("T")

DEFAULT_PROCESSES = 2
#: Settings a task carries with it: the pool may outlive the environment it was started in.
_ENV = ("PROMPTLOG_CONTRACT_CACHE", "PROMPTLOG_CONTRACT_CACHE_MAX_MB", "XDG_CACHE_HOME", "HOME")

_lock = threading.Lock()
_main_lock = threading.Lock()
_pool: ProcessPoolExecutor | None = None
_deferred: list[Pending[Any]] = []


_default = [0]


def use_by_default(n: int) -> None:
    """The number of drawing processes when the environment does not say (the run decides)."""
    _default[0] = n


def processes() -> int:
    """How many drawing processes to use: `PROMPTLOG_CONTRACT_DRAW_PROCESSES`, else the run's."""
    try:
        return max(0, int(os.environ.get("PROMPTLOG_CONTRACT_DRAW_PROCESSES", "")))
    except ValueError:
        return _default[0]


def _executor() -> ProcessPoolExecutor | None:
    global _pool
    with _lock:
        if processes() == 0:
            return None
        if _pool is None:
            try:
                _pool = ProcessPoolExecutor(
                    processes(),
                    mp_context=multiprocessing.get_context("spawn"),
                    initializer=_detach_output,
                )
            except (OSError, ValueError, NotImplementedError):
                return None
            atexit.register(shutdown)
        return _pool


def _detach_output() -> None:
    """In a drawing process: no hold on the run's stdout and stderr.

    Whoever reads the run's output waits for every holder of the pipe to close
    it: a process still finishing a batch after the run exited (a second
    signal ends the run with os._exit) would keep that reader waiting. Errors
    still reach the run, as the exceptions of its futures.
    """
    devnull = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1, 2):
        os.dup2(devnull, fd)
    os.close(devnull)
    parent = os.getppid()

    def orphaned() -> None:  # the run is gone: the batch being drawn has no reader
        while os.getppid() == parent:
            time.sleep(0.2)
        os._exit(0)

    threading.Thread(target=orphaned, daemon=True).start()


def shutdown() -> None:
    """Stop the drawing processes (they start again on the next miss)."""
    global _pool
    with _lock:
        pool, _pool = _pool, None
    if pool is not None:
        pool.shutdown(wait=False, cancel_futures=True)


class Pending(Generic[T]):
    """A batch being drawn: `result()` waits for it (drawing here if no process could)."""

    def __init__(
        self,
        future: Future[str] | None,
        fallback: Callable[[], str],
        decode: Any,
        submit: Callable[[], Future[str] | None] | None = None,
    ):
        self._future, self._fallback, self._decode = future, fallback, decode
        self._submit = submit

    def start(self) -> None:
        """Hand a deferred job to the drawing processes (a no-op once started)."""
        with _lock:
            submit, self._submit = self._submit, None
        if submit is not None:
            self._future = submit()

    def cancel(self) -> None:
        """Drop the job if no process has started it (a job being drawn runs to its end)."""
        with _lock:
            self._submit = None
        if self._future is not None:
            self._future.cancel()

    def result(self, timeout: float | None = None) -> T:
        """The batch; TimeoutError if a drawing process has not finished it within `timeout`."""
        self.start()
        text: str | None = None
        if self._future is not None:
            try:
                text = self._future.result(timeout)
            except TimeoutError:
                raise
            except Exception:  # a broken pool (killed worker): draw here instead
                shutdown()
        value: T = self._decode(json.loads(text if text is not None else self._fallback()))
        return value


@contextlib.contextmanager
def _bare_main() -> Iterator[None]:
    """While processes are spawned (on submit): a `__main__` without a file.

    Spawn re-imports the parent's `__main__` in every child: a user's script
    that calls `run()` without an `if __name__ == "__main__"` guard would run
    again in each drawing process. The children need nothing from it.
    """
    with _main_lock:
        saved = sys.modules.get("__main__")
        sys.modules["__main__"] = types.ModuleType("__main__")
        try:
            yield
        finally:
            if saved is not None:
                sys.modules["__main__"] = saved


def _with_env(env: dict[str, str | None], fn: Callable[..., str], *args: Any) -> str:
    """Run in a drawing process: apply the caller's cache settings, then `fn`."""
    for name, value in env.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value
    return fn(*args)


def call(
    fn: Callable[..., str],
    *args: Any,
    decode: Callable[[Any], T],
    local: bool = False,
    later: bool = False,
) -> Pending[T]:
    """Run `fn(*args)` (module-level, returning JSON text) in a drawing process.

    `local`: run it here instead, when asked for the result (a cached batch
    reads faster than a process starts). `later`: queue it only at `release()`
    (or when its result is asked for), behind what is needed sooner: the
    processes take jobs first come, first served.
    """
    env = {name: os.environ.get(name) for name in _ENV}

    def submit() -> Future[str] | None:
        pool = None if local else _executor()
        if pool is None:
            return None
        try:
            with _bare_main():
                return pool.submit(_with_env, env, fn, *args)
        except RuntimeError:  # shut down meanwhile
            return None

    pending: Pending[T] = Pending(None, lambda: fn(*args), decode, submit)
    if later:
        with _lock:
            _deferred.append(pending)
    else:
        pending.start()
    return pending


def release() -> None:
    """Queue the jobs started with `later=True`."""
    with _lock:
        jobs = _deferred[:]
        _deferred.clear()
    for pending in jobs:
        pending.start()


def batch(
    kind: str,
    n: int,
    seed: int,
    *,
    rules: list[str] | None = None,
    fields: list[str] | None = None,
    persist: bool = True,
) -> Pending[list[Any]]:
    """`_cache.stream(kind, n, seed, ...)` as a list, read now if cached, else drawn ahead."""
    if persist:
        cached = _cache.cached_json(kind, n, seed, rules=rules, fields=fields)
        if cached is not None:
            return Pending(None, lambda: cached, _cache.decoder(kind))
    return call(
        _cache.drawn_json, kind, n, seed, rules, fields, persist, decode=_cache.decoder(kind)
    )

"""The Locust side: the user classes and the worker/master hooks (runs under gevent).

Loaded only by `python -m locust -f <this file>` in a subprocess started by
the `load` command, never imported by the command itself: Locust
monkey-patches the process for gevent. Workers judge every response with the
suite's checks (through `Session`) and send their cumulative tally to the
master as Locust custom messages; the master keeps the latest tally of every
worker (a dead worker's last one included), stops the run itself so that
workers can send a final tally, and writes everything to a state file that
the command turns into the reports.
"""

from __future__ import annotations

import itertools
import json
import os
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any, cast

import gevent
from locust import FastHttpUser, constant, events, task
from locust.env import Environment
from locust.exception import StopUser
from locust.runners import STATE_MISSING, MasterRunner, WorkerRunner

# Absolute imports: Locust loads this file by path, not as part of its package.
from promptlog_contract.load._env import API_KEY, BASE_URL, PLAIN, POOL
from promptlog_contract.load._pool import Pool, read_pool
from promptlog_contract.load._session import Judge, Session, SetupFailed, Tally
from promptlog_contract.load._state import master_state
from promptlog_contract.types import NOT_JSON, HttpResponse

_SNAPSHOT_EVERY_S = 1.0
_FINAL_WAIT_S = 10.0

_tally: Tally | None = None
_pool: Pool | None = None
_users = itertools.count()
_reporters: list[Any] = []  # the worker's periodic reporter, stopped with the test

__all__ = ["CheckedUser"]


def _options(parser: Any) -> None:
    # Custom options travel from the master to every worker with the spawn message.
    parser.add_argument("--plc-run-id", default="local", help="scratch-log namespace of the run")
    parser.add_argument("--plc-run-seconds", type=float, default=60.0)
    parser.add_argument("--plc-users", type=int, default=1, help="total users (for the rate)")
    parser.add_argument("--plc-rate", type=float, default=0.0, help="total requests/s, 0: none")
    parser.add_argument("--plc-state", default="", help="master: where to write the state file")
    parser.add_argument("--plc-strict", action="store_true")


def _option(env: Environment, name: str, default: Any) -> Any:
    return getattr(env.parsed_options, name, default) if env.parsed_options else default


def _worker_tally(env: Environment) -> Tally:
    global _tally
    if _tally is None:
        _tally = Tally(os.environ.get(API_KEY, ""), strict=bool(_option(env, "plc_strict", 0)))
    return _tally


def _worker_pool() -> Pool:
    global _pool
    if _pool is None:
        _pool = read_pool(Path(os.environ[POOL]))
    return _pool


def _worker_index(env: Environment) -> int:
    runner = env.runner
    return max(runner.worker_index, 0) if isinstance(runner, WorkerRunner) else 0


def _send_logs(env: Environment) -> None:
    """Tell the master about new scratch logs at once, so it can delete them if we die."""
    runner, tally = env.runner, _tally
    if runner is not None and tally is not None:
        new = tally.take_new_logs()
        if new:
            runner.send_message("plc_logs", {"worker": _worker_index(env), "ids": new})


def _flush(env: Environment, *, final: bool = False) -> None:
    """Send new log ids (first) and the cumulative tally to the master."""
    _send_logs(env)
    runner, tally = env.runner, _tally
    if runner is not None and tally is not None:
        snapshot = {"worker": _worker_index(env), "final": final, **tally.snapshot()}
        runner.send_message("plc_snapshot", snapshot)


def _parallel(calls: Sequence[Callable[[], Any]]) -> list[Any]:
    jobs = [gevent.spawn(call) for call in calls]
    gevent.joinall(jobs)
    return [job.value for job in jobs]


class _Base(FastHttpUser):
    """Sends through Locust's client; times, rate-limits and reports each request."""

    abstract = True
    host = os.environ.get(BASE_URL, "http://127.0.0.1")
    wait_time = constant(0)
    network_timeout = 10.0
    connection_timeout = 10.0

    def on_start(self) -> None:
        env = self.environment
        # A benchmark's plain worker sends the same requests and judges nothing.
        self.judged = os.environ.get(PLAIN) != "1"
        self.prefix = "" if self.judged else "plain "
        users, rate = _option(env, "plc_users", 1), _option(env, "plc_rate", 0.0)
        self._interval = users / rate if rate else 0.0
        self._next = time.monotonic()
        index, number = _worker_index(env), next(_users)
        run_id = _option(env, "plc_run_id", "local")
        self.session = Session(
            tally=_worker_tally(env),
            send=self._send,
            pool=_worker_pool(),
            base_url=str(self.host).rstrip("/"),
            api_key=os.environ.get(API_KEY, ""),
            namespace=f"promptlog-contract/load-{run_id}-w{index}",
            offset=index * 7919 + number * 104729,
            judged=self.judged,
        )
        try:
            self.session.start()
        except SetupFailed:
            raise StopUser() from None
        finally:
            _send_logs(env)

    def _send(
        self,
        method: str,
        path: str,
        *,
        content: bytes | None,
        headers: Mapping[str, str],
        name: str,
        judge: Judge | None,
    ) -> HttpResponse | None:
        if self._interval:
            now = time.monotonic()
            start = max(now, self._next)
            self._next = start + self._interval
            if start > now:
                gevent.sleep(start - now)
        started = time.perf_counter()
        request = self.client.request(
            method,
            path,
            name=self.prefix + name,
            data=cast(Any, content),  # bytes: sent as they are
            headers=dict(headers),
            catch_response=True,
        )
        with request as raw:
            elapsed = (time.perf_counter() - started) * 1000
            if raw.status_code == 0:
                raw.failure(f"transport error: {type(getattr(raw, 'error', None)).__name__}")
                return None
            body = raw.content or b""
            response = HttpResponse(
                status=raw.status_code,
                headers={k.lower(): v for k, v in (raw.headers or {}).items()},
                content=body,
                body=_parse(body),
                elapsed_ms=elapsed,
            )
            failed = judge(response) if judge is not None else None
            if failed:
                raw.failure(f"contract: {failed}")
            else:
                raw.success()
            return response

    def _guard(self, step: Callable[[], None]) -> None:
        try:
            step()
        except SetupFailed:
            raise StopUser() from None

    @task(6)
    def valid(self) -> None:
        self._guard(self.session.valid)

    @task(3)
    def invalid(self) -> None:
        self._guard(self.session.invalid)

    @task(1)
    def concurrent(self) -> None:
        self._guard(lambda: self.session.concurrent(_parallel))


class CheckedUser(_Base):
    """A user whose every response is judged by the suite's rules (unless its process is plain)."""


def _parse(content: bytes) -> Any:
    try:
        return json.loads(content) if content else NOT_JSON
    except ValueError:
        return NOT_JSON


# -- hooks -------------------------------------------------------------------------------
def _on_init(environment: Environment, **_kwargs: Any) -> None:
    runner = environment.runner
    if isinstance(runner, MasterRunner):
        state = master_state(environment)
        runner.register_message("plc_logs", state.on_logs)
        runner.register_message("plc_snapshot", state.on_snapshot)


def _on_test_start(environment: Environment, **_kwargs: Any) -> None:
    runner = environment.runner
    if isinstance(runner, WorkerRunner):
        _worker_tally(environment)
        _reporters.append(gevent.spawn(_report_loop, environment))
    elif isinstance(runner, MasterRunner):
        state = master_state(environment)
        state.started = time.time()
        gevent.spawn(_master_loop, environment, runner)


def _report_loop(env: Environment) -> None:
    while True:
        gevent.sleep(_SNAPSHOT_EVERY_S)
        _flush(env)


def _on_test_stop(environment: Environment, **_kwargs: Any) -> None:
    if isinstance(environment.runner, WorkerRunner):
        for reporter in _reporters:
            reporter.kill(block=False)
        _reporters.clear()
        _flush(environment, final=True)


def _master_loop(env: Environment, runner: MasterRunner) -> None:
    """Stop the run at its time (or when a worker trips the breaker), then gather final tallies."""
    state = master_state(env)
    deadline = time.monotonic() + float(_option(env, "plc_run_seconds", 60.0))
    path = str(_option(env, "plc_state", ""))
    while time.monotonic() < deadline and state.unhealthy is None:
        gevent.sleep(0.5)
        if path:
            state.write(Path(path), env)
    runner.stop()
    until = time.monotonic() + _FINAL_WAIT_S
    while time.monotonic() < until:
        live = {c.id for c in runner.clients.all if c.state != STATE_MISSING}
        if live <= state.final:
            break
        gevent.sleep(0.1)
    runner.quit()


def _on_quitting(environment: Environment, **_kwargs: Any) -> None:
    path = str(_option(environment, "plc_state", ""))
    if isinstance(environment.runner, MasterRunner) and path:
        master_state(environment).write(Path(path), environment)


# Registered by call, not decorator: Locust's EventHook.add_listener is untyped.
_hooks: Any = events
_hooks.init_command_line_parser.add_listener(_options)
_hooks.init.add_listener(_on_init)
_hooks.test_start.add_listener(_on_test_start)
_hooks.test_stop.add_listener(_on_test_stop)
_hooks.quitting.add_listener(_on_quitting)

"""Who sends what when: a producer drawing bodies, one worker per scratch log, sweeps, budgets.

Generating bodies costs more than sending them, so Hypothesis draws in one
thread while workers send; job k always goes to worker k % len(logs), so each
log sees the same exchanges in the same order whatever the thread timing
(identical runs, identical verdicts). The sweeps top up what a seeded batch
missed: one invalid body per catalog family, and extra valid bodies until
every catalog variant was sent a few times.
"""

from __future__ import annotations

import itertools
import queue
import threading
import time
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from typing import Any

from promptlog_contract import strategies
from promptlog_contract.types import Exchange, InvalidBody

from . import _cache
from ._http import Limits
from ._scratch import ScratchLog
from ._sequences import Sequences
from .config import Budget, Profile, RunConfig, Seeds

_SWEEP_SAMPLE = 300
_SWEEP_CHUNK = 25
_SWEEP_TIMES = 3

Job = Callable[[ScratchLog], list[Exchange]]


class _StopDrawing(Exception):
    """A worker stopped (budget, unhealthy target): the producer stops drawing."""


def limits_for(config: RunConfig, profile: Profile, started: float) -> Limits:
    """The request budget, deadline and rate limit every request of the run obeys."""
    return Limits(
        rate_limit=config.rate_limit or profile.rate_limit,
        max_requests=config.max_requests,
        deadline=started + config.max_time if config.max_time else None,
        timeout_s=config.timeout,
        max_consecutive_errors=config.max_consecutive_errors,
        request_deadline_s=config.max_request_time,
        **({"max_response_bytes": config.max_response_bytes} if config.max_response_bytes else {}),
    )


def rounds(config: RunConfig, profile: Profile) -> itertools.count[int] | range:
    """The round numbers to play: the profile's count, or until the time/request budget ends."""
    if profile.rounds is not None:
        return range(profile.rounds)
    if config.max_time is None and config.max_requests is None:
        return range(1)
    return itertools.count()


def bodies(
    seq: Sequences, logs: list[ScratchLog], seeds: Seeds, round_no: int, budget: Budget
) -> None:
    """Seeded valid and invalid bodies, streamed to one worker per log as they are drawn."""
    queues: list[queue.SimpleQueue[Job | None]] = [queue.SimpleQueue() for _ in logs]
    stop = threading.Event()
    counter = itertools.count()

    def emit(job: Job) -> None:
        if stop.is_set():
            raise _StopDrawing
        queues[next(counter) % len(logs)].put(job)

    def produce() -> None:
        valid: list[dict[str, Any]] = []

        def on_valid(body: dict[str, Any]) -> None:
            valid.append(body)
            emit(partial(seq.valid, body=body))

        def on_invalid(case: InvalidBody) -> None:
            emit(partial(seq.invalid, case=case))

        try:
            _cache.stream("valid", budget.valid, seeds.valid(round_no), on_valid)
            for case in family_sweep(seeds.family_sweep(round_no)):
                on_invalid(case)
            _cache.stream("invalid", budget.invalid, seeds.invalid(round_no), on_invalid)
            for body in valid_sweep(valid, seeds, round_no):
                emit(partial(seq.valid, body=body))
        except _StopDrawing:
            pass
        finally:
            for q in queues:
                q.put(None)

    def work(index: int) -> None:
        try:
            while (job := queues[index].get()) is not None:
                seq.judge_all(job(logs[index]))
        except BaseException:
            stop.set()
            raise

    with ThreadPoolExecutor(max_workers=len(logs) + 1) as pool:
        producer = pool.submit(produce)
        workers = [pool.submit(work, i) for i in range(len(logs))]
        try:
            for future in workers:
                future.result()
        finally:
            stop.set()
            producer.result()


def valid_sweep(drawn: list[dict[str, Any]], seeds: Seeds, round_no: int) -> list[dict[str, Any]]:
    """Extra valid bodies until every catalog variant is sent a few times.

    A variant sent once proves little about a fault that only shows on some
    shapes (a reordered thinking block, say), so each is topped up to
    _SWEEP_TIMES, picking bodies from a larger sample drawn lazily.
    """
    wanted: Counter[tuple[str, str]] = Counter(
        {
            (dim, v): _SWEEP_TIMES
            for dim, variants in strategies.CATALOG.items()
            if dim not in ("invalid_rule", "raw")
            for v in variants
        }
    )
    for body in drawn:
        wanted.subtract(strategies.variants_of(body))
    extra: list[dict[str, Any]] = []
    for chunk in range(_SWEEP_SAMPLE // _SWEEP_CHUNK):
        if not +wanted:
            break
        sample: list[dict[str, Any]] = []
        _cache.stream("valid", _SWEEP_CHUNK, seeds.valid_sweep(round_no, chunk), sample.append)
        for body in sample:
            hits = strategies.variants_of(body)
            if any(wanted[h] > 0 for h in hits):
                extra.append(body)
                wanted.subtract(hits)
    return extra


def family_sweep(seed: int) -> list[InvalidBody]:
    """One invalid body per catalog family, so no rule of the contract goes unprobed."""
    out: list[InvalidBody] = []
    for family in strategies.CATALOG["invalid_rule"]:
        _cache.stream("invalid", 1, seed, out.append, rules=[family])
    return out


def timed(phases: dict[str, Any], name: str, started: float, **extra: Any) -> None:
    """Note a finished phase's duration (and anything else worth reporting) in `phases`."""
    phases[name] = {**extra, "duration_s": round(time.monotonic() - started, 3)}

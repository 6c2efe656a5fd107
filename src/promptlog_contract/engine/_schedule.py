"""Who sends what when: batches drawn ahead, one worker per scratch log, sweeps, budgets.

Generating bodies costs more than sending them, so a round's batches are
drawn in drawing processes (`_ahead`), the next round's while this one is
sent, and a producer thread hands them to the workers; job k always goes to
worker k % len(logs), so each log sees the same exchanges in the same order
whatever the timing (identical runs, identical verdicts). The sweeps top up
what a seeded batch missed: one invalid body per catalog family, and valid
bodies aimed at the fields that carry each variant sent fewer than a few times.
"""

from __future__ import annotations

import itertools
import json
import queue
import threading
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from typing import Any

from promptlog_contract import strategies
from promptlog_contract.types import Exchange, InvalidBody

from . import _ahead, _cache
from ._http import Limits
from ._scratch import ScratchLog
from ._sequences import Sequences, kind_sweep
from .config import Budget, Profile, RunConfig, Seeds

#: The share of --max-time kept for the Schemathesis phase.
SCHEMATHESIS_SHARE = 0.1
_SWEEP_DRAWS = 30  # aimed batches at most (each stops early once all is sent)
_SWEEP_CHUNK = 10
_SWEEP_TIMES = 3
#: Catalog dimensions a valid body can show (the others are invalid bodies' and raw requests').
_VALID_DIMENSIONS = tuple(
    d for d in strategies.CATALOG if d not in ("invalid_rule", "invalid_kind", "raw")
)

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


def rounds(
    config: RunConfig, profile: Profile, until: float | None = None
) -> Iterator[tuple[int, bool]]:
    """(round number, whether another follows): the profile's count, or until the budget ends.

    Rounds played until the time budget stop at `until`, the end of the
    bodies' share of it (see bodies_until).
    """
    if profile.rounds is not None:
        total: int | None = profile.rounds
    elif config.max_time is None and config.max_requests is None:
        total = 1
    else:
        total = None
    for n in itertools.count():
        if (total is not None and n >= total) or (until is not None and time.monotonic() >= until):
            return
        yield n, total is None or n + 1 < total


def bodies_until(config: RunConfig, limits: Limits) -> float | None:
    """When the bodies phase stops so that the Schemathesis phase still gets its share of
    --max-time (without it a time-budgeted `fuzz` never reached that phase)."""
    if not config.schemathesis or config.max_time is None or limits.deadline is None:
        return None
    return limits.deadline - SCHEMATHESIS_SHARE * config.max_time


class Draws:
    """A run's seeded batches, each round's started in drawing processes before it is sent."""

    def __init__(self, seeds: Seeds, budget: Budget, *, persist: bool = True) -> None:
        self.seeds, self.budget, self.persist = seeds, budget, persist
        self._rounds: dict[int, tuple[_ahead.Pending[Any], ...]] = {}
        #: Rounds whose valid batch was cached: their sweep was too, it is read here.
        self.swept: set[int] = set()

    def start(self, round_no: int) -> None:
        """Start drawing round `round_no` (a no-op if it was started already)."""
        if round_no in self._rounds:
            return
        s, b, keep = self.seeds, self.budget, self.persist
        # Cached batches are read here: a process would start slower than the files read.
        if keep and _cache.cached_json("valid", b.valid, s.valid(round_no)) is not None:
            self.swept.add(round_no)
        first = list(strategies.CATALOG["invalid_rule"][:1])
        families = keep and _cache.cached_json("invalid", 1, s.family_sweep(round_no), rules=first)
        self._rounds[round_no] = (
            _ahead.batch("valid", b.valid, s.valid(round_no), persist=keep),
            _ahead.call(
                family_sweep_json,
                s.family_sweep(round_no),
                keep,
                decode=_cache.decoder("invalid"),
                local=bool(families),
            ),
            _ahead.batch("invalid", b.invalid, s.invalid(round_no), persist=keep),
        )

    def cancel(self) -> None:
        """Drop the batches started but never sent (the next round's, when the budget ends)."""
        for pending in self._rounds.values():
            for job in pending:
                job.cancel()
        self._rounds.clear()

    def take(self, round_no: int) -> tuple[_ahead.Pending[Any], ...]:
        self.start(round_no)
        return self._rounds.pop(round_no)


def bodies(
    seq: Sequences,
    logs: list[ScratchLog],
    draws: Draws,
    round_no: int,
    *,
    more: bool,
    until: float | None = None,
) -> None:
    """Seeded valid and invalid bodies, handed to one worker per log.

    `more`: start drawing the next round; `until`: stop handing out bodies then.
    """
    valid_p, family_p, invalid_p = draws.take(round_no)
    queues: list[queue.SimpleQueue[Job | None]] = [queue.SimpleQueue() for _ in logs]
    stop = threading.Event()
    counter = itertools.count()

    def emit(job: Job) -> None:
        if stop.is_set() or (until is not None and time.monotonic() >= until):
            raise _StopDrawing
        queues[next(counter) % len(logs)].put(job)

    def produce() -> None:
        try:
            valid = valid_p.result(_left(until))
            sweep = _ahead.call(
                valid_sweep_json,
                valid,
                draws.seeds,
                round_no,
                draws.persist,
                decode=list,
                local=draws.persist and round_no in draws.swept,
            )
            _ahead.release()  # now the Schemathesis cases, behind what this round still needs
            if more:
                draws.start(round_no + 1)
            for body in valid:
                emit(partial(seq.valid, body=body))
            invalid = family_p.result(_left(until)) + invalid_p.result(_left(until))
            for case in invalid:
                emit(partial(seq.invalid, case=case))
            # Every (family, kind) pair of bad value once per run: the first round tops up.
            for case in kind_sweep(invalid) if round_no == 0 else ():
                emit(partial(seq.invalid, case=case))
            for body in sweep.result(_left(until)):
                emit(partial(seq.valid, body=body))
        except (_StopDrawing, TimeoutError):  # stopped, or not drawn before `until`
            pass
        finally:
            for q in queues:
                q.put(None)

    def work(index: int) -> None:
        try:
            while (job := queues[index].get()) is not None:
                if until is not None and time.monotonic() >= until:
                    stop.set()  # the bodies' share of the time is spent: drain the queue
                    continue
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


def _left(until: float | None) -> float | None:
    return None if until is None else max(0.0, until - time.monotonic())


def valid_sweep(
    drawn: list[dict[str, Any]], seeds: Seeds, round_no: int, *, persist: bool = True
) -> list[dict[str, Any]]:
    """Extra valid bodies until every catalog variant is sent a few times.

    A variant sent once proves little about a fault that only shows on some
    shapes (a reordered thinking block, say), so each is topped up to
    _SWEEP_TIMES. The top-ups are aimed: small seeded batches of bodies made
    of the fields that carried the missing variant's dimension in `drawn`
    (or the variant's own field), instead of a large sample of any bodies.
    """
    wanted: Counter[tuple[str, str]] = Counter(
        {(dim, v): _SWEEP_TIMES for dim in _VALID_DIMENSIONS for v in strategies.CATALOG[dim]}
    )
    carriers: defaultdict[str, set[str]] = defaultdict(set)
    for body in drawn:
        wanted.subtract(strategies.variants_of(body))
        for name, value in body.items():
            for dim, _ in strategies.variants_of({name: value}):
                carriers[dim].add(name)
    extra: list[dict[str, Any]] = []
    for chunk in range(_SWEEP_DRAWS):
        missing = sorted(+wanted)
        if not missing:
            break
        # Bodies of every field that can carry a missing variant: one batch serves them all.
        fields = sorted(
            {v for dim, v in missing if dim == "field"}.union(
                *(carriers[dim] for dim, _ in missing if dim != "field")
            )
        )
        sample: list[dict[str, Any]] = []
        _cache.stream(
            "valid",
            _SWEEP_CHUNK,
            seeds.valid_sweep(round_no, chunk),
            sample.append,
            fields=fields or None,
            persist=persist,
        )
        for body in sample:
            hits = strategies.variants_of(body)
            if any(wanted[h] > 0 for h in hits):
                extra.append(body)
                wanted.subtract(hits)
    return extra


def valid_sweep_json(
    drawn: list[dict[str, Any]], seeds: Seeds, round_no: int, persist: bool
) -> str:
    """`valid_sweep` as JSON text (what a drawing process hands back)."""
    return json.dumps(valid_sweep(drawn, seeds, round_no, persist=persist))


def family_sweep(seed: int, *, persist: bool = True) -> list[InvalidBody]:
    """One invalid body per catalog family, so no rule of the contract goes unprobed."""
    out: list[InvalidBody] = []
    for family in strategies.CATALOG["invalid_rule"]:
        _cache.stream("invalid", 1, seed, out.append, rules=[family], persist=persist)
    return out


def family_sweep_json(seed: int, persist: bool) -> str:
    """`family_sweep` as JSON text (what a drawing process hands back)."""
    return json.dumps([_cache.encode(case) for case in family_sweep(seed, persist=persist)])


def timed(phases: dict[str, Any], name: str, started: float, **extra: Any) -> None:
    """Note a finished phase's duration (and anything else worth reporting) in `phases`."""
    phases[name] = {**extra, "duration_s": round(time.monotonic() - started, 3)}

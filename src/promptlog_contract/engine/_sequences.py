"""The exchange scripts: what is sent, in which order, to produce one judged exchange or a few.

A valid body is a stateful PATCH -> PATCH -> GET sequence (applied, stable on
repeat, read back the same); an invalid body is one PATCH; the probes are the
fixed requests (auth with no key, a wrong key and near misses of the real one,
unknown log, open questions, raw bytes); a concurrent round is several PATCHes
of disjoint fields released together, then a GET, then the same PATCHes one
by one to a fresh log as a sequential control; a sibling read is a GET of a
log of the same prompt that nothing PATCHes. Scheduling and minimising replay
these scripts; they never build requests themselves.
"""

from __future__ import annotations

import secrets
import threading
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from promptlog_contract import contract, strategies
from promptlog_contract._secrets import MIN_SECRET_LENGTH
from promptlog_contract.types import Exchange, HttpRequest, HttpResponse, InvalidBody

from ._drawing import draw_batch
from ._http import Target, TargetUnhealthy
from ._recorder import Recorder, is_json_dict
from ._scratch import ScratchLog, ScratchLogs

#: The open questions of the contract (AMBIGUITIES.md): judged, warned about, never failed.
_OPEN_BODIES: tuple[dict[str, Any], ...] = (
    {"output": None},
    {"promptlog_contract_unknown": 1},
    {"log_status": "complete"},
)
#: How long the threads of a concurrent round wait for each other before giving up.
_BARRIER_TIMEOUT_S = 30.0


def redaction_secrets(api_key: str) -> tuple[str, ...]:
    """The key and its near-miss variants: what a run's output must never hold, in any form.

    A truncated key or its prefix is not the key, so scrubbing the key alone
    would let them through. Variants too short to search for safely
    (MIN_SECRET_LENGTH) are left out; undecodable bytes are dropped (the
    no-break spaces of `whitespace`, which holds the key whole).
    """
    found = [api_key]
    for variant in strategies.near_miss_keys(api_key):
        text = variant.value.decode("utf-8", errors="ignore")
        if len(text) >= MIN_SECRET_LENGTH and text not in found:
            found.append(text)
    return tuple(found)


def near_miss_value(api_key: str, name: str | None) -> bytes | None:
    """The bytes of the near-miss variant `name` of `api_key` (None: no such variant)."""
    return next((v.value for v in strategies.near_miss_keys(api_key) if v.name == name), None)


def kind_sweep(drawn: Iterable[InvalidBody]) -> list[InvalidBody]:
    """One sweep body for every (family, kind) pair the drawn invalid bodies missed.

    Deterministic: which pairs a seeded batch covers depends on the seed only,
    and the sweep holds one fixed body per pair (`bad_value_sweep`).
    """
    seen = {strategies.invalid_kind_variant(case) for case in drawn}
    return [
        c for c in strategies.bad_value_sweep() if strategies.invalid_kind_variant(c) not in seen
    ]


@dataclass
class Sequences:
    target: Target
    recorder: Recorder
    logs: ScratchLogs

    def valid(
        self, log: ScratchLog, body: dict[str, Any], *, record: bool = True, phase: str = "engine"
    ) -> list[Exchange]:
        """PATCH, the same PATCH again, then GET: applied, stable, and read back the same."""
        t = self.target
        req, resp = t.request("PATCH", log.path, json_body=body)
        first = Exchange("valid", req, resp, sent=body, before=log.state, phase=phase)
        out = [first]
        if resp.status == 200 and is_json_dict(resp.body):
            log.state = resp.body
            req2, resp2 = t.request("PATCH", log.path, json_body=body)
            out.append(Exchange("repeat", req2, resp2, sent=body, first=resp.body, phase=phase))
            if resp2.status == 200 and is_json_dict(resp2.body):
                log.state = resp2.body
            if self.logs.has_get:
                req3, resp3 = t.request("GET", contract.log_path(log.log_id))
                out.append(Exchange("get", req3, resp3, sent=body, patched=log.state, phase=phase))
        if record:
            self.recorder.sent(strategies.variants_of(body), resp.status == 200)
        return out

    def invalid(
        self, log: ScratchLog, case: InvalidBody, *, record: bool = True, phase: str = "engine"
    ) -> list[Exchange]:
        """One PATCH of a body that breaks one labelled rule."""
        req, resp = self.target.request("PATCH", log.path, json_body=case.body)
        if resp.status == 200 and is_json_dict(resp.body):
            log.state = resp.body
        if record:
            variants = [strategies.invalid_variant(case.label)]
            kind = strategies.invalid_kind_variant(case)
            variants += [kind] if kind is not None else []
            self.recorder.sent(variants, 400 <= resp.status < 500)
        return [Exchange("invalid", req, resp, sent=case.body, label=case.label, phase=phase)]

    def concurrent(
        self,
        log: ScratchLog,
        bodies: Sequence[Mapping[str, Any]],
        *,
        phase: str = "engine",
        control: bool = False,
    ) -> list[Exchange]:
        """PATCH every body at once (disjoint fields), then GET: every field must read back.

        With `control`, the bodies that got 200 are then sent one by one to a
        fresh log and it is read back (`Exchange.control`): a field lost there
        too is not lost to concurrency (AMBIGUITIES A23).
        """
        answers = self._at_once(log, bodies)
        out = [
            Exchange("concurrent", req, resp, sent=body, phase=phase)
            for body, (req, resp) in zip(bodies, answers, strict=True)
        ]
        applied = tuple(
            body for body, (_, r) in zip(bodies, answers, strict=True) if r.status == 200
        )
        if self.logs.has_get:
            req, resp = self.target.request("GET", f"/logs/{log.log_id}")
            if resp.status == 200 and is_json_dict(resp.body):
                log.state = resp.body
            # A run on the user's own log creates no logs: no control there (AMBIGUITIES A23).
            ours = log.log_id in self.logs.created
            read = self.sequential_control(applied) if control and ours and applied else None
            out.append(
                Exchange("concurrent_get", req, resp, concurrent=applied, phase=phase, control=read)
            )
        return out

    def sequential_control(self, bodies: Sequence[Mapping[str, Any]]) -> dict[str, Any] | None:
        """Send `bodies` one by one to a fresh log and read it back (None: no control to judge by).

        A fresh log holds none of the values, so what it does not read back
        is lost without any concurrency. Not judged: the sequential rules
        judge such bodies in their own phase.
        """
        try:
            fresh = self.logs.new()
        except TargetUnhealthy:
            # No control log: the round is judged as it was before controls existed.
            return None
        self.logs.read_state(fresh)
        for body in bodies:
            self.target.request("PATCH", fresh.path, json_body=body)
        _, resp = self.target.request("GET", contract.log_path(fresh.log_id))
        return resp.body if resp.status == 200 and is_json_dict(resp.body) else None

    def _at_once(
        self, log: ScratchLog, bodies: Sequence[Mapping[str, Any]]
    ) -> list[tuple[HttpRequest, HttpResponse]]:
        # One thread per PATCH, released together by a barrier: they really overlap.
        barrier = threading.Barrier(len(bodies))
        answers: dict[int, tuple[HttpRequest, HttpResponse]] = {}
        errors: list[BaseException] = []

        def send(index: int) -> None:
            try:
                barrier.wait(_BARRIER_TIMEOUT_S)
                answers[index] = self.target.request("PATCH", log.path, json_body=bodies[index])
            except BaseException as exc:  # raised again in the caller's thread
                errors.append(exc)
                barrier.abort()

        threads = [
            threading.Thread(target=send, args=(i,), daemon=True) for i in range(len(bodies))
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        if errors:
            # A broken barrier only echoes the error that broke it: raise that one.
            raise next(
                (e for e in errors if not isinstance(e, threading.BrokenBarrierError)), errors[0]
            )
        return [answers[i] for i in range(len(bodies))]

    def sibling_log(self, log: ScratchLog) -> ScratchLog | None:
        """A new scratch log of `log`'s prompt that nothing PATCHes (None: not comparable).

        Scratch logs share one prompt path, hence one prompt; a target that
        files them under different prompts, or has no GET, gives no sibling.
        """
        sibling = self.logs.new()
        self.logs.read_state(sibling)
        same_prompt = sibling.prompt_id == log.prompt_id
        return sibling if sibling.state is not None and same_prompt else None

    def isolation(self, log: ScratchLog, sibling: ScratchLog | None, seed: int, rounds: int) -> int:
        """Read the sibling, send `rounds` concurrent rounds to `log`, read the sibling again.

        Returns the rounds sent. Without GET /logs/{id} neither rule can see
        anything, so nothing is sent.
        """
        if not self.logs.has_get:
            return 0
        if sibling is not None:
            self.judge_all(self.sibling(sibling))
        drawn = draw_batch(strategies.concurrent_update_rounds(), rounds, seed)
        for bodies in drawn:
            self.judge_all(self.concurrent(log, bodies, control=True))
        if sibling is not None and drawn:
            self.judge_all(self.sibling(sibling))
        return len(drawn)

    def sibling(self, sibling: ScratchLog, *, phase: str = "engine") -> list[Exchange]:
        """GET a log of the same prompt that nothing PATCHes; it must read as it was first read."""
        req, resp = self.target.request("GET", f"/logs/{sibling.log_id}")
        return [Exchange("sibling_get", req, resp, before=sibling.state, phase=phase)]

    def judge_all(self, exchanges: list[Exchange]) -> None:
        for exchange in exchanges:
            self.recorder.judge(exchange)

    def probes(self, log: ScratchLog) -> None:
        """Fixed probes: auth, unknown log, the open questions, raw byte-level requests."""
        t, judge = self.target, self.recorder.judge
        body = {"output": "promptlog-contract auth probe"}
        for kind, auth in (
            ("auth_missing", None),
            ("auth_wrong", "wrong-" + secrets.token_hex(12)),
        ):
            req, resp = t.request("PATCH", log.path, json_body=body, auth=auth)
            judge(Exchange(kind, req, resp, sent=body))  # type: ignore[arg-type]
        for near in strategies.near_miss_keys(t.api_key):
            # Recorded by name only: the value is a form of the key.
            req, resp = t.request("PATCH", log.path, json_body=body, auth=near.value)
            judge(Exchange("auth_near_miss", req, resp, sent=body, variant=near.name))
        missing_id = f"log_promptlog_contract_missing_{self.logs.run_id}"
        missing = contract.patch_path(log.prompt_id, missing_id)
        req, resp = t.request("PATCH", missing, json_body={"output": "x"})
        judge(Exchange("unknown_log", req, resp, sent={"output": "x"}))
        for open_body in _OPEN_BODIES:
            req, resp = t.request("PATCH", log.path, json_body=open_body)
            judge(Exchange("open", req, resp, sent=open_body))
        req, resp = t.request("PATCH", log.path, content=None)
        judge(Exchange("open", req, resp))
        for raw in strategies.RAW_REQUESTS:
            req, resp = t.request(
                "PATCH", log.path, content=raw.content, content_type=raw.content_type
            )
            self.recorder.sent([("raw", raw.name)], resp.status in raw.expected_statuses)
            judge(Exchange("raw", req, resp, raw=raw))

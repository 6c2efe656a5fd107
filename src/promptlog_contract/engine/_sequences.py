"""The exchange scripts: what is sent, in which order, to produce one judged exchange or a few.

A valid body is a stateful PATCH -> PATCH -> GET sequence (applied, stable on
repeat, read back the same); an invalid body is one PATCH; the probes are the
fixed requests (auth, unknown log, open questions, raw bytes). Scheduling and
minimising replay these scripts; they never build requests themselves.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Any

from promptlog_contract import contract, strategies
from promptlog_contract.types import Exchange, InvalidBody

from ._http import Target
from ._recorder import Recorder, is_json_dict
from ._scratch import ScratchLog, ScratchLogs

#: The open questions of the contract (AMBIGUITIES.md): judged, warned about, never failed.
_OPEN_BODIES: tuple[dict[str, Any], ...] = (
    {"output": None},
    {"promptlog_contract_unknown": 1},
    {"log_status": "complete"},
)


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
                out.append(Exchange("get", req3, resp3, patched=log.state, phase=phase))
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
            variant = strategies.invalid_variant(case.label)
            self.recorder.sent([variant], 400 <= resp.status < 500)
        return [Exchange("invalid", req, resp, sent=case.body, label=case.label, phase=phase)]

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

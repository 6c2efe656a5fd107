"""Scratch logs: the logs a run creates to PATCH, reads back, and deletes at the end.

`run`, `diff` and `selfcheck` all need a log of their own on the target; they
create, read and clean it up here, the one place that knows how.
"""

from __future__ import annotations

import contextlib
import secrets
from dataclasses import dataclass, field
from typing import Any

from promptlog_contract import contract
from promptlog_contract.errors import ConfigurationError

from ._http import BudgetExhausted, Target, TargetUnhealthy
from ._mistakes import v5_hint
from ._recorder import is_json_dict

_DELETE_CHUNK = 50


class ScratchLogRefused(ConfigurationError):
    """The target would not create a scratch log (bad key, no POST /prompts/log, bad answer)."""


@dataclass
class ScratchLog:
    prompt_id: str
    log_id: str
    #: the log as last seen (a 200 PATCH body or GET), the "before" of the next PATCH
    state: dict[str, Any] | None = None

    @property
    def path(self) -> str:
        return contract.patch_path(self.prompt_id, self.log_id)


@dataclass
class ScratchLogs:
    """The scratch logs of one run on one target; `cleanup` deletes every one created."""

    target: Target
    tag: str = "scratch"
    run_id: str = field(default_factory=lambda: secrets.token_hex(4))
    has_get: bool = True
    created: list[str] = field(default_factory=list)

    def new(self) -> ScratchLog:
        body = {
            "path": f"promptlog-contract/{self.tag}-{self.run_id}",
            "prompt": {"model": "gpt-4o"},
            "messages": [{"role": "user", "content": "promptlog-contract scratch log"}],
            "output": "scratch",
            "source": "promptlog-contract",
        }
        _, resp = self.target.request("POST", "/prompts/log", json_body=body)
        if resp.status in (401, 403):
            raise ScratchLogRefused(f"the target refused the API key (HTTP {resp.status})")
        valid = is_json_dict(resp.body) and not list(
            contract.create_log_response_validator().iter_errors(resp.body)
        )
        hint = v5_hint(self.target.base_url) if resp.status in (404, 405) else None
        if hint:
            raise ScratchLogRefused(
                f"POST /prompts/log gave HTTP {resp.status} at {self.target.base_url}: {hint}"
            )
        if resp.status != 200 or not valid:
            raise ScratchLogRefused(
                f"cannot create a scratch log (POST /prompts/log gave HTTP {resp.status}); "
                "pass --prompt-id and --log-id of an existing log"
            )
        log = ScratchLog(prompt_id=resp.body["prompt_id"], log_id=resp.body["id"])
        self.created.append(log.log_id)
        return log

    def read_state(self, log: ScratchLog) -> None:
        """Read the log back (GET /logs/{id}); a target without that GET is noted, not failed."""
        if not self.has_get:
            return
        _, resp = self.target.request("GET", f"/logs/{log.log_id}")
        if resp.status == 200 and is_json_dict(resp.body):
            log.state = resp.body
        elif resp.status in (404, 405, 501):
            self.has_get = False

    def cleanup(self) -> None:
        """Delete every log created here; essential requests, so budgets cannot skip them."""
        for start in range(0, len(self.created), _DELETE_CHUNK):
            chunk = self.created[start : start + _DELETE_CHUNK]
            with contextlib.suppress(TargetUnhealthy, BudgetExhausted):
                self.target.request("DELETE", "/logs", params={"id": chunk}, essential=True)

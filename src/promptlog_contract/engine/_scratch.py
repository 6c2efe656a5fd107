"""Scratch logs: the logs a run creates to PATCH, reads back, and deletes at the end.

`run`, `diff` and `selfcheck` all need a log of their own on the target; they
create, read and clean it up here, the one place that knows how. Ids the
target hands out are data, not paths: one that is not a safe id is never put
in a request. Cleanup is checked: every DELETE's status is verified, and what
could not be deleted is kept in `leftovers` for the reports to list.
"""

from __future__ import annotations

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
    """The target refused the API key when the first scratch log was asked for (exit 2)."""


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
    #: ids created and not (or not verifiably) deleted, and why cleanup failed
    leftovers: list[str] = field(default_factory=list)
    cleanup_error: str | None = None

    def create_body(self) -> dict[str, Any]:
        """The POST /prompts/log body of a scratch log (reproducers record it)."""
        return {
            "path": f"promptlog-contract/{self.tag}-{self.run_id}",
            "prompt": {"model": "gpt-4o"},
            "messages": [{"role": "user", "content": "promptlog-contract scratch log"}],
            "output": "scratch",
            "source": "promptlog-contract",
        }

    def new(self) -> ScratchLog:
        body = self.create_body()
        _, resp = self.target.request("POST", "/prompts/log", json_body=body)
        if resp.status in (401, 403) and not self.created:
            raise ScratchLogRefused(f"the target refused the API key (HTTP {resp.status})")
        valid = is_json_dict(resp.body) and not list(
            contract.create_log_response_validator().iter_errors(resp.body)
        )
        first = not self.created
        hint = v5_hint(self.target.base_url) if first and resp.status in (404, 405) else None
        if hint:
            raise ScratchLogRefused(
                f"POST /prompts/log gave HTTP {resp.status} at {self.target.base_url}: {hint}"
            )
        if resp.status != 200 or not valid:
            # The target failed, not the user: exit 3, whatever the phase.
            raise TargetUnhealthy(
                f"cannot create a scratch log (POST /prompts/log gave HTTP {resp.status}"
                f"{'' if resp.status != 200 else ', not a CreatePromptLogResponse'}); "
                "pass --prompt-id and --log-id of an existing log"
            )
        prompt_id, log_id = resp.body["prompt_id"], resp.body["id"]
        try:
            contract.safe_id(prompt_id, "prompt id")
            contract.safe_id(log_id, "log id")
        except contract.UnsafeId as exc:
            # Never sent anywhere, not even to DELETE: listed for a person to look at.
            self.leftovers.append(self.target.safe(repr(log_id)[:140]))
            raise TargetUnhealthy(
                self.target.safe(f"POST /prompts/log answered with an unsafe id: {exc}; not sent")
            ) from None
        log = ScratchLog(prompt_id=prompt_id, log_id=log_id)
        self.created.append(log.log_id)
        return log

    def read_state(self, log: ScratchLog) -> None:
        """Read the log back (GET /logs/{id}); a target without that GET is noted, not failed."""
        if not self.has_get:
            return
        _, resp = self.target.request("GET", contract.log_path(log.log_id))
        if resp.status == 200 and is_json_dict(resp.body):
            log.state = resp.body
        elif resp.status in (404, 405, 501):
            self.has_get = False

    def cleanup(self) -> None:
        """Delete every log created here and check each DELETE; essential requests (no budget).

        Whatever is not confirmed deleted (a non-2xx status, a redirect, an
        error) goes to `leftovers`, with the reason in `cleanup_error`.
        """
        pending, self.created = self.created, []
        for start in range(0, len(pending), _DELETE_CHUNK):
            chunk = pending[start : start + _DELETE_CHUNK]
            try:
                _, resp = self.target.request(
                    "DELETE", "/logs", params={"id": chunk}, essential=True
                )
            except (TargetUnhealthy, BudgetExhausted) as exc:
                self._failed(chunk, self.target.safe(str(exc)))
                continue
            if not 200 <= resp.status < 300:
                self._failed(chunk, f"DELETE /logs answered HTTP {resp.status}")

    def _failed(self, ids: list[str], why: str) -> None:
        self.leftovers += ids
        self.cleanup_error = self.cleanup_error or why

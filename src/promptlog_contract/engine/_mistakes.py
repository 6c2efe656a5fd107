"""Configuration mistakes told apart from contract violations and outages, with the fix to try.

A wrong `--log-id`, a base URL without `/v5`, or `https://` to a plain-HTTP
port all look, on the wire, like a broken target: 404s that would be judged
as failures, or a raw OpenSSL message. Each is recognised here from the
target's first answers and turned into a `ConfigurationError` (exit 2) that
names the likely fix, before any rule judges anything.
"""

from __future__ import annotations

import re
import ssl
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from promptlog_contract import contract
from promptlog_contract.errors import ConfigurationError

from ._http import Target, TargetUnhealthy
from ._recorder import is_json_dict

#: OpenSSL's reasons when a TLS client is answered in plain HTTP.
_PLAIN_HTTP_REASONS = (
    "WRONG_VERSION_NUMBER",
    "RECORD_LAYER_FAILURE",
    "PACKET_LENGTH_TOO_LONG",
    "UNKNOWN_PROTOCOL",
    "HTTP_REQUEST",
)
_VERSION_SEGMENT = re.compile(r"v\d+")


def v5_hint(base_url: str) -> str | None:
    """The hint `did you mean <URL with /v5>?` when the URL's path has no /v5 segment, else None."""
    parts = urlsplit(base_url)
    segments = [s for s in parts.path.split("/") if s]
    if "v5" in segments:
        return None
    if segments and _VERSION_SEGMENT.fullmatch(segments[-1]):
        segments[-1] = "v5"
    else:
        segments.append("v5")
    likely = urlunsplit((parts.scheme, parts.netloc, "/" + "/".join(segments), "", ""))
    return f"did you mean {likely}?"


def _chain(exc: BaseException) -> list[BaseException]:
    seen: list[BaseException] = []
    current: BaseException | None = exc
    while current is not None and current not in seen:
        seen.append(current)
        current = current.__cause__ or current.__context__
    return seen


def explain_unhealthy(exc: TargetUnhealthy, base_url: str) -> Exception:
    """A `ConfigurationError` if `exc` is a TLS handshake with a plain-HTTP port, else `exc`."""
    parts = urlsplit(base_url)
    if parts.scheme != "https":
        return exc
    text = " ".join(str(e) for e in _chain(exc))
    tls = any(isinstance(e, ssl.SSLError) for e in _chain(exc)) or "[SSL" in text
    if not tls or not any(reason in text for reason in _PLAIN_HTTP_REASONS):
        return exc
    plain = urlunsplit(("http", parts.netloc, parts.path, parts.query, ""))
    return ConfigurationError(
        f"{parts.netloc} answered the TLS handshake in plain HTTP (https:// to a plain-HTTP "
        f"port?); did you mean {plain}?"
    )


def check_user_log(
    target: Target, prompt_id: str, log_id: str, state: dict[str, Any] | None
) -> dict[str, Any] | None:
    """Make sure the user's `--prompt-id/--log-id` log exists before any rule judges it.

    `state` is the log as GET /logs/{id} found it, None if it did not. Then (no
    such log, or a target without that GET) one empty PATCH decides: a 404
    there means every PATCH of the run would be a 404, which is a wrong id,
    not a violation. Returns the log's state as last seen.
    """
    if state is not None:
        prompt = state.get("prompt")
        owner = prompt.get("id") if isinstance(prompt, dict) else state.get("prompt_id")
        if isinstance(owner, str) and owner != prompt_id:
            raise ConfigurationError(
                f"log {log_id} belongs to prompt {owner}, not {prompt_id} (check --prompt-id)"
            )
        return state
    _, resp = target.request("PATCH", contract.patch_path(prompt_id, log_id), json_body={})
    if resp.status in (401, 403):
        raise ConfigurationError(f"the target refused the API key (HTTP {resp.status})")
    if resp.status == 404:
        hint = v5_hint(target.base_url)
        raise ConfigurationError(
            f"log {log_id} not found under prompt {prompt_id} at {target.base_url} "
            "(PATCH gave HTTP 404); " + (hint or "check --prompt-id and --log-id")
        )
    return resp.body if resp.status == 200 and is_json_dict(resp.body) else None

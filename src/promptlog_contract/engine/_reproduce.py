"""Reproducers a person can paste: a curl script and an httpx snippet that create their own log.

A stateful finding only makes sense with its story (the log before, each
request, what differs), and a reproducer pointing at a scratch log that the
run deleted is useless. Both renderings therefore create a fresh log with the
recorded `POST /prompts/log` body, replay the steps, print each answer and
delete the log. The key is read from `HUMANLOOP_API_KEY`, never written; a
finding of the bundled mock says how to start the same mock with its faults.
"""

from __future__ import annotations

import json
import shlex
from typing import Any

from promptlog_contract._secrets import scrub

from ._rerun import Recipe

_MAX_INLINE = 4096
_MOCK_PORT = 8000


def body_text(body: Any) -> str:
    """The compact JSON text of a body, as sent and as measured for minimality."""
    return json.dumps(body, separators=(",", ":"), ensure_ascii=False)


def _payload(recipe: Recipe) -> str | None:
    if recipe.current_body() is not None and recipe.kind != "raw":
        return body_text(recipe.current_body())
    if recipe.content is None:
        return None
    text = recipe.content.decode("utf-8", errors="replace")
    if len(text) > _MAX_INLINE:
        return f"(a {len(recipe.content)}-byte body: see the recipe in summary.json)"
    return text


def _steps(recipe: Recipe) -> list[tuple[str, str, bool]]:
    """(method, path template, sends the body) for each request of the recipe."""
    patch = "/prompts/{prompt_id}/log/{log_id}"
    if recipe.kind == "unknown_log":
        patch = "/prompts/{prompt_id}/log/log_promptlog_contract_missing"
    if recipe.is_sequence:
        return [("PATCH", patch, True), ("PATCH", patch, True), ("GET", "/logs/{log_id}", False)]
    return [("PATCH", patch, True)]


def _auth(recipe: Recipe) -> str | None:
    """The X-API-KEY value as the shell sees it; None sends no key (the auth probes)."""
    if recipe.kind == "auth_missing":
        return None
    return "wrong-key" if recipe.kind == "auth_wrong" else "$HUMANLOOP_API_KEY"


def reproducers(
    base_url: str,
    recipe: Recipe,
    create: dict[str, Any],
    secret: str,
    mock_faults: tuple[str, ...] | None = None,
    differs: str = "",
) -> dict[str, str]:
    """{"curl": a POSIX sh script, "python": an httpx snippet}, both runnable as printed.

    `differs` (what the suite saw break) heads both as a comment, so the
    printed answers can be compared with it.
    """
    if mock_faults is not None:
        base_url = f"http://127.0.0.1:{_MOCK_PORT}/v5"
    out = {
        "curl": _curl(base_url, recipe, create, mock_faults),
        "python": _python(base_url, recipe, create, mock_faults),
    }
    if differs:
        line = "".join(c if c.isprintable() else " " for c in differs)[:300]
        out = {
            "curl": out["curl"].replace("set -eu\n", f"# what broke: {line}\nset -eu\n", 1),
            "python": f"# what broke: {line}\n" + out["python"],
        }
    return {k: scrub(v, secret) for k, v in out.items()}


def _mock_line(mock_faults: tuple[str, ...] | None, comment: str) -> list[str]:
    if mock_faults is None:
        return []
    faults = "".join(f" --fault {f}" for f in mock_faults)
    return [
        f"{comment} first, in another shell: promptlog-contract mock --port {_MOCK_PORT} "
        f'--api-key "$HUMANLOOP_API_KEY"{faults}'
    ]


def _curl(
    base_url: str, recipe: Recipe, create: dict[str, Any], mock_faults: tuple[str, ...] | None
) -> str:
    key = _auth(recipe)
    json_h = "-H 'content-type: application/json'"
    lines = [
        "#!/bin/sh",
        *_mock_line(mock_faults, "#"),
        "set -eu",
        f"BASE={shlex.quote(base_url.rstrip('/'))}",
        'AUTH="X-API-KEY: $HUMANLOOP_API_KEY"',
        f'LOG=$(curl -sS -X POST "$BASE/prompts/log" -H "$AUTH" {json_h} '
        f"--data-binary {shlex.quote(body_text(create))})",
        "field() { printf '%s' \"$LOG\" | python3 -c "
        "'import json,sys; print(json.load(sys.stdin)[sys.argv[1]])' \"$1\"; }",
        "PROMPT_ID=$(field prompt_id); LOG_ID=$(field id)",
        'echo "before:"; curl -sS "$BASE/logs/$LOG_ID" -H "$AUTH"; echo',
    ]
    payload = _payload(recipe)
    header = {None: "", "$HUMANLOOP_API_KEY": ' -H "$AUTH"'}.get(key, f" -H 'X-API-KEY: {key}'")
    ctype = (
        f" -H {shlex.quote('content-type: ' + recipe.content_type)}" if recipe.content_type else ""
    )
    for method, path, sends in _steps(recipe):
        url = path.replace("{prompt_id}", "$PROMPT_ID").replace("{log_id}", "$LOG_ID")
        data = f" --data-binary {shlex.quote(payload)}" if sends and payload is not None else ""
        auth = header if method == "PATCH" else ' -H "$AUTH"'
        extra = ctype if sends else ""
        lines.append(
            f"echo \"{method} {path}:\"; curl -sS -w ' -> HTTP %{{http_code}}\\n' "
            f'-X {method} "$BASE{url}"{auth}{extra}{data}'
        )
    lines.append('curl -sS -o /dev/null -X DELETE "$BASE/logs?id=$LOG_ID" -H "$AUTH"')
    return "\n".join(lines) + "\n"


def _python(
    base_url: str, recipe: Recipe, create: dict[str, Any], mock_faults: tuple[str, ...] | None
) -> str:
    key = _auth(recipe)
    payload = _payload(recipe)
    lines = [
        *_mock_line(mock_faults, "#"),
        "import os",
        "",
        "import httpx",
        "",
        f"base = {base_url.rstrip('/')!r}",
        'key = {"X-API-KEY": os.environ["HUMANLOOP_API_KEY"]}',
        "with httpx.Client(base_url=base, timeout=10) as client:",
        f"    log = client.post('/prompts/log', headers=key, json={create!r}).json()",
        "    ids = {'prompt_id': log['prompt_id'], 'log_id': log['id']}",
        "    print('before:', client.get(f\"/logs/{log['id']}\", headers=key).text)",
    ]
    auth = {None: "{}", "$HUMANLOOP_API_KEY": "key"}.get(key, f"{{'X-API-KEY': {key!r}}}")
    ctype = f", 'content-type': {recipe.content_type!r}" if recipe.content_type else ""
    for method, path, sends in _steps(recipe):
        url = f"{path!r}.format(**ids)"
        if sends and payload is not None:
            headers = f"{{**{auth}{ctype}}}"
            call = f"client.request({method!r}, {url}, headers={headers}, content={payload!r})"
        else:
            call = f"client.request({method!r}, {url}, headers=key)"
        lines += [f"    r = {call}", f"    print({method!r}, r.status_code, r.text)"]
    lines.append("    client.delete('/logs', headers=key, params={'id': log['id']})")
    return "\n".join(lines) + "\n"

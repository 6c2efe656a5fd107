"""The findings section of report.html: what broke, its story, and how to reproduce it.

It comes first on the page because it is what a reader came for: each
distinct finding with its count, one line of cause, the sequence as numbered
steps (the log before, each request and answer, what differs), a copy button
for the reproducer and the replay command. The one script on the page copies
text to the clipboard; the page's Content-Security-Policy allows exactly it,
by hash, and nothing else.
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
from collections.abc import Mapping
from typing import Any

BODY_LIMIT = 4000
#: copies the text of the element a button's data-copy names (CSP allows it by hash)
COPY_SCRIPT = (
    "document.addEventListener('click',function(e){var b=e.target.closest('button[data-copy]');"
    "if(!b)return;var t=document.getElementById(b.dataset.copy);"
    "if(t&&navigator.clipboard){navigator.clipboard.writeText(t.textContent);"
    "b.textContent='Copied';}});"
)
COPY_HASH = "sha256-" + base64.b64encode(hashlib.sha256(COPY_SCRIPT.encode()).digest()).decode()


def esc(value: Any) -> str:
    return html.escape("" if value is None else str(value), quote=True)


def _cut(text: str, limit: int = BODY_LIMIT) -> str:
    return (
        text if len(text) <= limit else text[:limit] + f"\n… [{len(text) - limit} more characters]"
    )


def _pre(text: Any, ident: str = "") -> str:
    shown = text if isinstance(text, str) else json.dumps(text, indent=1, ensure_ascii=False)
    attr = f' id="{esc(ident)}"' if ident else ""
    return f"<pre{attr}>{esc(_cut(shown))}</pre>"


def _copy(ident: str) -> str:
    return f'<button type="button" class="copy" data-copy="{esc(ident)}">Copy</button>'


def _steps(sequence: Mapping[str, Any]) -> str:
    items = []
    before = sequence.get("before")
    if before is not None:
        items.append(f"<li><details><summary>the log before</summary>{_pre(before)}</details></li>")
    for step in sequence.get("steps") or []:
        request = step.get("request") or {}
        response = step.get("response") or {}
        items.append(
            f'<li><span class="mono"><b>{esc(request.get("method"))}</b> '
            f"{esc(request.get('url'))}</span>"
            + (_pre(request["body"]) if request.get("body") else "")
            + f'<div class="mono">→ HTTP <b>{esc(response.get("status"))}</b></div>'
            + f"<details><summary>response</summary>{_pre(response.get('body') or '')}</details>"
            + "</li>"
        )
    if sequence.get("differs"):
        items.append(f'<li class="differs">{esc(sequence["differs"])}</li>')
    return f'<ol class="steps">{"".join(items)}</ol>' if items else ""


def _exchange(finding: Mapping[str, Any]) -> str:
    request = finding.get("request") if isinstance(finding.get("request"), Mapping) else {}
    response = finding.get("response") if isinstance(finding.get("response"), Mapping) else {}
    assert isinstance(request, Mapping) and isinstance(response, Mapping)
    return (
        f'<ol class="steps"><li><span class="mono"><b>{esc(request.get("method"))}</b> '
        f"{esc(request.get('url'))}</span>"
        + (_pre(request["body"]) if request.get("body") else "")
        + f'<div class="mono">→ HTTP <b>{esc(response.get("status"))}</b></div>'
        + _pre(response.get("body") or "no body")
        + "</li></ol>"
    )


def finding_html(finding: Mapping[str, Any], css: str, *, collapsed: bool) -> str:
    """One finding: head, cause, steps, reproducers with copy buttons, replay command."""
    fid = str(finding.get("id"))
    repro = str(finding.get("reproducibility", ""))
    signature = finding.get("signature") if isinstance(finding.get("signature"), Mapping) else {}
    assert isinstance(signature, Mapping)
    where = signature.get("location") or ""
    count = int(finding.get("occurrences") or 1)
    head = (
        f'<span class="mono">{esc(fid)} {esc(finding.get("rule"))}</span>'
        + (f" at <code>{esc(where)}</code>" if where else "")
        + f' <span class="badge {esc(repro.split(" ")[0])}">{esc(repro)}</span>'
        + f' <span class="muted">{count} occurrence{"s" if count != 1 else ""}</span>'
    )
    meta = (
        f'<div class="meta">{esc(finding.get("violation"))} · phase {esc(finding.get("phase"))} · '
        f"fingerprint <code>{esc(finding.get('fingerprint'))}</code></div>"
    )
    sequence = finding.get("sequence")
    story = _steps(sequence) if isinstance(sequence, Mapping) and sequence else _exchange(finding)
    reproducer = finding.get("reproducer") if isinstance(finding.get("reproducer"), Mapping) else {}
    assert isinstance(reproducer, Mapping)
    curl = reproducer.get("curl") or finding.get("curl") or "(no reproducer)"
    replay = finding.get("replay") or f"promptlog-contract replay {fid}"
    body = (
        f'<p class="message">{esc(finding.get("message"))}</p>{meta}<h4>Steps</h4>{story}'
        f"<h4>Reproduce {_copy(f'curl-{fid}')}</h4>{_pre(curl, f'curl-{fid}')}"
        + (
            f"<details><summary>Python (httpx) {_copy(f'py-{fid}')}</summary>"
            f"{_pre(reproducer['python'], f'py-{fid}')}</details>"
            if reproducer.get("python")
            else ""
        )
        + f'<h4>Replay {_copy(f"replay-{fid}")}</h4><pre id="replay-{esc(fid)}">{esc(replay)}</pre>'
    )
    anchor = f'id="finding-{esc(fid)}"'
    if collapsed:
        return f'<details class="finding {css}" {anchor}><summary>{head}</summary>{body}</details>'
    return f'<article class="finding {css}" {anchor}><h3>{head}</h3>{body}</article>'


def findings_section(summary: Mapping[str, Any]) -> str:
    """Failures (open), warnings and known failures, each a list of distinct findings."""
    failures = summary["failures"]
    occurrences = sum(int(f.get("occurrences") or 1) for f in failures)
    rows = "".join(finding_html(f, "failure", collapsed=False) for f in failures)
    warned = "".join(finding_html(f, "warning", collapsed=True) for f in summary["warnings"])
    known = "".join(finding_html(f, "baselined", collapsed=True) for f in summary["baselined"])
    parts = [
        f'<section id="failures"><h2>Failures: {len(failures)} distinct '
        f"({occurrences} failing exchange{'s' if occurrences != 1 else ''})</h2>"
        + (rows or '<p class="empty">No failures.</p>')
        + "</section>",
        f'<section id="warnings"><h2>Warnings ({len(summary["warnings"])})</h2>'
        '<p class="muted">Behaviour the documentation leaves open; fails only under --strict '
        "(see contracts/AMBIGUITIES.md).</p>"
        + (warned or '<p class="empty">No warnings.</p>')
        + "</section>",
    ]
    if known:
        parts.append(
            f'<section id="baselined"><h2>Known failures ({len(summary["baselined"])})</h2>'
            '<p class="muted">Covered by the baseline; expired entries still fail the gate.</p>'
            f"{known}</section>"
        )
    return "".join(parts)

"""The kill-matrix section of report.html: which seeded fault each rule caught.

The self-check runs the suite against the mock with one fault switched on at a
time; this table is its evidence that the suite has teeth (and, with a peer
column, what a peer tool caught against the same faults). The dictionary is
produced elsewhere and may grow, so everything here reads it defensively:
missing keys render as blanks, unknown shapes as text.
"""

from __future__ import annotations

import html
from collections.abc import Mapping
from typing import Any


def _esc(value: Any) -> str:
    return html.escape(value if isinstance(value, str) else str(value), quote=True)


def _rules(kill: Mapping[str, Any], faults: Mapping[str, Any]) -> list[str]:
    listed = kill.get("rules")
    rules = [str(r) for r in listed] if isinstance(listed, list) else []
    for info in faults.values():
        caught = info.get("caught_by") if isinstance(info, Mapping) else None
        for rule in caught if isinstance(caught, list) else []:
            if str(rule) not in rules:
                rules.append(str(rule))
    return rules


def _peers(faults: Mapping[str, Any]) -> list[str]:
    names: list[str] = []
    for info in faults.values():
        peers = info.get("peers") if isinstance(info, Mapping) else None
        for name in peers if isinstance(peers, Mapping) else {}:
            if str(name) not in names:
                names.append(str(name))
    return names


def _peer_cell(result: Any) -> str:
    if not isinstance(result, Mapping):
        return f'<td class="miss">{_esc(result) if result is not None else "—"}</td>'
    details = ", ".join(f"{k}: {v}" for k, v in result.items() if k != "caught")
    caught = result.get("caught")
    text = "✔ caught" if caught is True else "✘ missed" if caught is False else "?"
    css = "hit" if caught is True else "peer-miss" if caught is False else "miss"
    small = f'<br><span class="muted">{_esc(details)}</span>' if details else ""
    return f'<td class="{css}" title="{_esc(details)}">{_esc(text)}{small}</td>'


def _seconds(value: Any) -> str:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return f"{value:.2f} s"
    return "—"


def _faithful(kill: Mapping[str, Any]) -> str:
    faithful = kill.get("faithful")
    if not isinstance(faithful, Mapping):
        return ""
    failures = faithful.get("failures")
    verdict = (
        "passes (no failures)"
        if failures == 0
        else f"reports {failures} failure(s): a false positive"
        if isinstance(failures, int)
        else "result unknown"
    )
    details = ", ".join(f"{k}: {v}" for k, v in faithful.items())
    return f"<p>Faithful mock {_esc(verdict)} <span class='muted'>({_esc(details)})</span></p>"


def kill_matrix_section(kill: Mapping[str, Any]) -> str:
    """The fault × rule table, or a note when the dictionary holds no faults."""
    faults = kill.get("faults")
    if not isinstance(faults, Mapping) or not faults:
        return (
            '<section id="kill-matrix"><h2>Kill matrix</h2>'
            f'{_faithful(kill)}<p class="empty">No faults recorded.</p></section>'
        )
    rules, peers = _rules(kill, faults), _peers(faults)
    head = (
        "<tr><th>fault</th>"
        + "".join(f'<th class="rot mono">{_esc(r)}</th>' for r in rules)
        + "<th>first detection</th>"
        + "".join(f"<th>{_esc(p)}</th>" for p in peers)
        + "</tr>"
    )
    rows, caught_count = [], 0
    for fault, raw in faults.items():
        info = raw if isinstance(raw, Mapping) else {}
        caught_by = info.get("caught_by")
        caught = {str(r) for r in caught_by} if isinstance(caught_by, list) else set()
        caught_count += bool(caught)
        raw_peers = info.get("peers")
        peer_results: Mapping[str, Any] = raw_peers if isinstance(raw_peers, Mapping) else {}
        doc = info.get("doc", "")
        rows.append(
            f'<tr class="{"caught" if caught else "escaped"}">'
            f'<td><span class="mono">{_esc(fault)}</span>'
            + (f'<br><span class="muted">{_esc(doc)}</span>' if doc else "")
            + "</td>"
            + "".join(
                '<td class="hit" title="caught">✔</td>'
                if r in caught
                else '<td class="miss">·</td>'
                for r in rules
            )
            + f'<td class="num">{_esc(_seconds(info.get("first_detection_s")))}</td>'
            + "".join(_peer_cell(peer_results.get(p)) for p in peers)
            + "</tr>"
        )
    return (
        '<section id="kill-matrix"><h2>Kill matrix</h2>'
        f"<p>{caught_count} of {len(faults)} seeded faults caught by at least one rule.</p>"
        f'{_faithful(kill)}<table class="kill"><thead>{head}</thead>'
        f"<tbody>{''.join(rows)}</tbody></table></section>"
    )

"""report.html: one self-contained page a person reads to decide what to do next.

Rendered from the JSON summary so it shows the same numbers as summary.json
and junit.xml. Top to bottom it answers: did the gate pass (banner), which
rules broke (rule table), what the run never exercised (coverage grid), how
to reproduce each failure (findings with curl), which accepted failures are
due (baseline) and, for self-checks, which seeded faults each rule catches
(kill matrix). Every value goes through html.escape; nothing is fetched.
"""

from __future__ import annotations

import html
import json
from collections.abc import Mapping
from typing import Any

from ._html_kill import kill_matrix_section
from ._html_style import CSS

BODY_LIMIT = 4096
_STATUS_ORDER = {"fail": 0, "warn": 1, "skip": 2, "pass": 3}


def esc(value: Any) -> str:
    return html.escape(value if isinstance(value, str) else str(value), quote=True)


def _td(value: Any, css: str = "") -> str:
    return f'<td class="{css}">{esc(value)}</td>' if css else f"<td>{esc(value)}</td>"


def _pre_or_empty(text: str | None, empty: str = "no body") -> str:
    return f"<pre>{esc(text)}</pre>" if text is not None else f'<p class="empty">{esc(empty)}</p>'


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def _why(summary: Mapping[str, Any]) -> str:
    totals = summary["totals"]
    baseline = summary.get("baseline") or {}
    if summary["verdict"] == "interrupted":
        return f"Interrupted by {summary['interrupted']}: what was found until then is below"
    if summary["verdict"] == "unhealthy":
        return f"Target unhealthy: {summary['unhealthy']} — the contract was not judged"
    if summary["verdict"] == "inconclusive":
        return (
            f"Inconclusive: rules {', '.join(summary['not_exercised'])} were never exercised: "
            + "; ".join(f"{rule}: {why}" for rule, why in summary["not_exercised"].items())
        )
    if summary["verdict"] == "fail":
        parts = []
        if totals["failures"]:
            failures, rules = totals["failures"], totals["failed_rules"]
            parts.append(f"{_plural(failures, 'failure')} in {_plural(rules, 'rule')}")
        if baseline.get("expired"):
            parts.append(f"{_plural(len(baseline['expired']), 'expired baseline entry')}")
        return "; ".join(parts)
    judged = totals["rules"] - totals["skipped_rules"]
    extra = [
        _plural(totals[key], label)
        for key, label in (("warnings", "warning"), ("baselined", "known failure"))
        if totals[key]
    ]
    return f"All {_plural(judged, 'judged rule')} hold" + (
        f" ({', '.join(extra)})" if extra else ""
    )


def _gaps(summary: Mapping[str, Any]) -> str:
    """Lines under the verdict: rules not exercised (and why), scratch logs left behind."""
    lines = [f"not exercised: {rule}: {why}" for rule, why in summary["not_exercised"].items()]
    lines += [f"not exercised (allowed): {rule}: {why}" for rule, why in summary["excused"].items()]
    if summary["leftovers"]:
        ids = ", ".join(summary["leftovers"])
        lines.append(f"scratch logs left on the target, delete them: {ids}")
    return "".join(f'<div class="why">{esc(line)}</div>' for line in lines)


def _banner(summary: Mapping[str, Any]) -> str:
    verdict = summary["verdict"]
    facts = [
        ("exit code", summary["exit_code"]),
        ("target", summary["target_url"]),
        ("seed", summary["seed"]),
        ("profile", f"{summary['profile']}{' (strict)' if summary['strict'] else ''}"),
        ("duration", f"{float(summary['duration_s']):.1f} s"),
        ("requests", summary["requests"]["sent"]),
        ("started", summary["started_at"]),
        ("contract", (summary["contract_hash"] or "unknown")[:12]),
    ]
    by_status = "".join(
        f"<span>{esc(code)}: {esc(n)}</span>"
        for code, n in sorted(summary["requests"]["by_status"].items())
    )
    return (
        f'<header class="banner {esc(verdict)}" id="verdict"><div class="inner">'
        f'<div><div class="verdict">{esc(verdict.upper())}</div>'
        f'<div class="why">{esc(_why(summary))}</div>'
        + _gaps(summary)
        + f'<div class="chips">{by_status}</div></div>'
        '<dl class="facts">'
        + "".join(f"<dt>{esc(k)}</dt><dd>{esc(v)}</dd>" for k, v in facts)
        + "</dl></div></header>"
    )


def _rules(summary: Mapping[str, Any]) -> str:
    rows = sorted(
        enumerate(summary["rules"].items()),
        key=lambda item: (_STATUS_ORDER.get(item[1][1]["status"], 9), item[0]),
    )
    body = "".join(
        f'<tr class="{esc(row["status"])}"><td class="mono">{esc(rule)}</td>'
        + "".join(
            f'<td class="num">{esc(row.get(k, 0))}</td>'
            for k in ("passed", "failed", "warned", "baselined", "not_applicable")
        )
        + f'<td><span class="badge {esc(row["status"])}">{esc(row["status"])}</span></td></tr>'
        for _, (rule, row) in rows
    )
    t = summary["totals"]
    return (
        '<section id="rules"><h2>Rules</h2>'
        f'<p class="muted">{esc(_plural(t["rules"], "rule"))}: {esc(t["passed_rules"])} pass, '
        f"{esc(t['failed_rules'])} fail, {esc(t['warned_rules'])} warn, "
        f"{esc(t['skipped_rules'])} judged nothing. Counts are exchanges judged; n/a counts the "
        "exchanges a rule does not judge (never a pass).</p>"
        "<table><thead><tr><th>rule</th><th>passed</th><th>failed</th><th>warned</th>"
        "<th>baselined</th><th>n/a</th><th>status</th></tr></thead>"
        f"<tbody>{body or '<tr><td colspan=7 class=empty>no rules ran</td></tr>'}</tbody>"
        "</table></section>"
    )


def _cell(variant: str, counts: Mapping[str, Any]) -> str:
    sent, observed = counts.get("sent", 0), counts.get("observed", 0)
    if not sent:
        kind, text = "never", "never exercised"
    elif not observed:
        kind, text = "unobserved", f"sent {sent} · observed 0"
    else:
        kind, text = "observed", f"sent {sent} · observed {observed}"
    return (
        f'<div class="cell {kind}" title="{esc(variant)}: {esc(text)}">'
        f'<span class="variant">{esc(variant)}</span><span class="counts">{esc(text)}</span></div>'
    )


def _coverage(summary: Mapping[str, Any]) -> str:
    coverage = summary["coverage"]
    rows = []
    for dimension, variants in coverage.items():
        exercised = sum(1 for c in variants.values() if c.get("sent"))
        cells = "".join(_cell(v, c) for v, c in variants.items())
        rows.append(
            f'<tr><th scope="row">{esc(dimension)}<br><span class="muted">'
            f"{exercised} of {len(variants)} exercised</span></th>"
            f'<td><div class="cells">{cells}</div></td></tr>'
        )
    gaps = len(summary["coverage_gaps"])
    legend = (
        '<p class="legend"><span><i class="swatch observed"></i>sent and observed</span>'
        '<span><i class="swatch unobserved"></i>sent, never observed in a response</span>'
        '<span><i class="swatch never"></i>never exercised</span></p>'
    )
    table = (
        f'<table class="coverage"><tbody>{"".join(rows)}</tbody></table>'
        if rows
        else '<p class="empty">The run recorded no coverage.</p>'
    )
    return (
        '<section id="coverage"><h2>Coverage</h2>'
        f'<p class="muted">{_plural(gaps, "variant")} never exercised.</p>{legend}{table}</section>'
    )


def _pretty(value: Any) -> str:
    if isinstance(value, bytes):
        value = value.decode("utf-8", "replace")
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except (ValueError, RecursionError):  # a target's body may be nested without end
            return str(value)
    try:
        return json.dumps(value, indent=2, ensure_ascii=False, default=str)
    except (ValueError, RecursionError):
        return str(value)


def _truncate(text: str, limit: int = BODY_LIMIT) -> str:
    if len(text) <= limit:
        return text
    return text[:limit] + f"\n… [truncated: {len(text) - limit} more characters]"


def body_text(part: Mapping[str, Any]) -> str | None:
    """The pretty-printed, truncated body of a recorded request or response."""
    for key in ("body", "json", "content", "text"):
        if key in part and part[key] is not None:
            return _truncate(_pretty(part[key]))
    return None


def _headers(headers: Any) -> str:
    if not isinstance(headers, Mapping) or not headers:
        return ""
    rows = "".join(
        f'<tr><td class="mono">{esc(k)}</td><td class="mono">{esc(v)}</td></tr>'
        for k, v in headers.items()
    )
    return f'<table class="headers">{rows}</table>'


def _part(finding: Mapping[str, Any], key: str) -> Mapping[str, Any]:
    value = finding.get(key)
    return value if isinstance(value, Mapping) else {}


def _exchange(finding: Mapping[str, Any]) -> str:
    request, response = _part(finding, "request"), _part(finding, "response")
    method, url = esc(request.get("method", "?")), esc(request.get("url", "?"))
    return (
        '<div class="exchange"><div><h4>Request</h4>'
        f'<div class="mono"><b>{method}</b> {url}</div>{_headers(request.get("headers"))}'
        f"{_pre_or_empty(body_text(request))}</div>"
        '<div><h4>Response</h4><div class="mono"><b>'
        f"{esc(response.get('status', '?'))}</b></div>{_headers(response.get('headers'))}"
        f"{_pre_or_empty(body_text(response))}</div></div>"
    )


def _finding(finding: Mapping[str, Any], css: str, *, collapsed: bool) -> str:
    repro = str(finding.get("reproducibility", "unchecked"))
    label = finding.get("label")
    label_html = ""
    if isinstance(label, Mapping):
        path = ".".join(map(str, label.get("path") or [])) or "<root>"
        label_html = (
            f'<div class="meta">body broken at <code>{esc(path)}</code> '
            f"({esc(label.get('rule'))}, {esc(label.get('severity'))})</div>"
        )
    head = (
        f'<span class="mono">{esc(finding.get("rule"))}</span> · {esc(finding.get("violation"))} '
        f'<span class="badge {esc(repro)}">{esc(repro)}</span>'
    )
    meta = (
        f'<div class="meta">finding {esc(finding.get("id"))} · phase {esc(finding.get("phase"))}'
        f" · kind {esc(finding.get('kind'))} · fingerprint "
        f"<code>{esc(finding.get('fingerprint'))}</code></div>"
    )
    body = (
        f'<p class="message">{esc(finding.get("message"))}</p>{label_html}{_exchange(finding)}'
        f'<h4>Reproduce</h4><pre class="curl">{esc(finding.get("curl") or "(no reproducer)")}</pre>'
    )
    anchor = f'id="finding-{esc(finding.get("id"))}"'
    if collapsed:
        return (
            f'<details class="finding {css}" {anchor}><summary>{head} — '
            f"{esc(finding.get('message'))}</summary>{meta}{body}</details>"
        )
    return f'<article class="finding {css}" {anchor}><h3>{head}</h3>{meta}{body}</article>'


def _findings(summary: Mapping[str, Any]) -> str:
    failures = "".join(_finding(f, "failure", collapsed=False) for f in summary["failures"])
    warnings = "".join(_finding(f, "warning", collapsed=True) for f in summary["warnings"])
    known = "".join(_finding(f, "baselined", collapsed=True) for f in summary["baselined"])
    parts = [
        f'<section id="failures"><h2>Failures ({len(summary["failures"])})</h2>'
        + (failures or '<p class="empty">No failures.</p>')
        + "</section>",
        f'<section id="warnings"><h2>Warnings ({len(summary["warnings"])})</h2>'
        '<p class="muted">Behaviour the documentation leaves open; fails only under --strict.</p>'
        + (warnings or '<p class="empty">No warnings.</p>')
        + "</section>",
    ]
    if known:
        parts.append(
            f'<section id="baselined"><h2>Known failures ({len(summary["baselined"])})</h2>'
            '<p class="muted">Accepted by the baseline until their expiry; not gating.</p>'
            f"{known}</section>"
        )
    return "".join(parts)


def _entries(title: str, entries: list[Any], note: str) -> str:
    if not entries:
        return ""
    rows = "".join(
        "<tr>"
        + _td(e.get("rule"), "mono")
        + _td(e.get("fingerprint"), "mono")
        + _td(e.get("owner"))
        + _td(e.get("expires"))
        + _td(e.get("reason", ""))
        + _td(", ".join(map(str, e.get("findings") or [])))
        + "</tr>"
        for e in entries
        if isinstance(e, Mapping)
    )
    return (
        f"<h3>{esc(title)} ({len(entries)})</h3><p class='muted'>{esc(note)}</p><table><thead><tr>"
        "<th>rule</th><th>fingerprint</th><th>owner</th><th>expires</th><th>reason</th>"
        f"<th>findings</th></tr></thead><tbody>{rows}</tbody></table>"
    )


def _baseline(summary: Mapping[str, Any]) -> str:
    baseline = summary.get("baseline")
    if not isinstance(baseline, Mapping):
        return ""
    return (
        '<section id="baseline"><h2>Baseline</h2>'
        f"<p>File <code>{esc(baseline.get('file'))}</code></p>"
        + _entries(
            "Expired",
            baseline.get("expired") or [],
            "Expired entries fail the gate: fix the failure or renew the entry.",
        )
        + _entries("Matched", baseline.get("matched") or [], "Known failures accepted in this run.")
        + _entries(
            "Stale", baseline.get("stale") or [], "No longer reproduces: delete these entries."
        )
        + "</section>"
    )


def render_html(summary: Mapping[str, Any]) -> str:
    """The whole report page for a summary (see summary_dict)."""
    kill = summary.get("kill_matrix")
    sections = [
        _rules(summary),
        _coverage(summary),
        _findings(summary),
        _baseline(summary),
        kill_matrix_section(kill) if isinstance(kill, Mapping) else "",
    ]
    nav = "".join(
        f'<a href="#{anchor}">{label}</a>'
        for anchor, label in (
            ("rules", "Rules"),
            ("coverage", "Coverage"),
            ("failures", "Failures"),
            ("warnings", "Warnings"),
            ("baseline", "Baseline"),
            ("kill-matrix", "Kill matrix"),
        )
        if f'id="{anchor}"' in "".join(sections)
    )
    versions = " · ".join(f"{esc(k)} {esc(v)}" for k, v in summary["versions"].items())
    title = f"promptlog-contract: {summary['verdict'].upper()} — {summary['target_url']}"
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; '
        "style-src 'unsafe-inline'\">"
        f"<title>{esc(title)}</title><style>{CSS}</style></head><body>"
        f"{_banner(summary)}<nav>{nav}</nav><main>{''.join(sections)}</main>"
        f"<footer>{esc(summary['tool']['name'])} {esc(summary['tool']['version'])} · "
        f"report schema {esc(summary['schema_version'])} · {versions}</footer></body></html>\n"
    )

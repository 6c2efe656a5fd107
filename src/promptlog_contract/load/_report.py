"""The load run's reports: the usual three files, plus a load section in two of them.

summary.json gains an optional `load` object (described in
contracts/schemas/report.schema.json) and report.html a "Load" section with
per-phase latency and an inline SVG chart of throughput over time (the page's
Content-Security-Policy allows no scripts or images, so the chart is markup).
JUnit is unchanged: a CI dashboard reads rules, not latencies.
"""

from __future__ import annotations

import html
import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from promptlog_contract.reporting import Scrubber, junit_xml, render_html, summary_dict
from promptlog_contract.types import RunResult

__all__ = ["load_section_html", "throughput_svg", "write_load_reports"]

_W, _H, _PAD = 640, 160, 28


def _esc(value: Any) -> str:
    return html.escape(str(value), quote=True)


def throughput_svg(series: Sequence[Sequence[float]]) -> str:
    """Requests per second (blue) and failures per second (red) against seconds since start."""
    if not series:
        return "<p>No throughput was recorded.</p>"
    t_max = max(max(p[0] for p in series), 1.0)
    y_max = max(max(p[1] for p in series), 1.0)

    def xy(t: float, y: float) -> str:
        x = _PAD + (t / t_max) * (_W - 2 * _PAD)
        return f"{x:.1f},{_H - _PAD - (y / y_max) * (_H - 2 * _PAD):.1f}"

    reqs = " ".join(xy(p[0], p[1]) for p in series)
    fails = " ".join(xy(p[0], p[2]) for p in series)
    base = _H - _PAD
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{_W}" height="{_H}" '
        f'viewBox="0 0 {_W} {_H}" role="img" aria-label="throughput over time">'
        f'<line x1="{_PAD}" y1="{base}" x2="{_W - _PAD}" y2="{base}" stroke="#888"/>'
        f'<line x1="{_PAD}" y1="{_PAD}" x2="{_PAD}" y2="{base}" stroke="#888"/>'
        f'<polyline fill="none" stroke="#2563eb" stroke-width="1.5" points="{reqs}"/>'
        f'<polyline fill="none" stroke="#dc2626" stroke-width="1.5" points="{fails}"/>'
        f'<text x="{_PAD + 4}" y="{_PAD - 8}" font-size="11">{y_max:g} req/s</text>'
        f'<text x="{_W - _PAD}" y="{_H - 8}" font-size="11" text-anchor="end">{t_max:g} s</text>'
        f'<text x="{_PAD}" y="{_H - 8}" font-size="11">0</text>'
        "</svg>"
    )


def _latency_rows(rows: Mapping[str, Any]) -> str:
    out = []
    for name, row in rows.items():
        cells = [row.get(k, "") for k in ("requests", "failures", "p50_ms", "p95_ms", "p99_ms")]
        out.append(
            f"<tr><td>{_esc(name)}</td>" + "".join(f"<td>{_esc(c)}</td>" for c in cells) + "</tr>"
        )
    return "".join(out)


def load_section_html(load: Mapping[str, Any]) -> str:
    """The "Load" section of report.html from the summary's load object."""
    workers = load.get("workers", {})
    logs = load.get("scratch_logs", {})
    objective = load.get("latency_objective")
    goal = ""
    if isinstance(objective, Mapping):
        verdict = "met" if objective.get("met") else "MISSED"
        goal = (
            f"<p>Latency objective p99 ≤ {_esc(objective.get('p99_ms'))} ms: "
            f"measured {_esc(objective.get('measured_p99_ms'))} ms, <b>{verdict}</b>.</p>"
        )
    head = "<tr><th>phase</th><th>requests</th><th>failures</th><th>p50 ms</th>"
    head += "<th>p95 ms</th><th>p99 ms</th></tr>"
    return (
        '<section id="load"><h2>Load</h2>'
        f"<p>{_esc(load.get('users'))} users over {_esc(workers.get('reported'))} worker(s) "
        f"(expected {_esc(workers.get('expected'))}; without a final report: "
        f"{_esc(workers.get('lost') or 'none')}) for {_esc(load.get('run_time_s'))} s: "
        f"{_esc(load.get('requests'))} requests, {_esc(load.get('failures'))} failed a rule "
        "or got no answer.</p>"
        f"{goal}"
        f"<table><thead>{head}</thead>"
        f"<tbody>{_latency_rows(load.get('phases', {}))}</tbody></table>"
        f"<h3>Throughput over time</h3>{throughput_svg(load.get('throughput', []))}"
        f"<p>Scratch logs: {_esc(logs.get('created'))} created, "
        f"{_esc(logs.get('deleted'))} deleted"
        + (f"; cleanup problems: {_esc(logs.get('problems'))}" if logs.get("problems") else "")
        + ".</p></section>"
    )


def _write(path: Path, data: bytes) -> Path:
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_bytes(data)
    tmp.replace(path)
    return path


def write_load_reports(
    result: RunResult, load: Mapping[str, Any], report_dir: Path, *, secrets: Sequence[str]
) -> dict[str, Path]:
    """Write summary.json (with `load`), junit.xml and report.html (with a Load section)."""
    scrub = Scrubber(secrets)
    summary = scrub.data(summary_dict(result))
    summary["load"] = scrub.data(dict(load))
    page = render_html(summary).replace("</main>", load_section_html(summary["load"]) + "</main>")
    page = page.replace("<nav>", '<nav><a href="#load">Load</a>', 1)
    report_dir.mkdir(parents=True, exist_ok=True)
    text = json.dumps(summary, indent=2, ensure_ascii=False) + "\n"
    return {
        "summary": _write(report_dir / "summary.json", scrub.encode(text)),
        "junit": _write(report_dir / "junit.xml", scrub.encode(junit_xml(summary))),
        "html": _write(report_dir / "report.html", scrub.encode(page)),
    }

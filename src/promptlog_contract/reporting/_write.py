"""write_reports: the one entry point that puts a run's reports on disk.

All three files are rendered from one scrubbed summary and then scrubbed
again as text, so a secret that slipped past the runner is caught twice: once
in the data (before bodies are truncated, which could cut a secret in half)
and once in the exact bytes written.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from promptlog_contract._secrets import escape_controls
from promptlog_contract.types import RunResult

from ._html import render_html
from ._junit import junit_xml
from ._redact import Scrubber
from ._summary import summary_dict

SUMMARY_FILE = "summary.json"
JUNIT_FILE = "junit.xml"
HTML_FILE = "report.html"


def _json_default(value: Any) -> Any:
    # The runner's records are JSON-like; anything else is shown, not fatal.
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    if isinstance(value, set | frozenset | tuple):
        return list(value)
    return str(value)


def _write(path: Path, data: bytes) -> Path:
    # Write then rename, so a CI job that uploads the directory never sees half a file.
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_bytes(data)
    tmp.replace(path)
    return path


def write_reports(
    result: RunResult,
    report_dir: Path,
    *,
    secrets: Sequence[str] = (),
    kill_matrix: Mapping[str, Any] | None = None,
) -> dict[str, Path]:
    """Write summary.json, junit.xml and report.html into `report_dir` (created).

    Returns {"summary": path, "junit": path, "html": path}. Every secret of at
    least four characters (raw, URL-encoded, JSON- or HTML-escaped) is replaced
    by [REDACTED] in all three.
    """
    scrub = Scrubber(secrets)
    summary = scrub.data(summary_dict(result, kill_matrix=kill_matrix))
    report_dir = Path(report_dir)
    report_dir.mkdir(parents=True, exist_ok=True)
    text = json.dumps(summary, indent=2, ensure_ascii=False, default=_json_default) + "\n"
    # JSON escapes control characters itself; markup needs them made visible.
    shown = _visible(summary)
    return {
        "summary": _write(report_dir / SUMMARY_FILE, scrub.encode(text)),
        "junit": _write(report_dir / JUNIT_FILE, scrub.encode(junit_xml(shown))),
        "html": _write(report_dir / HTML_FILE, scrub.encode(render_html(shown))),
    }


def _visible(value: Any) -> Any:
    """A copy of JSON-like `value` whose strings show control characters as escapes."""
    if isinstance(value, str):
        return escape_controls(value, keep="\n\t")
    if isinstance(value, Mapping):
        return {_visible(k): _visible(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_visible(v) for v in value]
    return value

"""The known-failure ledger: accepted failures with an owner and an expiry date.

A team that adopts the gate against a target with known bugs needs a way to
ship while the bugs are being fixed, without muting the rule. Each entry names
one failure by (rule, fingerprint), a person who owns it and the day it stops
being accepted. Expired entries fail the gate even when the failure no longer
reproduces, so the ledger cannot rot; entries that match nothing are reported
as stale ("no longer reproduces") so they can be deleted.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

import yaml

from promptlog_contract.types import Finding, RunResult

BASELINE_VERSION = 1
_FORMATS = {".json": "json", ".yaml": "yaml", ".yml": "yaml"}


class BaselineError(ValueError):
    """The baseline file cannot be used; the message is one line for the user."""


@dataclass(frozen=True)
class BaselineEntry:
    rule: str
    fingerprint: str
    owner: str
    expires: date
    reason: str = ""

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "rule": self.rule,
            "fingerprint": self.fingerprint,
            "owner": self.owner,
            "expires": self.expires.isoformat(),
        }
        if self.reason:
            data["reason"] = self.reason
        return data


@dataclass(frozen=True)
class Baseline:
    path: str
    entries: tuple[BaselineEntry, ...] = field(default_factory=tuple)


def _parse(path: Path) -> Any:
    kind = _FORMATS.get(path.suffix.lower())
    if kind is None:
        raise BaselineError(f"{path}: unknown baseline format (use .json, .yaml or .yml)")
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        raise BaselineError(f"{path}: cannot read baseline: {reason}") from exc
    try:
        return json.loads(text) if kind == "json" else yaml.safe_load(text)
    except (ValueError, yaml.YAMLError) as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise BaselineError(f"{path}: not valid {kind.upper()}: {first}") from exc


def _text(raw: Mapping[str, Any], key: str, where: str, *, required: bool = True) -> str:
    value = raw.get(key)
    if value is None and not required:
        return ""
    if not isinstance(value, str) or not value.strip():
        state = "missing" if value is None else "empty or not a string"
        raise BaselineError(f"{where}: {key} is {state}")
    return value.strip()


def _expiry(raw: Mapping[str, Any], where: str) -> date:
    value = raw.get("expires")
    if value is None:
        raise BaselineError(f"{where}: expires is missing (YYYY-MM-DD)")
    # YAML turns an unquoted 2025-01-31 into a date already.
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    try:
        if not isinstance(value, str) or len(value) != 10:
            raise ValueError
        return date.fromisoformat(value)
    except ValueError:
        raise BaselineError(f"{where}: expires {value!r} is not a date (YYYY-MM-DD)") from None


def _entry(raw: Any, where: str) -> BaselineEntry:
    if not isinstance(raw, Mapping):
        raise BaselineError(f"{where}: an entry must be a mapping")
    unknown = set(raw) - {"rule", "fingerprint", "owner", "expires", "reason"}
    if unknown:
        raise BaselineError(f"{where}: unknown key(s) {', '.join(sorted(map(str, unknown)))}")
    return BaselineEntry(
        rule=_text(raw, "rule", where),
        fingerprint=_text(raw, "fingerprint", where),
        owner=_text(raw, "owner", where),
        expires=_expiry(raw, where),
        reason=_text(raw, "reason", where, required=False),
    )


def load_baseline(path: str | Path) -> Baseline:
    """Read and check a baseline file; BaselineError (one line) if it is unusable."""
    path = Path(path)
    data = _parse(path)
    if not isinstance(data, Mapping):
        raise BaselineError(f"{path}: a baseline must be a mapping with version and entries")
    if data.get("version") != BASELINE_VERSION:
        raise BaselineError(
            f"{path}: version must be {BASELINE_VERSION}, not {data.get('version')!r}"
        )
    raw_entries = data.get("entries")
    if raw_entries is None:
        raw_entries = []
    if not isinstance(raw_entries, list):
        raise BaselineError(f"{path}: entries must be a list")
    entries: list[BaselineEntry] = []
    seen: set[tuple[str, str]] = set()
    for index, raw in enumerate(raw_entries, start=1):
        rule = raw.get("rule") if isinstance(raw, Mapping) else None
        where = f"{path}: entry {index}" + (f" ({rule})" if isinstance(rule, str) else "")
        entry = _entry(raw, where)
        if (entry.rule, entry.fingerprint) in seen:
            raise BaselineError(
                f"{where}: duplicate of an earlier entry (same rule and fingerprint)"
            )
        seen.add((entry.rule, entry.fingerprint))
        entries.append(entry)
    return Baseline(path=str(path), entries=tuple(entries))


def apply_baseline(result: RunResult, baseline: Baseline, *, today: date) -> None:
    """Mark failures covered by unexpired entries as baselined; record matched/expired/stale.

    An entry expires at the end of its `expires` day. An expired entry fails the
    gate (RunResult.exit_code reads `baseline["expired"]`); the failures it names
    are listed under it, not counted again as new failures.
    """
    matched: list[dict[str, Any]] = []
    expired: list[dict[str, Any]] = []
    stale: list[dict[str, Any]] = []
    for entry in baseline.entries:
        hits = [
            f
            for f in result.findings
            if f.level == "failure" and f.rule == entry.rule and entry.fingerprint in _prints(f)
        ]
        record = entry.to_dict()
        record["findings"] = [f.id for f in hits]
        if entry.expires < today:
            # Reported as the expired entry it is, not as new failures; the gate still
            # fails (RunResult.exit_code reads `expired`).
            for finding in hits:
                finding.baselined = True
            expired.append(record)
        elif hits:
            for finding in hits:
                finding.baselined = True
            matched.append(record)
        else:
            stale.append(record)
    result.baseline = {
        "file": baseline.path,
        "matched": matched,
        "expired": expired,
        "stale": stale,
    }


def _prints(finding: Finding) -> set[str]:
    """A finding's fingerprint and those of the other locations its failures broke.

    One bug can show at several places (a PATCH that nulls every omitted field
    breaks whichever fields the log held); another seed may name it by another
    of them, and the entry must still recognise it.
    """
    return {finding.fingerprint, *(a.get("fingerprint", "") for a in finding.also)}


def _reason(message: Any) -> str:
    lines = str(message or "").strip().splitlines()
    first = lines[0] if lines else ""
    return first if len(first) <= 200 else first[:199] + "…"


def baseline_from_summary(
    summary: Mapping[str, Any], *, owner: str, expires: date
) -> dict[str, Any]:
    """A baseline accepting every failure in a summary.json (already-baselined ones too).

    Findings without a fingerprint cannot be matched and are left out;
    duplicates by (rule, fingerprint) are listed once.
    """
    findings: Iterable[Any] = [*summary.get("failures", []), *summary.get("baselined", [])]
    entries: list[dict[str, Any]] = []
    seen: set[tuple[str, str]] = set()
    for finding in findings:
        if not isinstance(finding, Mapping):
            continue
        rule, fingerprint = finding.get("rule"), finding.get("fingerprint")
        if not (isinstance(rule, str) and rule and isinstance(fingerprint, str) and fingerprint):
            continue
        if (rule, fingerprint) in seen:
            continue
        seen.add((rule, fingerprint))
        entry = BaselineEntry(rule, fingerprint, owner, expires, _reason(finding.get("message")))
        entries.append(entry.to_dict())
    return {"version": BASELINE_VERSION, "entries": entries}

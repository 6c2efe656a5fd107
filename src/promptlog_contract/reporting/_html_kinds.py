"""The bad-value kind axis of report.html's coverage: a family-by-kind matrix.

The `invalid_kind` dimension has a cell per (invalid family, kind of bad
value) pair, a few hundred in all; as a flat list it hides the one that
matters, the pair never sent. As a matrix (a row per family, a column per
kind) a never-sent pair is a hatched square in a row, and a kind that does
not apply to a family is an empty one. Reads the summary's coverage only.
"""

from __future__ import annotations

import html
from collections.abc import Mapping
from typing import Any

#: The coverage dimension drawn as a matrix; its variants are "family:kind".
KIND_DIMENSION = "invalid_kind"


def _esc(value: Any) -> str:
    return html.escape(str(value), quote=True)


def _split(variants: Mapping[str, Any]) -> dict[str, dict[str, Mapping[str, Any]]]:
    rows: dict[str, dict[str, Mapping[str, Any]]] = {}
    for variant, counts in variants.items():
        family, _, kind = str(variant).rpartition(":")
        rows.setdefault(family or "?", {})[kind] = counts if isinstance(counts, Mapping) else {}
    return rows


def _square(family: str, kind: str, counts: Mapping[str, Any] | None) -> str:
    if counts is None:
        return '<td class="na" title="does not apply"></td>'
    sent, observed = counts.get("sent", 0), counts.get("observed", 0)
    if not sent:
        css, text, shown = "never", "never sent", "0"
    elif not observed:
        css, text, shown = "unobserved", f"sent {sent}, never rejected", str(sent)
    else:
        css, text, shown = "observed", f"sent {sent}, rejected {observed}", str(sent)
    return f'<td class="{css}" title="{_esc(family)} × {_esc(kind)}: {text}">{shown}</td>'


def kind_matrix(variants: Mapping[str, Any]) -> str:
    """The matrix of one `invalid_kind` coverage dimension ({"family:kind": counts})."""
    rows = _split(variants)
    kinds: list[str] = []
    for cells in rows.values():
        kinds += [kind for kind in cells if kind not in kinds]
    head = "".join(f'<th scope="col"><span>{_esc(k)}</span></th>' for k in kinds)
    body = "".join(
        f'<tr><th scope="row">{_esc(family)}</th>'
        + "".join(_square(family, kind, cells.get(kind)) for kind in kinds)
        + "</tr>"
        for family, cells in rows.items()
    )
    never = sum(1 for cells in rows.values() for c in cells.values() if not c.get("sent"))
    return (
        f'<p class="muted">{len(variants)} (family, kind) pairs of bad value, {never} never sent '
        "(hatched); an empty square is a kind that does not apply to the family. "
        "The number is how many bodies were sent.</p>"
        f'<div class="kinds-wrap"><table class="kinds"><thead><tr><th></th>{head}</tr></thead>'
        f"<tbody>{body}</tbody></table></div>"
    )

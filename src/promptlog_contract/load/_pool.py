"""Bodies drawn ahead: a seeded pool written to a file before Locust starts.

Hypothesis needs about 2.5 ms of CPU per body; drawn inside a Locust worker
that time would stall every simulated user of the process (gevent runs them
on one thread). So the plain-Python command process draws the pool (cached on
disk per seed, like `run`'s batches), records each body's coverage variants,
and the worker only reads a JSON file.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from promptlog_contract.types import InvalidBody, Label

__all__ = ["Pool", "draw_pool", "read_pool", "write_pool"]


@dataclass(frozen=True)
class Pool:
    """Valid bodies with their catalog variants, and labelled invalid bodies with theirs."""

    valid: list[tuple[dict[str, Any], list[tuple[str, str]]]]
    invalid: list[tuple[InvalidBody, tuple[str, str]]]


def draw_pool(n_valid: int, n_invalid: int, seed: int) -> Pool:
    """Draw the pool with the strategies (the same bodies for the same seed; disk-cached)."""
    from ._engine import drawing

    strategies, stream = drawing()
    valid: list[tuple[dict[str, Any], list[tuple[str, str]]]] = []
    invalid: list[tuple[InvalidBody, tuple[str, str]]] = []
    stream("valid", n_valid, seed, lambda b: valid.append((b, sorted(strategies.variants_of(b)))))
    stream(
        "invalid",
        n_invalid,
        seed + 1,
        lambda c: invalid.append((c, strategies.invalid_variant(c.label))),
    )
    return Pool(valid, invalid)


def write_pool(pool: Pool, path: Path) -> None:
    data = {
        "valid": [{"body": b, "variants": [list(v) for v in vs]} for b, vs in pool.valid],
        "invalid": [
            {"body": c.body, "label": c.label.to_dict(), "variant": list(v)}
            for c, v in pool.invalid
        ],
    }
    path.write_text(json.dumps(data), encoding="utf-8")


def read_pool(path: Path) -> Pool:
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    valid = [
        (item["body"], [(str(d), str(v)) for d, v in item["variants"]]) for item in data["valid"]
    ]
    invalid = []
    for item in data["invalid"]:
        label = item["label"]
        case = InvalidBody(
            item["body"], Label(tuple(label["path"]), label["rule"], label["severity"])
        )
        dim, var = item["variant"]
        invalid.append((case, (str(dim), str(var))))
    return Pool(valid, invalid)

"""A disk cache of drawn bodies: a seeded batch is drawn once per machine, not once per run.

Generating bodies costs more CPU than sending and checking them, and the `ci`
profile draws the same seeded batches every run. A batch is a pure function
of the strategy, its arguments, the count, the seed, the Hypothesis version
and the strategies' source, so it is stored under a hash of exactly those and
replayed on the next run. `PROMPTLOG_CONTRACT_CACHE=off` disables it;
`PROMPTLOG_CONTRACT_CACHE=DIR` moves it (default: `$XDG_CACHE_HOME` or
`~/.cache`, then `promptlog-contract/`).
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

import hypothesis

from promptlog_contract import strategies
from promptlog_contract.types import InvalidBody, Label

from ._drawing import draw_stream

_FORMAT = 1


@cache
def _strategies_source_hash() -> str:
    digest = hashlib.sha256()
    for path in sorted(Path(strategies.__file__).parent.glob("*.py")):
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def cache_dir() -> Path | None:
    setting = os.environ.get("PROMPTLOG_CONTRACT_CACHE", "")
    if setting.lower() in ("off", "0", "no", "false"):
        return None
    if setting:
        return Path(setting)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "promptlog-contract"


def _encode(value: Any) -> Any:
    if isinstance(value, InvalidBody):
        return {"body": value.body, "label": value.label.to_dict()}
    return value


def _decode_invalid(item: Any) -> InvalidBody:
    label = item["label"]
    return InvalidBody(item["body"], Label(tuple(label["path"]), label["rule"], label["severity"]))


def _key(kind: str, args: Any, n: int, seed: int) -> str:
    material = [_FORMAT, kind, args, n, seed, hypothesis.__version__, _strategies_source_hash()]
    return hashlib.sha256(json.dumps(material, sort_keys=True).encode()).hexdigest()[:32]


def stream(
    kind: str, n: int, seed: int, sink: Callable[[Any], None], *, rules: list[str] | None = None
) -> None:
    """Hand n seeded `valid` bodies or `invalid` cases to sink, from the cache when present."""
    strategy: Any = (
        strategies.update_bodies()
        if kind == "valid"
        else strategies.invalid_update_bodies(rules=rules)
    )
    decode: Callable[[Any], Any] = (lambda item: item) if kind == "valid" else _decode_invalid
    directory = cache_dir()
    path = directory / f"{kind}-{_key(kind, rules, n, seed)}.json" if directory else None
    if path is not None:
        try:
            items = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            items = None
        if isinstance(items, list) and len(items) == n:
            for item in items:
                sink(decode(item))
            return
    drawn: list[Any] = []

    def tee(value: Any) -> None:
        drawn.append(_encode(value))
        sink(value)

    draw_stream(strategy, n, seed, tee)
    if path is not None and len(drawn) == n:
        _write(path, drawn)


def _write(path: Path, items: list[Any]) -> None:
    """Atomic write; a cache that cannot be written is simply not used."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(items, handle)
        os.replace(tmp, path)
    except (OSError, TypeError, ValueError):
        pass

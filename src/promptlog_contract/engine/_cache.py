"""A disk cache of drawn bodies: a seeded batch is drawn once per machine, not once per run.

Generating bodies costs more CPU than sending and checking them, and the `ci`
profile draws the same seeded batches every run. A batch is a pure function
of the strategy, its arguments, the count, the seed, the Hypothesis version,
the Unicode and Python versions and the strategies' source (engine draws do
not use Hypothesis's local constants, see `_drawing`), so it is stored under a
hash of exactly those and replayed on the next run. Batches drawn from a fresh
random seed (`persist=False`) are never read again, so they are not written.

The directory is capped at `PROMPTLOG_CONTRACT_CACHE_MAX_MB` (default 64 MiB),
oldest files out first. `PROMPTLOG_CONTRACT_CACHE=off` disables it,
`PROMPTLOG_CONTRACT_CACHE=DIR` moves it (default: `$XDG_CACHE_HOME` or
`~/.cache`, then `promptlog-contract/`); `clear()` empties it.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import sys
import tempfile
import unicodedata
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

import hypothesis

from promptlog_contract import strategies
from promptlog_contract.types import InvalidBody, Label

from ._drawing import CHUNK, cache_dir, draw_stream

__all__ = [
    "cache_dir",
    "cached_json",
    "clear",
    "decoder",
    "drawn_json",
    "encode",
    "max_bytes",
    "remember",
    "stream",
]

_FORMAT = 2
_DEFAULT_MAX_MB = 64
# Bytes this process believes each cache directory holds: rescanning the
# directory on every write would cost about 30 ms per 1,000 files.
_estimates: dict[Path, int] = {}


@cache
def _strategies_source_hash() -> str:
    digest = hashlib.sha256()
    for path in sorted(Path(strategies.__file__).parent.glob("*.py")):
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def max_bytes() -> int:
    """The cap on the cache directory: `PROMPTLOG_CONTRACT_CACHE_MAX_MB` MiB (default 64)."""
    setting = os.environ.get("PROMPTLOG_CONTRACT_CACHE_MAX_MB", "")
    try:
        megabytes = float(setting) if setting else _DEFAULT_MAX_MB
    except ValueError:
        megabytes = _DEFAULT_MAX_MB
    return max(0, int(megabytes * 1024 * 1024))


def clear() -> None:
    """Delete the cache directory and everything in it (a no-op when the cache is off)."""
    directory = cache_dir()
    if directory is not None:
        shutil.rmtree(directory, ignore_errors=True)
        _estimates.pop(directory, None)


def encode(value: Any) -> Any:
    if isinstance(value, InvalidBody):
        return {"body": value.body, "label": value.label.to_dict()}
    return value


def _decode_invalid(item: Any) -> InvalidBody:
    label = item["label"]
    return InvalidBody(item["body"], Label(tuple(label["path"]), label["rule"], label["severity"]))


def _key(kind: str, args: Any, n: int, seed: int) -> str:
    material = [
        _FORMAT,
        kind,
        args,
        n,
        seed,
        CHUNK,
        hypothesis.__version__,
        unicodedata.unidata_version,
        list(sys.version_info[:2]),
        _strategies_source_hash(),
    ]
    return hashlib.sha256(json.dumps(material, sort_keys=True).encode()).hexdigest()[:32]


def _path(
    kind: str, n: int, seed: int, rules: list[str] | None, fields: list[str] | None
) -> Path | None:
    directory = cache_dir()
    # Aimed valid batches (fields=...) key on their fields; the others keep their old keys.
    args: Any = {"fields": fields} if fields is not None else rules
    return directory / f"{kind}-{_key(kind, args, n, seed)}.json" if directory else None


def _read(path: Path | None, n: int) -> list[Any] | None:
    if path is None:
        return None
    try:
        items = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(items, list) or len(items) != n:
        return None
    with contextlib.suppress(OSError):
        os.utime(path)  # recently used: evicted last
    return items


def decoder(kind: str) -> Callable[[list[Any]], list[Any]]:
    """Turns a batch read as JSON back into bodies (`valid`) or InvalidBody cases."""
    if kind == "valid":
        return lambda items: items
    return lambda items: [_decode_invalid(item) for item in items]


def cached_json(
    kind: str,
    n: int,
    seed: int,
    *,
    rules: list[str] | None = None,
    fields: list[str] | None = None,
) -> str | None:
    """The cached batch as JSON text, or None when it is not cached."""
    items = _read(_path(kind, n, seed, rules, fields), n)
    return None if items is None else json.dumps(items)


def drawn_json(
    kind: str,
    n: int,
    seed: int,
    rules: list[str] | None = None,
    fields: list[str] | None = None,
    persist: bool = True,
) -> str:
    """`stream`'s batch as JSON text (what a drawing process hands back)."""
    items: list[Any] = []
    stream(kind, n, seed, items.append, rules=rules, fields=fields, persist=persist)
    return json.dumps([encode(item) for item in items])


def stream(
    kind: str,
    n: int,
    seed: int,
    sink: Callable[[Any], None],
    *,
    rules: list[str] | None = None,
    fields: list[str] | None = None,
    persist: bool = True,
) -> None:
    """Hand n seeded `valid` bodies or `invalid` cases to sink, from the cache when present.

    `fields` (valid only) aims the batch: bodies of at least one of those
    fields. `persist=False` is for batches drawn from a fresh random seed
    (`fuzz`): they are drawn live and neither looked up nor written.
    """
    strategy: Any = (
        strategies.update_bodies(fields=fields, min_fields=1 if fields else 0)
        if kind == "valid"
        else strategies.invalid_update_bodies(rules=rules)
    )
    path = _path(kind, n, seed, rules, fields) if persist else None
    items = _read(path, n)
    if items is not None:
        for value in decoder(kind)(items):
            sink(value)
        return
    if path is None:
        draw_stream(strategy, n, seed, sink)
        return
    drawn: list[Any] = []

    def tee(value: Any) -> None:
        drawn.append(encode(value))
        sink(value)

    draw_stream(strategy, n, seed, tee)
    if len(drawn) == n:
        _account(path.parent, _write(path, drawn), max_bytes())


def _remembered(name: str, material: Any) -> Path | None:
    directory = cache_dir()
    return directory / f"{name}-{_key(name, material, 0, 0)}.json" if directory else None


def has(name: str, material: Any) -> bool:
    """Whether `remember(name, material, ...)` would read the cache."""
    path = _remembered(name, material)
    return path is not None and path.exists()


def remember(name: str, material: Any, compute: Callable[[], Any]) -> Any:
    """`compute()` (a JSON value), cached under `name` and a hash of `material` (and versions)."""
    path = _remembered(name, material)
    if path is not None:
        with contextlib.suppress(OSError, ValueError):
            found = json.loads(path.read_text(encoding="utf-8"))
            with contextlib.suppress(OSError):
                os.utime(path)
            return found
    value = compute()
    if path is not None:
        _account(path.parent, _write(path, value), max_bytes())
    return value


def _write(path: Path, items: list[Any]) -> int:
    """Atomic write, returning the bytes written; a cache that cannot be written is not used."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(items, handle)
        os.replace(tmp, path)
        return path.stat().st_size
    except (OSError, TypeError, ValueError):
        return 0


def _account(directory: Path, added: int, cap: int) -> None:
    """Count `added` bytes; evict (and recount) once the estimate passes the cap."""
    known = _estimates.get(directory)
    if known is None or known + added > cap:
        _estimates[directory] = _evict(directory, cap)
    else:
        _estimates[directory] = known + added


def _files(directory: Path) -> list[tuple[float, int, str]]:
    found: list[tuple[float, int, str]] = []
    with contextlib.suppress(OSError), os.scandir(directory) as entries:
        for entry in entries:
            with contextlib.suppress(OSError):
                if entry.is_dir(follow_symlinks=False):
                    found.extend(_files(Path(entry.path)))
                elif entry.is_file(follow_symlinks=False):
                    info = entry.stat(follow_symlinks=False)
                    found.append((info.st_mtime, info.st_size, entry.path))
    return found


def _evict(directory: Path, cap: int) -> int:
    """Delete the least recently used files until at most `cap` bytes remain; return the total."""
    files = _files(directory)
    total = sum(size for _, size, _ in files)
    for _, size, path in sorted(files):
        if total <= cap:
            break
        with contextlib.suppress(OSError):
            os.unlink(path)
            total -= size
    return total

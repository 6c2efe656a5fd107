"""Drive Hypothesis outside a test: draw a seeded batch, and shrink one failure.

Generation and sending are decoupled so that bodies can be sent by several
workers; shrinking re-runs the same seeded search with a predicate that sends
requests, so Hypothesis minimises the body against the live target.

Every engine draw runs inside `_engine_hypothesis()`, which makes a draw a
function of the seed alone and keeps Hypothesis's files out of the user's
directory: its storage (the Unicode charmap, the constants cache) goes to the
suite's cache directory, and its "local constants" (literals it collects from
every imported non-library module and mixes into generation, so the same seed
drew different bodies in different processes and installs) are switched off.
It also writes the UTF-8 codec table Hypothesis would otherwise build by
encoding all 1.1M code points (+200 MiB, 1.3 s of CPU in every cold process):
Schemathesis draws its strings with `codec="utf-8"`, and that table is known.
"""

from __future__ import annotations

import atexit
import contextlib
import gzip
import hashlib
import json
import os
import shutil
import tempfile
import threading
import unicodedata
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

from hypothesis import HealthCheck, Phase, Verbosity, given, seed, settings
from hypothesis import strategies as st
from hypothesis.configuration import set_hypothesis_home_dir, storage_directory
from hypothesis.internal.conjecture import providers
from hypothesis.internal.constants_ast import Constants

T = TypeVar("T")

#: Examples per Hypothesis run: memory grows by about 20 KiB per example
#: within one run, so a large batch is drawn as several bounded runs.
CHUNK = 200

_QUIET = {
    "database": None,
    "deadline": None,
    "suppress_health_check": list(HealthCheck),
    "verbosity": Verbosity.quiet,
    "derandomize": False,
    "print_blob": False,
    "backend": "hypothesis",
}


def cache_dir() -> Path | None:
    """Where the suite caches (bodies, Hypothesis's own files); None when switched off.

    `PROMPTLOG_CONTRACT_CACHE=off` switches it off, `PROMPTLOG_CONTRACT_CACHE=DIR`
    moves it; the default is `$XDG_CACHE_HOME` or `~/.cache`, then `promptlog-contract/`.
    """
    setting = os.environ.get("PROMPTLOG_CONTRACT_CACHE", "")
    if setting.lower() in ("off", "0", "no", "false"):
        return None
    if setting:
        return Path(setting)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "promptlog-contract"


_lock = threading.Lock()
_depth = 0
_saved: tuple[Path, Any, Any] | None = None
_scratch: list[str] = []


def _no_local_constants() -> Constants:
    return Constants()


def _hypothesis_home() -> Path:
    directory = cache_dir()
    if directory is not None:
        return directory / "hypothesis"
    if not _scratch:  # cache off: a private directory removed at exit
        _scratch.append(tempfile.mkdtemp(prefix="promptlog-contract-"))
        atexit.register(shutil.rmtree, _scratch[0], True)
    return Path(_scratch[0])


# What hypothesis.internal.charmap.intervals_from_codec("utf-8") computes and
# stores (file name and format of Hypothesis 6.1xx): every code point but the
# surrogates, all of which round-trip.
_UTF8_CODEC_TABLE = [[[0, 0xD7FF], [0xE000, 0x10FFFF]], []]


def _seed_codec_table(home: Path) -> None:
    path = home / "unicode_data" / unicodedata.unidata_version / "codec-v2-utf-8.json.gz"
    if path.exists():
        return
    with contextlib.suppress(OSError):  # unwritable: Hypothesis builds it as before
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
        with os.fdopen(fd, "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=1) as out:
            out.write(json.dumps(_UTF8_CODEC_TABLE).encode())
        os.replace(tmp, path)


@contextlib.contextmanager
def _engine_hypothesis() -> Iterator[None]:
    """Within: Hypothesis stores under the cache and draws without local constants.

    Re-entrant and shared between threads (the drawing thread and the
    Schemathesis phase may overlap); the last one out restores both, so a
    user's own Hypothesis tests in the same process are unaffected.
    """
    global _depth, _saved
    with _lock:
        if _depth == 0:
            previous = storage_directory(intent_to_write=False).home_directory
            # Private names of Hypothesis 6.1xx: if a release renames them the
            # draws still work, only no longer independent of local modules.
            getter = getattr(providers, "_get_local_constants", None)
            pools = getattr(providers, "CONSTANTS_CACHE", None)
            _saved = (previous, getter, pools)
            home = _hypothesis_home()
            set_hypothesis_home_dir(home)
            _seed_codec_table(home)
            if getter is not None and pools is not None:
                providers._get_local_constants = _no_local_constants
                # Its pools were filled with local constants; a fresh one is not.
                providers.CONSTANTS_CACHE = type(pools)(1024)
        _depth += 1
    try:
        yield
    finally:
        with _lock:
            _depth -= 1
            if _depth == 0 and _saved is not None:
                set_hypothesis_home_dir(_saved[0])
                if _saved[1] is not None and _saved[2] is not None:
                    providers._get_local_constants = _saved[1]
                    providers.CONSTANTS_CACHE = _saved[2]
                _saved = None


class _Reproduced(Exception):
    """Raised inside a shrink run to tell Hypothesis the example is interesting."""


def chunk_seed(seed_value: int, index: int) -> int:
    """The seed of chunk `index` of a batch: the batch's own seed for the first."""
    if index == 0:
        return seed_value
    digest = hashlib.sha256(f"{seed_value}:{index}".encode()).digest()
    return int.from_bytes(digest[:8], "big")


def draw_stream(
    strategy: st.SearchStrategy[T], n: int, seed_value: int, sink: Callable[[T], None]
) -> None:
    """Hand n examples of `strategy` to `sink` as they are drawn (same ones for the same seed).

    Streaming lets the runner send a body while the next is generated; an
    exception raised by `sink` stops the drawing and propagates. Batches over
    CHUNK examples are drawn as several Hypothesis runs, seeded by chunk_seed.
    """
    with _engine_hypothesis():
        for index, start in enumerate(range(0, max(n, 0), CHUNK)):
            _draw_run(strategy, min(CHUNK, n - start), chunk_seed(seed_value, index), sink)


def _draw_run(
    strategy: st.SearchStrategy[T], n: int, seed_value: int, sink: Callable[[T], None]
) -> None:
    count = 0

    @settings(max_examples=n, phases=[Phase.generate], **_QUIET)  # type: ignore[arg-type]
    @seed(seed_value)
    @given(strategy)
    def collect(value: T) -> None:
        nonlocal count
        if count < n:
            count += 1
            sink(value)

    collect()


def draw_batch(strategy: st.SearchStrategy[T], n: int, seed_value: int) -> list[T]:
    """n examples of `strategy`, the same list for the same seed (no shrinking, no database)."""
    drawn: list[T] = []
    draw_stream(strategy, n, seed_value, drawn.append)
    return drawn


def shrink(
    strategy: st.SearchStrategy[T],
    seed_value: int,
    fails: Callable[[T], bool],
    *,
    max_examples: int,
    max_calls: int,
    size: Callable[[Any], int],
) -> T | None:
    """The smallest example that `fails`, searched and shrunk by Hypothesis within max_calls."""
    best: list[T] = []
    calls = 0

    @settings(
        max_examples=max_examples,
        phases=[Phase.generate, Phase.shrink],
        report_multiple_bugs=False,
        **_QUIET,  # type: ignore[arg-type]
    )
    @seed(seed_value)
    @given(strategy)
    def search(value: T) -> None:
        nonlocal calls
        if calls >= max_calls:
            return
        calls += 1
        if fails(value):
            if not best or size(value) < size(best[0]):
                best[:] = [value]
            raise _Reproduced

    with _engine_hypothesis(), contextlib.suppress(Exception):
        search()
    return best[0] if best else None

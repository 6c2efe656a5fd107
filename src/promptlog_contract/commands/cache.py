"""`cache`: where the body cache is, how big, and a way to clear it.

Drawn bodies and Hypothesis's own files live in one directory outside the
working tree (see `engine._cache`); users need to see it and empty it without
knowing where it is or reaching into a private module.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path
from typing import Any

from promptlog_contract.engine import _cache
from promptlog_contract.errors import EXIT_OK, EXIT_USAGE, UsageError

from ._help import exit_codes

#: The names the cache writes at its top level: anything else means the directory is not ours.
_OURS = re.compile(r"[a-z]+-[0-9a-f]+\.json|.*\.tmp|hypothesis")


def _usage(path: Path) -> tuple[int, int]:
    """(files, bytes) under `path`."""
    files = size = 0
    for entry in path.rglob("*"):
        try:
            if entry.is_file() and not entry.is_symlink():
                files += 1
                size += entry.stat().st_size
        except OSError:
            continue
    return files, size


def _mib(size: int) -> str:
    return f"{size / 1024 / 1024:.1f} MiB"


def add_parser(sub: argparse._SubParsersAction[Any]) -> None:
    p = sub.add_parser(
        "cache",
        help="show or clear the cache of drawn bodies",
        description="The suite caches drawn bodies (and Hypothesis's Unicode tables) in one "
        "directory: $XDG_CACHE_HOME or ~/.cache, then promptlog-contract/. "
        "PROMPTLOG_CONTRACT_CACHE=DIR moves it, PROMPTLOG_CONTRACT_CACHE=off disables it, "
        "PROMPTLOG_CONTRACT_CACHE_MAX_MB caps it (least recently used files out first). "
        "Without an option, --info.",
        epilog=exit_codes(((EXIT_OK, "shown or cleared"), (EXIT_USAGE, "usage error"))),
    )
    action = p.add_mutually_exclusive_group()
    action.add_argument(
        "--info", action="store_true", help="print the directory, its size and its cap"
    )
    action.add_argument(
        "--clear", action="store_true", help="delete the cache; the next run rebuilds it"
    )
    p.set_defaults(func=_cmd)


def _cmd(args: argparse.Namespace) -> int:
    directory = _cache.cache_dir()
    if directory is None:
        print("cache: off (PROMPTLOG_CONTRACT_CACHE=off): nothing stored")
        return EXIT_OK
    if not directory.is_dir():
        if directory.exists():
            raise UsageError(f"the cache path {directory} is not a directory")
        print(f"cache: {directory}: empty (cap {_mib(_cache.max_bytes())})")
        return EXIT_OK
    if args.clear:
        foreign = sorted(e.name for e in directory.iterdir() if not _OURS.fullmatch(e.name))
        if foreign:
            raise UsageError(
                f"{directory} holds files the cache did not write ({', '.join(foreign[:3])}); "
                "not clearing it (check PROMPTLOG_CONTRACT_CACHE)"
            )
        files, size = _usage(directory)
        _cache.clear()
        if directory.exists():
            print(f"cache: could not delete all of {directory}", file=sys.stderr)
            return EXIT_USAGE
        print(f"cache: cleared {directory} ({files} files, {_mib(size)})")
        return EXIT_OK
    files, size = _usage(directory)
    print(
        f"cache: {directory}: {files} files, {_mib(size)} of {_mib(_cache.max_bytes())} "
        "(PROMPTLOG_CONTRACT_CACHE_MAX_MB)"
    )
    return EXIT_OK

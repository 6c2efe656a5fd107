"""User errors and exit codes: a leaf, so every layer can raise them without importing the CLI.

Exit codes (README documents them): 0 the target conforms; 1 contract
violations; 2 usage or configuration error (one line, no traceback); 3 target
unreachable or unhealthy.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from urllib.parse import urlsplit

EXIT_OK, EXIT_VIOLATIONS, EXIT_USAGE, EXIT_UNHEALTHY = 0, 1, 2, 3


class UsageError(Exception):
    """A user error: one line on stderr, exit 2."""


class ConfigurationError(Exception):
    """The run cannot start because of how it was configured (exit 2)."""


def check_url(url: str) -> str:
    """`url` without its trailing slash, or a UsageError if it is not an http(s) URL with a host."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise UsageError(f"--base-url must be an http(s) URL with a host, not {url!r}")
    return url.rstrip("/")


def check_report_dir(path: Path) -> Path:
    """`path`, created if missing, or a UsageError if reports cannot be written there.

    Called before anything is sent: a run that can only fail at the end,
    after minutes against a shared target, should not start.
    """
    if path.exists() and not path.is_dir():
        raise UsageError(f"--report-dir {path} is a file, not a directory")
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UsageError(f"--report-dir {path} cannot be created: {exc.strerror or exc}") from None
    try:
        with tempfile.TemporaryFile(dir=path):
            pass
    except OSError as exc:
        raise UsageError(f"--report-dir {path} is not writable: {exc.strerror or exc}") from None
    return path

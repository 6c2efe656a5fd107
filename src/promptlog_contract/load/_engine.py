"""The one door from the load job into the engine's private helpers.

The engine is being reorganised (runner.py and cli.py are split into
packages); every engine name the load job uses is imported here and nowhere
else in `load/`, so re-pointing the imports after that move is a one-file
change.
"""

from __future__ import annotations

from collections.abc import Callable
from types import ModuleType

from promptlog_contract._console import print_verdict
from promptlog_contract._http import scrub
from promptlog_contract._recorder import Recorder, is_json_dict
from promptlog_contract.cli import (
    EXIT_UNHEALTHY,
    UsageError,
    check_url,
    parse_duration,
    parse_rate,
    positive_int,
)


def drawing() -> tuple[ModuleType, Callable[..., None]]:
    """The strategies package and the disk-cached seeded drawer, imported on first use.

    Lazily, because Hypothesis is heavy and the Locust workers never draw.
    """
    import strategies
    from promptlog_contract._cache import stream

    return strategies, stream


__all__ = [
    "EXIT_UNHEALTHY",
    "Recorder",
    "UsageError",
    "check_url",
    "drawing",
    "is_json_dict",
    "parse_duration",
    "parse_rate",
    "positive_int",
    "print_verdict",
    "scrub",
]

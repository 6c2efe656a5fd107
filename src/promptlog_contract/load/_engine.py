"""The one door from the load job into the engine's private helpers.

Every engine name the load job uses is imported here and nowhere else in
`load/`, so a change of the engine's layout is a one-file change here.
"""

from __future__ import annotations

from collections.abc import Callable
from types import ModuleType

from promptlog_contract._secrets import scrub
from promptlog_contract.commands._console import print_verdict
from promptlog_contract.commands.run import parse_duration, parse_rate, positive_int
from promptlog_contract.engine._recorder import Recorder, is_json_dict
from promptlog_contract.errors import EXIT_UNHEALTHY, UsageError, check_report_dir, check_url


def drawing() -> tuple[ModuleType, Callable[..., None]]:
    """The strategies package and the disk-cached seeded drawer, imported on first use.

    Lazily, because Hypothesis is heavy and the Locust workers never draw.
    """
    from promptlog_contract import strategies
    from promptlog_contract.engine._cache import stream

    return strategies, stream


__all__ = [
    "EXIT_UNHEALTHY",
    "Recorder",
    "UsageError",
    "check_report_dir",
    "check_url",
    "drawing",
    "is_json_dict",
    "parse_duration",
    "parse_rate",
    "positive_int",
    "print_verdict",
    "scrub",
]

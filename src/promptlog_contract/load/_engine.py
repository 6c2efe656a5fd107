"""The one door from the load job into the engine's private helpers.

The engine is being reorganised (runner.py and cli.py are split into
packages); every engine name the load job uses is imported here and nowhere
else in `load/`, so re-pointing the imports after that move is a one-file
change.
"""

from __future__ import annotations

from promptlog_contract._http import curl_command, scrub
from promptlog_contract._recorder import Recorder, fingerprint, is_json_dict
from promptlog_contract.cli import (
    EXIT_UNHEALTHY,
    EXIT_USAGE,
    UsageError,
    check_url,
    parse_duration,
    parse_rate,
    positive_int,
)

__all__ = [
    "EXIT_UNHEALTHY",
    "EXIT_USAGE",
    "Recorder",
    "UsageError",
    "check_url",
    "curl_command",
    "fingerprint",
    "is_json_dict",
    "parse_duration",
    "parse_rate",
    "positive_int",
    "scrub",
]

"""The subcommands, one module each with its own `add_parser`; `cli.py` only assembles them.

Each module turns parsed arguments into a call of the engine (or the mock, or
the report writers) and an exit code from `errors`; none imports the CLI, so
the command layer has no circle.
"""

from __future__ import annotations

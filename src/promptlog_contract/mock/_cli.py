"""The `mock` subcommand: start the mock server from the command line.

Kept apart from the suite's own CLI so `cli.py` can wire it in with one call
(`add_parser`) and so the mock stays usable without the rest of the suite.
"""

from __future__ import annotations

import argparse
import secrets
import sys

from ._faults import FAULTS


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an integer: {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1: {value}")
    return value


def _port(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a port number: {text!r}") from None
    if not 0 <= value <= 65535:
        raise argparse.ArgumentTypeError(f"a port is 0 to 65535, not {value}")
    return value


def add_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register `mock [--host] [--port] [--api-key KEY ...] [--fault NAME ...] ...`."""
    parser = subparsers.add_parser(
        "mock",
        help="run the bundled mock of the Update Prompt Log endpoint",
        description=(
            "Serve an in-memory, production-like mock of Humanloop's v5 log endpoints "
            "(POST /prompts/log, PATCH /prompts/{id}/log/{log_id}, GET /logs/{id}, "
            "DELETE /logs), optionally with seeded faults. Ctrl-C stops it."
        ),
        epilog=(
            "exit codes:\n"
            "  0   stopped cleanly (Ctrl-C), or --list-faults\n"
            "  1   cannot listen on the address (e.g. the port is taken)\n"
            "  2   usage error (a bad port, an unknown fault)"
        ),
    )
    parser.add_argument(
        "--host", default="127.0.0.1", help="address to listen on (default: %(default)s)"
    )
    parser.add_argument(
        "--port",
        type=_port,
        default=8000,
        help="port, 0 for any free one (default: %(default)s)",
    )
    parser.add_argument(
        "--api-key",
        dest="api_keys",
        action="append",
        metavar="KEY",
        help="accepted X-API-KEY (repeatable; default: a random key, printed at startup)",
    )
    parser.add_argument(
        "--fault",
        dest="faults",
        action="append",
        default=[],
        metavar="NAME",
        help="switch on a seeded fault (repeatable; see --list-faults)",
    )
    parser.add_argument("--list-faults", action="store_true", help="print the fault names and exit")
    parser.add_argument(
        "--max-body-bytes",
        type=_positive_int,
        default=1_048_576,
        metavar="N",
        help="larger request bodies get 413 (default: %(default)s)",
    )
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Handle `mock`: 0 after a clean stop, 2 for a bad fault name, 1 if it cannot listen."""
    if args.list_faults:
        width = max(map(len, FAULTS))
        for name, doc in FAULTS.items():
            print(f"{name:<{width}}  {doc}")
        return 0
    unknown = [name for name in args.faults if name not in FAULTS]
    if unknown:
        print(
            f"error: unknown fault {', '.join(unknown)} (see `mock --list-faults`)",
            file=sys.stderr,
        )
        return 2
    keys = args.api_keys or [secrets.token_urlsafe(24)]
    try:
        from ._server import serve  # FastAPI only when serving

        serve(
            host=args.host,
            port=args.port,
            api_keys=keys,
            faults=args.faults,
            max_body_bytes=args.max_body_bytes,
        )
    except OSError as exc:
        print(
            f"error: cannot listen on {args.host}:{args.port}: {exc.strerror or exc}",
            file=sys.stderr,
        )
        return 1
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return 0

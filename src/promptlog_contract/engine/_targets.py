"""Which server a run talks to: the user's target, or the bundled mock on a free loopback port.

`run` and `diff` both fall back to the mock when no URL is given; the choice,
and the fault names it accepts, are made here once.
"""

from __future__ import annotations

import contextlib
import secrets
from collections.abc import Iterator

from promptlog_contract.errors import ConfigurationError, check_url


@contextlib.contextmanager
def endpoint(
    base_url: str | None, api_key: str | None, faults: tuple[str, ...] = ()
) -> Iterator[tuple[str, str]]:
    """Yield (base URL, API key): the user's target, or a bundled mock seeded with `faults`."""
    if base_url:
        if not api_key:
            raise ConfigurationError(
                f"an API key is needed for {base_url} (--api-key or HUMANLOOP_API_KEY)"
            )
        yield check_url(base_url), api_key
        return
    # Imported here: the mock pulls in FastAPI (about 1 s of CPU), which a run
    # against the user's target never needs.
    from promptlog_contract.mock import FAULTS, running_mock

    unknown = [f for f in faults if f not in FAULTS]
    if unknown:
        raise ConfigurationError(
            f"unknown mock fault(s): {', '.join(unknown)} "
            "(see `promptlog-contract mock --list-faults`)"
        )
    key = api_key or "mock-" + secrets.token_urlsafe(16)
    with running_mock(api_keys=(key,), faults=faults) as url:
        yield url, key

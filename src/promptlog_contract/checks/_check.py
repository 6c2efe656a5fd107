"""The `Check` record and the `@check` decorator that makes one from a rule function.

Kept apart from the registry so that the rule modules can use the decorator
while the registry imports the rule modules: imports go one way.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import get_args

from promptlog_contract.types import Context, Exchange, ExchangeKind

CheckFunc = Callable[[Exchange, Context], None]

ALL_KINDS: frozenset[ExchangeKind] = frozenset(get_args(ExchangeKind))
#: Exchanges that read a log back with GET /logs/{id}.
GET_KINDS: frozenset[ExchangeKind] = frozenset({"get", "concurrent_get", "sibling_get"})
#: Exchanges that are a PATCH of the endpoint under test.
PATCH_KINDS: frozenset[ExchangeKind] = ALL_KINDS - GET_KINDS
#: Exchanges whose 200 answer is the log: every PATCH, and every GET that reads one back.
LOG_KINDS: frozenset[ExchangeKind] = PATCH_KINDS | GET_KINDS
#: Exchanges sent without a valid API key: each must be refused.
AUTH_KINDS: frozenset[ExchangeKind] = frozenset({"auth_missing", "auth_wrong", "auth_near_miss"})


@dataclass(frozen=True)
class Check:
    """One rule: its id (the function name), its function, where it applies, what it says."""

    name: str
    func: CheckFunc
    kinds: frozenset[ExchangeKind]
    doc: str

    def __call__(self, exchange: Exchange, ctx: Context) -> None:
        self.func(exchange, ctx)


def check(*, kinds: Iterable[ExchangeKind]) -> Callable[[CheckFunc], Check]:
    """Turn a rule function into a `Check` that applies to the given exchange kinds."""
    wanted = frozenset(kinds)
    unknown = wanted - ALL_KINDS
    if unknown or not wanted:
        raise ValueError(f"bad exchange kinds for a check: {sorted(unknown) or 'none'}")

    def register(func: CheckFunc) -> Check:
        lines = (func.__doc__ or "").strip().splitlines()
        if not lines:
            raise ValueError(f"check {func.__name__} has no docstring stating its rule")
        return Check(name=func.__name__, func=func, kinds=wanted, doc=lines[0].strip())

    return register

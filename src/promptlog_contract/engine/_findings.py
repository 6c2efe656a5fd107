"""One bug, one finding: root-cause signatures, and the grouping of failures by signature.

Eleven requests that trip the same server bug are one thing to fix, not eleven.
Each failure gets a signature made of what caused it rather than of the body
that showed it (rule, violation class, the location that broke with list
indices and free-form map keys generalised, status class, union member, kind
of request), so the same bug found through another seed keeps its signature
and two different bugs never share one. Failures with the same signature are
one finding with an occurrence count and a few examples. A failure that broke
several locations at once (a PATCH that nulled every omitted field) joins the
finding of the location most failures share; the other locations stay on the
finding as alternative fingerprints, so a baseline written from another seed
still recognises it.
"""

from __future__ import annotations

import hashlib
import itertools
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from promptlog_contract import contract, strategies
from promptlog_contract.types import Exchange, Violation

#: Rules that judge what a PATCH did to the stored log: their findings are sequences.
STATEFUL_RULES = frozenset(
    {
        "patched_fields_applied",
        "omitted_fields_unchanged",
        "repeat_is_stable",
        "get_agrees_with_patch",
        "concurrent_patches_merge",
        "other_logs_untouched",
    }
)
#: Rules about the response's form alone: the request that led there is not part of the bug.
_RESPONSE_RULES = frozenset(
    {
        "content_type_json",
        "response_matches_union",
        "prompt_log_returned",
        "validation_error_shape",
        "no_secret_echoed",
    }
)
#: Rules about an invalid body: the broken slot the label names is the location.
_LABEL_RULES = frozenset({"invalid_body_rejected", "validation_error_locates_field"})
#: The free-form maps of the request (checks/_compare.py): their keys are data, not places.
_FREE_FORM = frozenset({"inputs", "metadata", "provider_request", "provider_response"})
_BODY_KINDS = {"valid": "body", "invalid": "body", "open": "body", "repeat": "body"}
_DEPTH = 2
_EXAMPLES = 3


def generalise(path: str) -> str:
    """'messages/3/content/1/text' -> 'messages/*': indices and map keys become '*', depth 2."""
    parts = path.split("/")
    out: list[str] = []
    for index, part in enumerate(parts):
        free = index > 0 and parts[0] in _FREE_FORM
        out.append("*" if part.isdigit() or free else part)
    return "/".join(out[:_DEPTH])


def status_class(status: int) -> str:
    return f"{status // 100}xx"


def locations(rule: str, violation: Violation, exchange: Exchange) -> tuple[str, ...]:
    """Every generalised location the failure broke, most telling first; ('',) if none."""
    if rule in _LABEL_RULES and exchange.label is not None:
        # The catalog family ('message.role.enum') names the broken rule wherever in
        # the body a seed happened to break it (output_message or messages[3]).
        return (strategies.invalid_variant(exchange.label)[1],)
    found: list[str] = []
    for path in violation.paths:
        found += [generalise(path), *_container(path)]
    if rule == "valid_body_accepted":
        found += _rejected_at(exchange.response.body)
    if rule in ("status_code_documented", "not_a_server_error"):
        found.append(str(exchange.response.status))
    return tuple(dict.fromkeys(found)) or ("",)


def _container(path: str) -> list[str]:
    """'*/thinking/*' for 'messages/2/thinking/0/type': the innermost list, wherever it sits.

    The same list broken under `messages` or under `output_message` (a seed's
    choice) is one bug; this shared location lets the grouping see that.
    """
    parts = path.split("/")
    named = [p for p, nxt in itertools.pairwise(parts) if nxt.isdigit()]
    return [f"*/{named[-1]}/*"] if named else []


def _rejected_at(body: Any) -> list[str]:
    """Why and where a server rejected a valid body: its 422 error types and field names."""
    detail = body.get("detail") if isinstance(body, dict) else None
    out: list[str] = []
    for item in detail if isinstance(detail, list) else []:
        if not isinstance(item, dict):
            continue
        if isinstance(item.get("type"), str):
            out.append(f"type:{item['type']}")
        loc = item.get("loc")
        names = (
            [p for p in loc if isinstance(p, str) and p != "body"] if isinstance(loc, list) else []
        )
        if names:
            out.append(f"at:{names[-1]}")
    return out


def base_signature(rule: str, violation: Violation, exchange: Exchange) -> dict[str, str]:
    """The signature without its location: what the grouping starts from."""
    response = exchange.response
    member = contract.member_of(response.body) if response.status == 200 else None
    parts = {
        "rule": rule,
        "violation": type(violation).__name__,
        "status": status_class(response.status),
        "member": member or "",
    }
    if rule not in _RESPONSE_RULES:
        parts["kind"] = _BODY_KINDS.get(exchange.kind, exchange.kind)
    return parts


def fingerprint_of(signature: dict[str, str]) -> str:
    text = "|".join(f"{k}={signature[k]}" for k in sorted(signature))
    return hashlib.sha256(text.encode()).hexdigest()[:16]


@dataclass
class Example:
    """One kept failure: the exchange, its violation, and how to re-judge a re-sent one."""

    exchange: Exchange
    violation: Violation
    rejudge: Callable[[Exchange], bool] | None = None


@dataclass
class _Bucket:
    base: dict[str, str]
    locations: tuple[str, ...]
    order: int
    count: int = 0
    examples: list[Example] = field(default_factory=list)


@dataclass
class Group:
    """One distinct finding before it is written: signature, count, kept examples."""

    signature: dict[str, str]
    fingerprint: str
    also: list[dict[str, str]]
    occurrences: int
    examples: list[Example]
    order: int


class Collector:
    """Thread-safe: counts every failure under its signature, keeps a few examples of each."""

    def __init__(self) -> None:
        self._buckets: dict[tuple[str, ...], _Bucket] = {}
        self._lock = threading.Lock()

    def add(
        self,
        rule: str,
        violation: Violation,
        exchange: Exchange,
        rejudge: Callable[[Exchange], bool] | None = None,
    ) -> None:
        base = base_signature(rule, violation, exchange)
        base["level"] = violation.level
        where = locations(rule, violation, exchange)
        key = (*(f"{k}={v}" for k, v in sorted(base.items())), "@", *where)
        with self._lock:
            bucket = self._buckets.get(key)
            if bucket is None:
                bucket = self._buckets[key] = _Bucket(base, where, len(self._buckets))
            bucket.count += 1
            # The first few, and the first of each kind: a probe may show a bug that
            # only a stored field causes, and the valid body that stored it is the cause.
            # Likewise the first of each near-miss variant: which ones a loose key check
            # accepts is what a person fixing it needs to see.
            kinds = {e.exchange.kind for e in bucket.examples}
            variants = {e.exchange.variant for e in bucket.examples}
            if (
                len(bucket.examples) < _EXAMPLES
                or exchange.kind not in kinds
                or exchange.variant not in variants
            ):
                bucket.examples.append(Example(exchange, violation, rejudge))

    def groups(self) -> list[Group]:
        """The distinct findings: buckets merged by shared location, most shared first."""
        by_base: dict[tuple[str, ...], list[_Bucket]] = {}
        with self._lock:
            buckets = list(self._buckets.values())
        for bucket in buckets:
            by_base.setdefault(tuple(sorted(bucket.base.items())), []).append(bucket)  # type: ignore[arg-type]
        out: list[Group] = []
        for buckets in by_base.values():
            out += _cover(buckets)
        return sorted(out, key=lambda g: g.order)


def _cover(buckets: list[_Bucket]) -> list[Group]:
    """Buckets that broke a location in common are one finding (connected components).

    A PATCH that nulls every omitted field breaks whichever fields the log
    happened to hold: one bug, many locations. The location most failures
    broke names the finding; the others are kept as alternatives.
    """
    parent = list(range(len(buckets)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    owner: dict[str, int] = {}
    for index, bucket in enumerate(buckets):
        for where in bucket.locations:
            if where in owner:
                parent[root(index)] = root(owner[where])
            else:
                owner[where] = index
    components: dict[int, list[_Bucket]] = {}
    for index, bucket in enumerate(buckets):
        components.setdefault(root(index), []).append(bucket)
    return [_group(taken) for taken in components.values()]


def _group(taken: list[_Bucket]) -> Group:
    weight: dict[str, int] = {}
    for bucket in taken:
        for where in bucket.locations:
            weight[where] = weight.get(where, 0) + bucket.count
    chosen = min(weight, key=lambda w: (-weight[w], w))
    signature = {k: v for k, v in taken[0].base.items() if k != "level"}
    signature["location"] = chosen
    others = sorted(set(weight) - {chosen})
    examples = [e for b in sorted(taken, key=lambda b: b.order) for e in b.examples]
    return Group(
        signature=signature,
        fingerprint=fingerprint_of(signature),
        also=[
            {"location": w, "fingerprint": fingerprint_of({**signature, "location": w})}
            for w in others
        ],
        occurrences=sum(b.count for b in taken),
        examples=examples[: _EXAMPLES * 4],
        order=min(b.order for b in taken),
    )

"""Rules about response bodies against the contract's schemas: the 200 union and the 422 shape.

Validation is the expensive part of checking, so verdicts come from
`contract.is_valid` (compiled jsonschema-rs validators); only a failure is
explained, with `jsonschema`'s messages.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from promptlog_contract import contract
from promptlog_contract.types import NOT_JSON, Context, Exchange, JSONPath, NotApplicable

from ._check import ALL_KINDS, LOG_KINDS, check
from ._compare import short
from ._violations import (
    ErrorNotLocated,
    ForeignErrorEnvelope,
    MalformedValidationError,
    UnionMismatch,
    WrongUnionMember,
)

PROMPT_MEMBER = "PromptLogResponse"


def is_valid(schema: str, body: Any) -> bool:
    """Whether `body` validates against the named contract schema (the fast validator)."""
    return contract.is_valid(schema, body)


@cache
def prompt_member_implies_union() -> bool:
    """Whether the union is a bare anyOf listing PromptLogResponse, so that member suffices.

    Lets the common case (a correct prompt log) be validated once for both union rules.
    """
    union = contract.openapi_document()["components"]["schemas"][contract.UNION_SCHEMA]
    ref = {"$ref": f"#/components/schemas/{PROMPT_MEMBER}"}
    return ref in union.get("anyOf", []) and set(union) <= {"anyOf", "description", "title"}


@check(kinds=LOG_KINDS)
def response_matches_union(exchange: Exchange, ctx: Context) -> None:
    """A 200 body is a member of the LogResponse union."""
    response = exchange.response
    if response.status != 200:
        raise NotApplicable(f"status {response.status} (judged on 200)")
    if response.oversize:
        raise NotApplicable("the body is over the size cap (response_size_bounded's)")
    if response.body is NOT_JSON:
        why = f": {response.problem}" if response.problem else ""
        raise UnionMismatch(f"the 200 body is not JSON{why}")
    if prompt_member_implies_union() and is_valid(PROMPT_MEMBER, response.body):
        return
    if is_valid(contract.UNION_SCHEMA, response.body):
        return
    member, errors = contract.closest_member(response.body)
    shown = "; ".join(error[:150] for error in errors[:3])
    more = f" (+{len(errors) - 3} more)" if len(errors) > 3 else ""
    raise UnionMismatch(
        f"the 200 body matches no LogResponse member; closest is {member}: {shown}{more}"
    )


@check(kinds=LOG_KINDS)
def prompt_log_returned(exchange: Exchange, ctx: Context) -> None:
    """A 200 for a prompt log is the PromptLogResponse member, not another log type."""
    body = exchange.response.body
    if exchange.response.status != 200:
        raise NotApplicable(f"status {exchange.response.status} (judged on 200)")
    if not isinstance(body, dict):
        raise NotApplicable("the 200 body is not a JSON object (response_matches_union's)")
    prompt_key = contract.MEMBER_KEYS[PROMPT_MEMBER]
    others = [name for name, key in contract.MEMBER_KEYS.items() if key in body]
    if prompt_key not in body and others:
        raise WrongUnionMember(f"the 200 body has no {prompt_key!r} but looks like {others[0]}")
    if is_valid(PROMPT_MEMBER, body):
        return
    others = [name for name in contract.UNION_MEMBERS if name != PROMPT_MEMBER]
    matching = [name for name in others if is_valid(name, body)]
    if matching:
        raise WrongUnionMember(f"the 200 body is a {matching[0]}, not a {PROMPT_MEMBER}")


def detail_problem(body: Any) -> str | None:
    """What makes a 422 body malformed, or None when every `detail` item is well formed."""
    if not isinstance(body, dict):
        return "the 422 body is not a JSON object"
    if "detail" not in body:
        return "'detail' is missing"
    detail = body["detail"]
    if not isinstance(detail, list):
        return f"'detail' is {short(detail, 60)}, expected a list"
    for index, item in enumerate(detail):
        if not isinstance(item, dict):
            return f"detail/{index} is not an object"
        loc = item.get("loc")
        if not isinstance(loc, list) or not all(_is_loc_part(part) for part in loc):
            return f"detail/{index}/loc is not a list of strings and integers"
        for name in ("msg", "type"):
            if not isinstance(item.get(name), str):
                return f"detail/{index}/{name} is not a string"
    return None


@check(kinds=ALL_KINDS)
def validation_error_shape(exchange: Exchange, ctx: Context) -> None:
    """A 422 body is an HTTPValidationError: detail[] of {loc, msg, type} (`{}`: a warning)."""
    body = exchange.response.body
    if exchange.response.status != 422:
        raise NotApplicable(f"status {exchange.response.status} (judged on 422)")
    if exchange.response.oversize:
        raise NotApplicable("the body is over the size cap (response_size_bounded's)")
    if body is NOT_JSON:
        why = f": {exchange.response.problem}" if exchange.response.problem else ""
        raise MalformedValidationError(f"the 422 body is not JSON{why}")
    if isinstance(body, dict) and "detail" not in body:
        if body:  # AMBIGUITIES A10: keys, but none of HTTPValidationError's, is another format
            keys = ", ".join(sorted(map(repr, body))[:5])
            raise ForeignErrorEnvelope(
                f"the 422 body is another error format: no 'detail', but {keys}"[:300]
            )
        raise MalformedValidationError(
            "the 422 body is {} ('detail' is optional in the schema, but it says nothing)",
            warning=not ctx.strict,
        )
    problem = detail_problem(body)
    if problem is None and not is_valid(contract.VALIDATION_ERROR_SCHEMA, body):
        problem = "it does not validate against HTTPValidationError"
    if problem is not None:
        raise MalformedValidationError(f"malformed 422 body: {problem}")


@check(kinds={"invalid"})
def validation_error_locates_field(exchange: Exchange, ctx: Context) -> None:
    """A 422 for an invalid body has an error whose loc points at the broken field."""
    body = exchange.response.body
    label = exchange.label
    if exchange.response.status != 422:
        raise NotApplicable(f"status {exchange.response.status} (judged on 422)")
    if label is None or detail_problem(body) is not None:
        raise NotApplicable("a malformed 422 body (validation_error_shape's) or no label")
    locs = [item["loc"] for item in body["detail"]]
    if any(locates(loc, label.path) for loc in locs):
        return
    where = "/".join(str(part) for part in label.path) or "<body>"
    seen = ", ".join("/".join(str(p) for p in loc) for loc in locs[:5]) or "none"
    raise ErrorNotLocated(
        f"no 422 error points at {where} (rule {label.rule!r}); locations: {seen}"[:300],
        warning=not ctx.strict,
    )


def locates(loc: list[str | int], path: JSONPath) -> bool:
    """Whether a 422 `loc` points at `path` (or, for nested paths, at its containing object).

    Frameworks insert union-member tags into `loc`, so the path need only be a
    subsequence of what follows "body"; discriminator and missing-key errors are
    often reported on the containing object, hence the parent's path also counts.
    """
    if not loc or loc[0] != "body":
        return False
    rest = loc[1:]
    return _subsequence(path, rest) or (len(path) >= 2 and _subsequence(path[:-1], rest))


def _subsequence(path: JSONPath, loc: list[str | int]) -> bool:
    remaining = iter(loc)
    return all(any(_same_part(part, candidate) for candidate in remaining) for part in path)


def _same_part(part: str | int, candidate: str | int) -> bool:
    if isinstance(part, int) and isinstance(candidate, str):
        return str(part) == candidate  # some frameworks stringify list indices
    if isinstance(part, str) and isinstance(candidate, int):
        return part == str(candidate)
    return part == candidate


def _is_loc_part(part: Any) -> bool:
    return isinstance(part, str) or (isinstance(part, int) and not isinstance(part, bool))

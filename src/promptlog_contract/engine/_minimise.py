"""After the run: minimise every distinct finding, then re-run it from a fresh log to label it.

A finding is only useful if it can be reproduced and read. Each one is first
cut down structurally against the live target (drop fields, shorten lists,
empty or ASCII strings, zero numbers) for as long as the *same* signature still
fails; a body still large after that goes through Hypothesis shrinking. Then
the minimal case is re-run three times, each time on a fresh scratch log so
that no earlier request can hide or fake the bug: `deterministic` or
`flaky (k of n)`. A finding the budget left no room for says so in words.
Every step of the search runs on a fresh log too: a PATCH that wipes the log
would otherwise leave nothing to wipe the next time (why `clear_omitted_fields`
used to be labelled flaky), and a field stored by one candidate could make the
next one look guilty.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any

from promptlog_contract import contract, strategies
from promptlog_contract._secrets import scrub
from promptlog_contract.types import Finding

from . import _reproduce as render
from ._drawing import draw_batch, shrink
from ._http import BudgetExhausted, TargetUnhealthy
from ._recorder import request_dict, response_dict
from ._rerun import Fresh, Recipe, Rejudge, judge, perform, places
from ._scratch import ScratchLog
from ._sequences import Sequences
from .config import Budget, Seeds

TIMES = 3
#: a body at most this long (bytes of JSON) needs no Hypothesis pass after the structural one
SMALL_BODY = 200
NOT_RERUN = "not re-run: budget spent"
NOT_RERUN_UNHEALTHY = "not re-run: the target became unhealthy"


def minimise_all(
    seq: Sequences,
    user_log: ScratchLog | None,
    seeds: Seeds,
    budget: Budget,
    shrink_calls: int,
    say: Callable[[str], None],
    mock_faults: tuple[str, ...] | None = None,
) -> None:
    """Group the failures into findings; minimise, re-run and label each while budget lasts."""
    fresh = Fresh(seq.logs, user_log)
    for finding in seq.recorder.finish():
        finding.reproducibility = NOT_RERUN
    for finding in seq.recorder.findings:
        rejudge = seq.recorder.rejudges.get(finding.id)
        try:
            if finding.kind == "concurrent_get":
                # A lost update shows only in a round sent at once, to a log without its values.
                if user_log is None:
                    resend_round(seq, finding)
                continue
            if finding.kind == "sibling_get":
                # A write leaking to another log shows only on a log nothing PATCHes.
                if user_log is None:
                    resend_sibling(seq, finding)
                continue
            recipe = _reproducing(seq, fresh, finding)
            if isinstance(recipe.current_body(), dict) and finding.level == "failure":
                say(f"minimising {finding.id} {finding.rule}")
                recipe = structural(seq, fresh, finding, recipe, rejudge, shrink_calls)
                if _size(recipe) > SMALL_BODY and recipe.kind in ("valid", "invalid"):
                    recipe = _hypothesis(seq, fresh, finding, recipe, seeds, budget, shrink_calls)
            label(seq, fresh, finding, recipe, rejudge, mock_faults)
        except BudgetExhausted:
            return
        except TargetUnhealthy:
            for left in seq.recorder.findings:
                if left.reproducibility == NOT_RERUN:
                    left.reproducibility = NOT_RERUN_UNHEALTHY
            raise


def _reproducing(seq: Sequences, fresh: Fresh, finding: Finding) -> Recipe:
    """The smallest kept example that shows the finding again on a fresh log.

    The smallest request is not always the cause: a 200 body rendered wrongly
    may only show once an earlier PATCH stored the field. Each kept example
    is tried once, smallest first; if none recurs, the smallest is kept.
    """
    examples = seq.recorder.examples.get(finding.id) or []
    recipes = [Recipe.from_exchange(e.exchange) for e in examples]
    for recipe, example in zip(recipes, examples, strict=True):
        if _fails(seq, fresh, finding, example.rejudge)(recipe):
            return recipe
    return recipes[0] if recipes else Recipe.from_exchange(seq.recorder.exchanges[finding.id])


def _scrubbed(value: Any, secret: str) -> Any:
    """A JSON value with every form of the key replaced (a server may store what it was sent)."""
    if value is None:
        return None
    return json.loads(scrub(json.dumps(value), secret))


def _who(finding: Finding) -> tuple[dict[str, str], set[str]]:
    return finding.signature, places(finding.signature, finding.also)


def _size(recipe: Recipe) -> int:
    return len(render.body_text(recipe.current_body()))


def _fails(
    seq: Sequences, fresh: Fresh, finding: Finding, rejudge: Rejudge | None
) -> Callable[[Recipe], bool]:
    """The predicate of the search: the same signature fails, on a fresh log every time.

    A shared log would let one candidate's stored fields make the next one
    "fail" (a response rendered wrongly only once a field is stored), and a
    wiping PATCH would leave nothing to wipe for the next.
    """

    def fails(recipe: Recipe) -> bool:
        log = fresh.log()
        return judge(seq, perform(seq, log, recipe), *_who(finding), rejudge) is not None

    return fails


def resend_round(seq: Sequences, finding: Finding, times: int = TIMES) -> None:
    """Send a lost-update round again, at once, each time to a new scratch log.

    Re-reading the old log tells nothing (later rounds wrote over it), and a
    log that already holds the round's values cannot show one lost. Labels the
    finding by how often it recurs.
    """
    original = seq.recorder.exchanges.get(finding.id)
    if original is None or not original.concurrent:
        return
    reproduced = 0
    for _ in range(times):
        log = seq.logs.new()
        seq.logs.read_state(log)
        exchanges = seq.concurrent(log, original.concurrent, phase=finding.phase)
        rules = {rule for ex in exchanges for rule, _ in seq.recorder.judge(ex, record=False)}
        reproduced += finding.rule in rules
    finding.reproducibility = (
        "deterministic" if reproduced == times else f"flaky ({reproduced} of {times})"
    )


def resend_sibling(seq: Sequences, finding: Finding, times: int = TIMES) -> None:
    """Send a round to a new log, then read a sibling made just before it; label by recurrence.

    Re-sending the sibling read as a PATCH (what a recipe does) would judge
    nothing: the bug is in what a PATCH of one log does to another.
    """
    (bodies,) = draw_batch(strategies.concurrent_update_rounds(), 1, 0)
    reproduced = 0
    for _ in range(times):
        log = seq.logs.new()
        seq.logs.read_state(log)
        sibling = seq.sibling_log(log)
        if sibling is None:
            return
        seq.concurrent(log, bodies, phase=finding.phase)
        exchanges = seq.sibling(sibling, phase=finding.phase)
        rules = {rule for ex in exchanges for rule, _ in seq.recorder.judge(ex, record=False)}
        reproduced += finding.rule in rules
    finding.reproducibility = (
        "deterministic" if reproduced == times else f"flaky ({reproduced} of {times})"
    )


def structural(
    seq: Sequences,
    fresh: Fresh,
    finding: Finding,
    recipe: Recipe,
    rejudge: Rejudge | None,
    max_calls: int,
) -> Recipe:
    """Greedy cuts of the body while the same signature still fails, within max_calls sends."""
    fails = _fails(seq, fresh, finding, rejudge)
    protect = tuple(recipe.label.path) if recipe.label else None
    current, calls = recipe.current_body(), 0
    improved = True
    while improved and calls < max_calls:
        improved = False
        for candidate in candidates(current, protect, finding.signature.get("location", "")):
            if len(render.body_text(candidate)) >= len(render.body_text(current)):
                continue
            if not _keeps_kind(recipe, candidate):
                continue
            calls += 1
            if fails(recipe.with_body(candidate)):
                current, improved = candidate, True
                break
            if calls >= max_calls:
                break
    return recipe.with_body(current)


def _keeps_kind(recipe: Recipe, body: Any) -> bool:
    """A cut may not change what the body is: a valid body stays valid, an invalid one invalid.

    Otherwise a "minimal" valid body could be one the contract forbids, and a
    faithful server rejecting it would look like the bug.
    """
    if recipe.is_sequence:
        return contract.is_valid(contract.REQUEST_SCHEMA, body)
    if recipe.kind == "invalid":
        return not contract.is_valid(contract.REQUEST_SCHEMA, body)
    return True


def candidates(body: Any, protect: tuple[Any, ...] | None, location: str) -> Iterator[Any]:
    """Smaller bodies, biggest cuts first: the broken field alone, no field, then node by node."""
    if isinstance(body, dict) and protect is None:
        field = location.split("/", 1)[0].split("@")[-1]
        if field in body and len(body) > 1:
            yield {field: body[field]}
        if body:
            yield {}
    yield from _cuts(body, (), protect)


def _on_path(path: tuple[Any, ...], protect: tuple[Any, ...] | None) -> bool:
    return protect is not None and protect[: len(path)] == path


def _cuts(value: Any, path: tuple[Any, ...], protect: tuple[Any, ...] | None) -> Iterator[Any]:
    """Every one-step simplification of `value` (the labelled broken slot is left alone)."""
    if protect is not None and path == protect:
        return
    if isinstance(value, dict):
        for key in value:
            if not _on_path((*path, key), protect):
                yield {k: v for k, v in value.items() if k != key}
        for key, child in value.items():
            for smaller in _cuts(child, (*path, key), protect):
                yield {**value, key: smaller}
    elif isinstance(value, list):
        # On the broken slot's path, only items after it may go (earlier ones would shift it).
        fixed = protect[len(path)] + 1 if protect is not None and _on_path(path, protect) else 0
        if len(value) > max(fixed, 1):
            yield value[: max(fixed, 1)]
        for index in range(fixed, len(value)):
            yield value[:index] + value[index + 1 :]
        for index, child in enumerate(value):
            for smaller in _cuts(child, (*path, index), protect):
                yield [*value[:index], smaller, *value[index + 1 :]]
    elif isinstance(value, str):
        if value:
            yield ""
        if not value.isascii() or len(value) > 1:
            yield "a"
    elif isinstance(value, float) and value != 0:
        yield 0.0
    elif isinstance(value, int) and not isinstance(value, bool) and value != 0:
        yield 0


def _hypothesis(
    seq: Sequences,
    fresh: Fresh,
    finding: Finding,
    recipe: Recipe,
    seeds: Seeds,
    budget: Budget,
    shrink_calls: int,
) -> Recipe:
    """Hypothesis's own search and shrinking for what the structural pass left large."""
    invalid = recipe.kind == "invalid"
    strategy: Any = strategies.invalid_update_bodies() if invalid else strategies.update_bodies()
    fails = _fails(seq, fresh, finding, None)
    stop: list[BaseException] = []

    def predicate(value: Any) -> bool:
        if stop:
            return False
        try:
            if invalid:
                candidate = Recipe(kind="invalid", phase=recipe.phase, label=value.label)
                return fails(candidate.with_body(value.body))
            return fails(recipe.with_body(value))
        except (BudgetExhausted, TargetUnhealthy) as exc:
            stop.append(exc)
            return False

    def size(value: Any) -> int:
        return len(render.body_text(getattr(value, "body", value)))

    minimal = shrink(
        strategy,
        seeds.shrink(invalid=invalid),
        predicate,
        max_examples=max(budget.invalid if invalid else budget.valid, 10),
        max_calls=shrink_calls,
        size=size,
    )
    if stop:
        raise stop[0]
    if minimal is None or size(minimal) >= _size(recipe):
        return recipe
    if invalid:
        return Recipe(kind="invalid", phase=recipe.phase, label=minimal.label).with_body(
            minimal.body
        )
    return recipe.with_body(minimal)


def label(
    seq: Sequences,
    fresh: Fresh,
    finding: Finding,
    recipe: Recipe,
    rejudge: Rejudge | None,
    mock_faults: tuple[str, ...] | None = None,
) -> None:
    """Re-run the minimal recipe TIMES, each on a fresh log; the first recurrence is its story."""
    seen = 0
    secret = seq.recorder.ctx.api_key
    for _ in range(TIMES):
        log = fresh.log()
        before = log.state
        exchanges = perform(seq, log, recipe)
        hit = judge(seq, exchanges, *_who(finding), rejudge)
        if hit is None:
            continue
        seen += 1
        if seen > 1:
            continue
        exchange, violation = hit
        if violation is not None:
            seq.recorder.replace_exchange(finding, exchange, violation)
        else:
            finding.request = request_dict(exchange.request, secret)
            finding.response = response_dict(exchange.response, secret)
        finding.sequence = {
            "recipe": recipe.to_dict(),
            "create": seq.logs.create_body(),
            "before": _scrubbed(before, secret),
            "steps": [
                {
                    "kind": e.kind,
                    "request": request_dict(e.request, secret),
                    "response": response_dict(e.response, secret),
                }
                for e in exchanges
            ],
            "differs": finding.message,
        }
    finding.reproducibility = "deterministic" if seen == TIMES else f"flaky ({seen} of {TIMES})"
    finding.reproducer = render.reproducers(
        seq.target.base_url, recipe, seq.logs.create_body(), secret, mock_faults, finding.message
    )
    finding.replay = f"promptlog-contract replay {finding.id}"

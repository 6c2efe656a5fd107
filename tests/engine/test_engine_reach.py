"""The issue-13 probes as the engine sends them: near-miss keys, kind sweep, concurrency, siblings.

Each probe is driven through the engine's own `Sequences` against the bundled
mock over loopback: the faithful mock never fails (the concurrency rule is
repeated many rounds, since a race that shows once in fifty is still a false
failure), each issue-13 fault is caught, and no near-miss key reaches a report.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from promptlog_contract import strategies
from promptlog_contract._secrets import MIN_SECRET_LENGTH, Scrubber
from promptlog_contract.engine import (
    Limits,
    RunConfig,
    ScratchLog,
    ScratchLogs,
    Target,
    draw_batch,
    run,
)
from promptlog_contract.engine._recorder import Recorder
from promptlog_contract.engine._rerun import Recipe, perform
from promptlog_contract.engine._sequences import Sequences, kind_sweep, redaction_secrets
from promptlog_contract.mock import running_mock
from promptlog_contract.types import Context

from ._servers import Reply, json_answer, serving
from .test_engine_run import cli_run, leaks

KEY = "pl-Reach-Engine-Key-0123"
#: Faithful rounds judged by concurrent_patches_merge (the issue asks for "enough").
FAITHFUL_ROUNDS = 40


@contextmanager
def sequences(*faults: str) -> Iterator[Sequences]:
    with running_mock(api_keys=(KEY,), faults=faults) as base_url:
        target = Target(base_url, KEY, Limits())
        recorder = Recorder(Context(api_key=KEY), strategies.CATALOG)
        recorder.scrubber = Scrubber(redaction_secrets(KEY))
        seq = Sequences(target, recorder, ScratchLogs(target))
        try:
            yield seq
        finally:
            target.close()


def _failing(seq: Sequences) -> dict[str, int]:
    return {rule: stats.failed for rule, stats in seq.recorder.rules.items() if stats.failed}


def _rounds(n: int, seed: int = 0) -> list[list[dict[str, Any]]]:
    return draw_batch(strategies.concurrent_update_rounds(), n, seed)


@pytest.mark.socket
def test_concurrent_patches_merge_holds_on_faithful_mock_round_after_round() -> None:
    with sequences() as seq:
        log = seq.logs.new()
        seq.logs.read_state(log)
        for bodies in _rounds(FAITHFUL_ROUNDS, seed=11):
            seq.judge_all(seq.concurrent(log, bodies))
        stats = seq.recorder.rules["concurrent_patches_merge"]
        assert stats.passed == FAITHFUL_ROUNDS
        assert _failing(seq) == {}, [f.message for f in seq.recorder.findings]


@pytest.mark.socket
def test_concurrent_patches_merge_catches_lost_update() -> None:
    # The barrier releases the PATCHes together: most rounds lose a field, not one in many.
    with sequences("lost_update") as seq:
        log = seq.logs.new()
        seq.logs.read_state(log)
        for bodies in _rounds(5, seed=3):
            seq.judge_all(seq.concurrent(log, bodies))
        assert seq.recorder.rules["concurrent_patches_merge"].failed >= 3


@pytest.mark.socket
def test_other_logs_untouched_holds_and_catches_leak_to_siblings() -> None:
    for faults, expected in (((), 0), (("leak_to_siblings",), 1)):
        with sequences(*faults) as seq:
            log, sibling = seq.logs.new(), seq.logs.new()
            assert sibling.prompt_id == log.prompt_id  # same path: the same prompt
            seq.logs.read_state(sibling)
            for bodies in _rounds(2):
                seq.judge_all(seq.concurrent(log, bodies))
            seq.judge_all(seq.sibling(sibling))
            stats = seq.recorder.rules["other_logs_untouched"]
            assert (stats.passed, stats.failed) == (1 - expected, expected), faults


@pytest.mark.socket
def test_auth_enforced_catches_loose_api_key_with_every_variant_named() -> None:
    with sequences("loose_api_key") as seq:
        log = seq.logs.new()
        seq.probes(log)
        near = [f for f in seq.recorder.findings if f.rule == "auth_enforced"]
        names = [v.name for v in strategies.near_miss_keys(KEY)]
        assert seq.recorder.rules["auth_enforced"].failed == len(names) == 5
        # One loose comparison, one finding (grouped by root cause); it still names every
        # variant accepted, in its message and its examples, and nothing of the key.
        [finding] = near
        assert finding.occurrences == 5
        shown = [seq.recorder.exchanges[finding.id].variant]
        shown += [e["variant"] for e in finding.examples]
        assert set(shown) == set(names)
        assert f"(variants: {', '.join(names)})" in finding.message
        text = json.dumps([f.to_dict() for f in seq.recorder.findings])
        for secret in redaction_secrets(KEY):
            assert secret not in text


@pytest.mark.socket
def test_rerun_sends_the_same_near_miss() -> None:
    with sequences("loose_api_key") as seq:
        log = seq.logs.new()
        seq.probes(log)
        finding = next(f for f in seq.recorder.finish() if f.kind == "auth_near_miss")
        original = seq.recorder.exchanges[finding.id]
        sent: list[Any] = []
        request = seq.target.request

        def spy(*args: Any, **kwargs: Any) -> Any:
            sent.append(kwargs.get("auth"))
            return request(*args, **kwargs)

        seq.target.request = spy  # type: ignore[method-assign]
        # The recipe travels through summary.json (replay) as well as in memory.
        recipe = Recipe.from_dict(Recipe.from_exchange(original).to_dict())
        again = perform(seq, log, recipe)
        expected = next(
            v.value for v in strategies.near_miss_keys(KEY) if v.name == original.variant
        )
        assert sent == [expected]
        assert again[0].variant == original.variant
        rules = {rule for rule, _ in seq.recorder.judge(again[0], record=False)}
        assert "auth_enforced" in rules


def test_redaction_secrets_hold_every_long_enough_variant() -> None:
    found = redaction_secrets(KEY)
    assert found[0] == KEY
    assert {KEY.swapcase(), KEY[:-1], KEY[:8]} <= set(found)
    # A key whose prefix variant would be too short to scrub safely leaves it out.
    short = redaction_secrets("abcdef")
    assert all(len(s) >= MIN_SECRET_LENGTH for s in short)
    assert "ABCDEF" in short and "abcde" in short


def test_kind_sweep_tops_up_only_missing_pairs() -> None:
    sweep = strategies.bad_value_sweep()
    assert kind_sweep([]) == list(sweep)
    assert kind_sweep(sweep) == []
    rest = kind_sweep(sweep[:10])
    assert len(rest) == len(sweep) - 10
    assert not {strategies.invalid_kind_variant(c) for c in rest} & {
        strategies.invalid_kind_variant(c) for c in sweep[:10]
    }


@pytest.mark.socket
def test_every_bad_value_kind_is_sent_by_the_default_profile(tmp_path: Path) -> None:
    cli = cli_run(tmp_path, "--api-key", KEY, "--no-schemathesis")
    assert cli.code == 0, cli.out
    summary = cli.summary
    coverage = summary["coverage"]["invalid_kind"]
    assert set(coverage) == set(strategies.CATALOG["invalid_kind"])
    never = sorted(pair for pair, cell in coverage.items() if cell["sent"] == 0)
    assert never == []
    assert not [g for g in summary["coverage_gaps"] if g["dimension"] == "invalid_kind"]
    # Every pair the faithful mock must reject, it rejected (the "observed" count).
    must = [c for c in strategies.bad_value_sweep() if c.label.severity == "must-reject"]
    for case in must:
        _, pair = strategies.invalid_kind_variant(case) or ("", "")
        assert coverage[pair]["observed"] > 0, pair
    html = (tmp_path / "report.html").read_text("utf-8")
    assert 'table class="kinds"' in html
    assert leaks(tmp_path, KEY) == []
    for secret in redaction_secrets(KEY):
        assert secret.encode() not in (tmp_path / "summary.json").read_bytes()


@pytest.mark.socket
def test_a_lost_update_finding_is_sent_again_as_a_round() -> None:
    result = run(RunConfig(mock_faults=("lost_update",), max_examples=10, schemathesis=False))
    (finding,) = [f for f in result.failures if f.rule == "concurrent_patches_merge"]
    assert finding.kind == "concurrent_get"
    # Re-sent as a round to new logs: the fault loses a field nearly every time.
    assert finding.reproducibility in ("deterministic", "flaky")
    assert result.phases["concurrency-1"]["rounds"] == 3


@pytest.mark.socket
def test_a_user_log_run_makes_no_sibling_and_says_so() -> None:
    with running_mock(api_keys=(KEY,)) as base_url:
        target = Target(base_url, KEY, Limits())
        log = ScratchLogs(target, tag="user").new()
        target.close()
        result = run(
            RunConfig(
                base_url=base_url,
                api_key=KEY,
                prompt_id=log.prompt_id,
                log_id=log.log_id,
                max_examples=5,
                schemathesis=False,
            )
        )
    assert result.exit_code == 0, [(f.rule, f.message) for f in result.failures]
    sibling = result.rules["other_logs_untouched"]
    assert (sibling.passed, sibling.failed) == (0, 0)  # not exercised, never a pass
    assert result.rules["concurrent_patches_merge"].passed == 3


@pytest.mark.socket
def test_near_misses_echoed_by_a_server_never_reach_a_finding() -> None:
    # A server that accepts any key and echoes it back: the findings hold each near miss's
    # answer, so only the run's scrubber keeps the truncated key and the prefix out.
    def echo(method: str, path: str, headers: dict[str, str], body: bytes) -> Reply:
        key = headers.get("x-api-key", "")
        return json_answer(200, json.dumps({"echo": key}).encode())

    with serving(echo) as served:
        texts = []
        for scrubbed in (True, False):
            target = Target(served.base_url, KEY, Limits())
            recorder = Recorder(Context(api_key=KEY), strategies.CATALOG)
            if scrubbed:
                recorder.scrubber = Scrubber(redaction_secrets(KEY))
            seq = Sequences(target, recorder, ScratchLogs(target))
            seq.probes(ScratchLog("pr_1", "log_1"))
            target.close()
            texts.append(json.dumps([f.to_dict() for f in recorder.findings]))
    with_scrubber, key_only = texts
    assert "auth_enforced" in with_scrubber
    assert [s for s in redaction_secrets(KEY) if s in with_scrubber] == []
    # The control: scrubbing the key alone lets a near miss through (the grouped finding
    # keeps the first variant's echoed answer: case_flipped, whatever the order).
    near_misses = [s for s in redaction_secrets(KEY) if s != KEY]
    assert [s for s in near_misses if s in key_only.replace(KEY, "")] != []

"""What a finding keeps: scrubbed before it is cut, a bounded body; outcomes counted honestly."""

from __future__ import annotations

import pytest

from promptlog_contract import contract, strategies
from promptlog_contract._secrets import contains_secret
from promptlog_contract.engine._recorder import _KEPT_CONTENT, Recorder, kept, response_dict
from promptlog_contract.types import NOT_JSON, Context, Exchange, HttpRequest, HttpResponse

KEY = "sk-record-0123456789abcdefghij"


def _exchange(status: int, content: bytes) -> Exchange:
    request = HttpRequest("PATCH", "http://127.0.0.1/v5/prompts/p/log/l", {}, b"{}")
    response = HttpResponse(status, {"content-type": "application/json"}, content, NOT_JSON)
    return Exchange("valid", request, response, sent={})


@pytest.mark.parametrize("offset", range(4080, 4100, 3))
def test_a_key_straddling_the_cut_leaves_no_fragment(offset: int) -> None:
    content = b"x" * offset + KEY.encode() + b"y" * 10_000
    body = response_dict(_exchange(200, content).response, KEY)["body"]
    assert "truncated" in body
    fragments = {KEY[i : i + 6] for i in range(len(KEY) - 5)}
    assert not any(fragment in body for fragment in fragments), body[4070:4110]
    assert body.startswith("x" * min(offset, 4096))


def test_findings_keep_a_bounded_body() -> None:
    big = _exchange(200, b" " * (3 * _KEPT_CONTENT))
    assert len(kept(big).response.content) == _KEPT_CONTENT
    small = _exchange(200, b"{}")
    assert kept(small) is small


def test_not_applicable_is_counted_apart_from_passes() -> None:
    recorder = Recorder(Context(api_key=KEY), strategies.CATALOG)
    recorder.judge(_exchange(429, b"{}"))
    stats = recorder.rules["valid_body_accepted"]
    assert (stats.passed, stats.failed, stats.not_applicable) == (0, 0, 1)
    assert stats.top_reason() == "the target answered 429 (rate limited)"
    assert recorder.rules["not_a_server_error"].passed == 1


@pytest.mark.parametrize(
    "bad", ["../../admin", "a/b", "a?b", "a#b", "", "x" * 129, "..", "a b", "é", "a%2Fb"]
)
def test_unsafe_ids_never_become_paths(bad: str) -> None:
    with pytest.raises(contract.UnsafeId):
        contract.patch_path("pr_1", bad)
    with pytest.raises(contract.UnsafeId):
        contract.patch_path(bad, "log_1")
    with pytest.raises(contract.UnsafeId):
        contract.log_path(bad)


def test_safe_ids_pass_through() -> None:
    assert contract.patch_path("pr_1.a:b-c", "log_9") == "/prompts/pr_1.a:b-c/log/log_9"
    assert contract.log_path("log_9") == "/logs/log_9"
    assert not contains_secret(contract.log_path("log_9"), KEY)

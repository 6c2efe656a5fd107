"""No report byte carries a secret, even when the runner forgot to redact it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from urllib.parse import quote, quote_plus

import pytest

from promptlog_contract._secrets import secret_forms
from promptlog_contract.reporting import (
    REDACTED,
    Scrubber,
    junit_xml,
    render_html,
    summary_dict,
    write_reports,
)
from promptlog_contract.reporting._redact import redact_curl, redact_headers, redact_url
from promptlog_contract.types import RunResult


def _leaky(result: RunResult, make_finding: Any, secret: str) -> RunResult:
    """A run whose findings carry the key everywhere a careless runner could put it."""
    url = f"http://127.0.0.1:8765/v5/prompts/pr_1/log/log_1?api_key={quote(secret, safe='')}"
    result.findings.append(
        make_finding(
            id="LEAK",
            message=f"server echoed the key {secret}",
            request={
                "method": "PATCH",
                "url": url,
                "headers": {"X-API-KEY": secret, "x-trace": secret},
                "body": {"output": secret, "nested": [{"k": secret}]},
            },
            response={"status": 200, "headers": {"set-cookie": secret}, "body": json.dumps(secret)},
            curl=f"curl -X PATCH '{url}' -H 'X-API-KEY: {secret}' -d '{json.dumps(secret)}'",
        )
    )
    result.target_url = f"http://user:{quote(secret, safe='')}@127.0.0.1:8765"
    result.unhealthy = None
    return result


@pytest.mark.parametrize("name", ["failing_result", "passing_result"])
def test_secret_appears_nowhere_under_the_report_dir(
    name: str,
    request: pytest.FixtureRequest,
    make_finding: Any,
    secret: str,
    tmp_path: Path,
) -> None:
    result = _leaky(request.getfixturevalue(name), make_finding, secret)
    report_dir = tmp_path / "reports"
    write_reports(result, report_dir, secrets=[secret])
    needles = {
        secret,
        quote(secret, safe=""),
        quote_plus(secret),
        json.dumps(secret)[1:-1],
        "T0p/Secr3t",  # the distinctive core, whatever escaping surrounds it
    }
    files = [p for p in report_dir.rglob("*") if p.is_file()]
    assert {p.name for p in files} == {"summary.json", "junit.xml", "report.html"}
    for path in files:
        data = path.read_bytes()
        for needle in needles:
            assert needle.encode("utf-8") not in data, (path.name, needle)
        assert REDACTED.encode() in data


def test_credential_headers_are_redacted_without_being_told_the_secret(
    failing_result: RunResult, make_finding: Any, tmp_path: Path
) -> None:
    other = "not-passed-as-secret-0123456789"
    failing_result.findings.append(
        make_finding(
            id="HDR",
            request={
                "method": "PATCH",
                "url": "http://127.0.0.1/x",
                "headers": {"X-Api-Key": other},
            },
            curl=f"curl -H 'X-API-KEY: {other}' http://127.0.0.1/x",
        )
    )
    report_dir = tmp_path / "reports"
    write_reports(failing_result, report_dir)
    for path in report_dir.iterdir():
        assert other.encode() not in path.read_bytes(), path.name


def test_scrubber_catches_escaped_forms(secret: str) -> None:
    scrub = Scrubber([secret, "abc"])
    for form in secret_forms(secret):
        assert secret not in scrub.text(f"before {form} after")
        assert scrub.text(f"x{form}y") == f"x{REDACTED}y"
    assert (
        scrub.text("abc stays: too short to scrub blindly")
        == "abc stays: too short to scrub blindly"
    )


def test_scrubber_scrubs_keys_and_nested_values(secret: str) -> None:
    data = Scrubber([secret]).data({secret: [secret, {"k": f"x{secret}"}], "n": 1})
    assert data == {REDACTED: [REDACTED, {"k": f"x{REDACTED}"}], "n": 1}


def test_placeholders_survive_name_based_redaction() -> None:
    assert redact_headers({"X-API-KEY": "$HUMANLOOP_API_KEY", "Authorization": "Bearer t0k3n"}) == {
        "X-API-KEY": "$HUMANLOOP_API_KEY",
        "Authorization": REDACTED,
    }
    assert redact_curl("curl -H 'X-API-KEY: ${KEY}' -H 'x-api-key: s3cr3t'") == (
        f"curl -H 'X-API-KEY: ${{KEY}}' -H 'x-api-key: {REDACTED}'"
    )


def test_target_url_loses_userinfo_and_key_queries() -> None:
    assert redact_url("https://u:p@host.test:8443/v5?api_key=abc&x=1") == (
        f"https://host.test:8443/v5?api_key={REDACTED}&x=1"
    )
    assert redact_url("http://127.0.0.1:8000") == "http://127.0.0.1:8000"


@pytest.mark.parametrize("render", [render_html, junit_xml])
def test_output_scrub_alone_catches_every_form(
    failing_result: RunResult, make_finding: Any, secret: str, render: Any
) -> None:
    """The last line of defence works even when the data was not scrubbed first."""
    summary = summary_dict(_leaky(failing_result, make_finding, secret))
    assert b"T0p/Secr3t" in render(summary).encode("utf-8")  # the leak is real
    assert b"T0p/Secr3t" not in Scrubber([secret]).encode(render(summary))

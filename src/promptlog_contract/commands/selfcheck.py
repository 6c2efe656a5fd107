"""`selfcheck`: prove the suite's power on the bundled mock, beside Schemathesis alone.

The default suite runs against the faithful mock (zero failures expected) and
against the mock with each seeded fault (the rule named for that fault must
fail). Schemathesis's CLI, with all its checks, runs on the same mocks with the
same example budget. The result is the kill matrix: which rules caught which
fault, how fast, and how the peer did.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import re
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from promptlog_contract import contract, mock
from promptlog_contract.engine import Limits, RunConfig, ScratchLogs, Target, run
from promptlog_contract.errors import (
    EXIT_OK,
    EXIT_USAGE,
    EXIT_VIOLATIONS,
    UsageError,
    check_report_dir,
)
from promptlog_contract.mock import FAULTS
from promptlog_contract.reporting import write_reports
from promptlog_contract.types import RunResult

from ._help import exit_codes

#: The rule that must fail for each seeded fault (others may fail too).
EXPECTED_RULE: dict[str, str] = {
    "accept_bad_tool_choice": "invalid_body_rejected",
    "accept_missing_signature": "invalid_body_rejected",
    "accept_unknown_role": "invalid_body_rejected",
    "reject_developer_role": "valid_body_accepted",
    "reject_offset_datetimes": "valid_body_accepted",
    "crash_on_redacted_thinking": "not_a_server_error",
    "drop_evaluator_logs": "response_matches_union",
    "prompt_tokens_as_string": "response_matches_union",
    "naive_datetimes": "response_matches_union",
    "clear_omitted_fields": "omitted_fields_unchanged",
    "ignore_metadata": "patched_fields_applied",
    "reverse_thinking_blocks": "patched_fields_applied",
    "tool_call_arguments_as_object": "response_matches_union",
    "plain_text_422": "validation_error_shape",
    "status_400_for_validation": "status_code_documented",
    "flat_error_loc": "validation_error_shape",
    "auth_optional": "auth_enforced",
    "crash_on_unknown_log": "unknown_log_not_found",
    "upsert_unknown_log": "unknown_log_not_found",
    "echo_api_key": "no_secret_echoed",
    "stale_get": "get_agrees_with_patch",
    "append_messages": "patched_fields_applied",
    "tool_log_returned": "prompt_log_returned",
    "store_nan": "not_a_server_error",
    "loose_api_key": "auth_enforced",
    "truncate_fractional_counts": "invalid_body_rejected",
    "foreign_422_envelope": "validation_error_shape",
    "lost_update": "concurrent_patches_merge",
    "leak_to_siblings": "other_logs_untouched",
}
SELFCHECK_EXAMPLES = 80  # the ci profile's valid-body budget: selfcheck judges the default suite


def _failing_rules(result: RunResult) -> list[str]:
    return sorted({f.rule for f in result.failures})


def _suite_column(
    fault: str | None, *, max_examples: int, seed: int
) -> tuple[RunResult, dict[str, Any]]:
    result = run(
        RunConfig(
            mock_faults=(fault,) if fault else (),
            max_examples=max_examples,
            seed=seed,
            profile="ci",
        )
    )
    first = result.phases.get("first_failure_s", {})
    column = {
        "caught_by": _failing_rules(result),
        "first_detection_s": min(first.values()) if first else None,
        "requests": result.requests_sent,
        "duration_s": result.duration_s,
        "exit_code": result.exit_code,
        "unhealthy": result.unhealthy,
    }
    return result, column


def _schemathesis_column(fault: str | None, *, max_examples: int, seed: int) -> dict[str, Any]:
    """Schemathesis alone (CLI, all checks) against a mock with the same fault."""
    st = shutil.which("st") or str(Path(sys.executable).with_name("st"))
    key = "peer-" + secrets.token_urlsafe(12)
    with (
        mock.running_mock(api_keys=(key,), faults=(fault,) if fault else ()) as base_url,
        tempfile.TemporaryDirectory() as tmp,
    ):
        target = Target(base_url, key, Limits())
        try:
            log = ScratchLogs(target, tag="peer").new()
        finally:
            target.close()
        Path(tmp, "schemathesis.toml").write_text(
            "[parameters]\n"
            f'"path.id" = "{log.prompt_id}"\n'
            f'"path.log_id" = "{log.log_id}"\n'
            "[phases.coverage]\nunexpected-methods = []\n",
            encoding="utf-8",
        )
        cmd = [
            st,
            "run",
            str(contract.openapi_path()),
            "--url",
            base_url,
            "-H",
            f"X-API-KEY: {key}",
            "--include-operation-id",
            contract.OPERATION_ID,
            "--checks",
            "all",
            "-n",
            str(max_examples),
            "--seed",
            str(seed),
            "--generation-database",
            "none",
            "--continue-on-failure",
            "--report",
            "har",
            "--report-dir",
            tmp,
            "--workers",
            "1",
        ]
        started = time.monotonic()
        proc = subprocess.run(
            cmd,
            cwd=tmp,
            capture_output=True,
            text=True,
            timeout=600,
            env={**os.environ, "NO_COLOR": "1"},
        )
        elapsed = time.monotonic() - started
        requests = 0
        # Schemathesis 4 names its HAR report `har-<timestamp>.json`.
        for har in [*Path(tmp).glob("*.har"), *Path(tmp).glob("har-*.json")]:
            with contextlib.suppress(ValueError, KeyError):
                requests += len(json.loads(har.read_text(encoding="utf-8"))["log"]["entries"])
    codes = sorted(set(re.findall(r"\bST\d{3}\b", proc.stdout)))
    return {
        "caught": proc.returncode == 1,
        "exit_code": proc.returncode,
        "failure_codes": codes,
        "requests": requests,
        "duration_s": round(elapsed, 3),
    }


def selfcheck(
    *,
    faults: Sequence[str] | None = None,
    max_examples: int = SELFCHECK_EXAMPLES,
    seed: int = 0,
    peers: bool = True,
    progress: Any = None,
) -> tuple[dict[str, Any], RunResult]:
    """Build the kill matrix; returns it and the faithful run's result."""
    chosen = list(faults) if faults else list(FAULTS)
    unknown = [f for f in chosen if f not in FAULTS]
    if unknown:
        raise ValueError(f"unknown fault(s): {', '.join(unknown)}")
    say = progress or (lambda line: None)
    say("faithful mock")
    faithful, column = _suite_column(None, max_examples=max_examples, seed=seed)
    matrix: dict[str, Any] = {
        "rules": sorted(faithful.rules),
        "max_examples": max_examples,
        "seed": seed,
        "faithful": {**column, "failures": len(faithful.failures)},
        "faults": {},
    }
    if peers:
        matrix["faithful"]["peers"] = {
            "schemathesis": _schemathesis_column(None, max_examples=max_examples, seed=seed)
        }
    for fault in chosen:
        say(f"fault {fault}")
        _, column = _suite_column(fault, max_examples=max_examples, seed=seed)
        expected = EXPECTED_RULE.get(fault)
        entry = {
            "doc": FAULTS[fault],
            "expected_rule": expected,
            "caught": bool(column["caught_by"]),
            "expected_rule_failed": expected in column["caught_by"],
            **column,
        }
        if peers:
            peer = _schemathesis_column(fault, max_examples=max_examples, seed=seed)
            # Schemathesis fails the faithful mock too (lax coercion: ST201), so a fault only
            # counts as caught when its run reports a failure the faithful run did not.
            baseline_codes = set(matrix["faithful"]["peers"]["schemathesis"]["failure_codes"])
            peer["new_failure_codes"] = sorted(set(peer["failure_codes"]) - baseline_codes)
            peer["caught"] = peer["exit_code"] == 1 and (
                bool(peer["new_failure_codes"]) or not baseline_codes
            )
            entry["peers"] = {"schemathesis": peer}
        matrix["faults"][fault] = entry
    faults_caught = sum(1 for e in matrix["faults"].values() if e["caught"])
    matrix["totals"] = {
        "faults": len(chosen),
        "caught": faults_caught,
        "faithful_failures": len(faithful.failures),
    }
    if peers:
        matrix["totals"]["schemathesis_caught"] = sum(
            1 for e in matrix["faults"].values() if e["peers"]["schemathesis"]["caught"]
        )
        matrix["totals"]["schemathesis_faithful_false_failures"] = int(
            matrix["faithful"]["peers"]["schemathesis"]["exit_code"] != 0
        )
    return matrix, faithful


def add_parser(sub: argparse._SubParsersAction[Any]) -> None:
    p = sub.add_parser(
        "selfcheck",
        help="kill matrix: the suite vs every seeded mock fault",
        description="Run the suite against the faithful bundled mock (no failure expected) and "
        "against the mock with each seeded fault (the rule named for it must fail), beside "
        "Schemathesis alone with the same budget; writes kill-matrix.json and the reports.",
        epilog=exit_codes(
            (
                (EXIT_OK, "every fault caught, no failure on the faithful mock"),
                (EXIT_VIOLATIONS, "a fault missed or a false failure"),
                (EXIT_USAGE, "usage error (e.g. an unknown fault)"),
            )
        ),
    )
    p.add_argument(
        "--report-dir",
        type=Path,
        default=Path("reports"),
        metavar="DIR",
        help="where kill-matrix.json and the reports go",
    )
    p.add_argument(
        "--fault",
        action="append",
        default=[],
        metavar="NAME",
        help="only this fault (repeatable; default: every fault, see `mock --list-faults`)",
    )
    p.add_argument(
        "--max-examples",
        type=int,
        default=SELFCHECK_EXAMPLES,
        metavar="N",
        help="valid bodies per run, and Schemathesis's examples",
    )
    p.add_argument("--seed", type=int, default=0, metavar="N", help="seed of every run")
    p.add_argument("--no-peers", action="store_true", help="skip the Schemathesis column")
    p.set_defaults(func=_cmd)


def _cmd(args: argparse.Namespace) -> int:
    def say(line: str) -> None:
        print(f"» selfcheck: {line}", file=sys.stderr, flush=True)

    check_report_dir(args.report_dir)  # before minutes of runs, not after
    try:
        matrix, faithful = selfcheck(
            faults=args.fault,
            max_examples=args.max_examples,
            seed=args.seed,
            peers=not args.no_peers,
            progress=say,
        )
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    (args.report_dir / "kill-matrix.json").write_text(json.dumps(matrix, indent=2), "utf-8")
    write_reports(faithful, args.report_dir, kill_matrix=matrix)
    for fault, entry in matrix["faults"].items():
        peer = entry.get("peers", {}).get("schemathesis", {})
        print(
            f"{fault:32} {'CAUGHT' if entry['caught'] else 'MISSED':7} "
            f"{','.join(entry['caught_by'])[:60]:60} "
            f"schemathesis: {'caught' if peer.get('caught') else '-'}"
        )
    totals = matrix["totals"]
    print(
        f"suite: {totals['caught']}/{totals['faults']} faults caught, "
        f"{totals['faithful_failures']} false failures on the faithful mock"
    )
    if "schemathesis_caught" in totals:
        print(
            f"schemathesis: {totals['schemathesis_caught']}/{totals['faults']} caught, "
            f"{totals['schemathesis_faithful_false_failures']} false failure run(s) "
            "on the faithful mock"
        )
    ok = totals["caught"] == totals["faults"] and totals["faithful_failures"] == 0
    return EXIT_OK if ok else EXIT_VIOLATIONS

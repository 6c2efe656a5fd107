"""How fast the body strategies generate, beside a baseline measured in the same run.

Absolute rates depend on the machine and its load, so each rate is also shown
as a ratio to `st.integers()` drawn through the same harness: a ratio that
grows between versions means a strategy got slower, whatever the machine.

Each strategy is drawn through one `@given(st.data())` test (generate phase
only, derandomized, no database), `--per-case` values per test case, best of
`--repeat` runs. `--per-case 1` shows what a runner that makes one Hypothesis
test case per request would see.

    .venv/bin/python benchmarks/bench_strategies.py [--cases N] [--per-case K] [--check]
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from time import perf_counter
from typing import Any

from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from promptlog_contract.strategies import invalid_update_bodies, update_bodies
from promptlog_contract.types import InvalidBody

#: The rate each body strategy should reach (bodies per second).
TARGET = 1_000.0


def _measure(
    strategy: st.SearchStrategy[Any], *, cases: int, per_case: int
) -> tuple[float, list[Any]]:
    """Values per second over `cases` test cases of `per_case` draws, and the values."""
    drawn: list[Any] = []

    @settings(
        max_examples=cases,
        database=None,
        deadline=None,
        derandomize=True,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(st.data())
    def run(data: st.DataObject) -> None:
        for _ in range(per_case):
            drawn.append(data.draw(strategy))

    start = perf_counter()
    run()
    return len(drawn) / (perf_counter() - start), drawn


def _best(
    strategy: st.SearchStrategy[Any], *, cases: int, per_case: int, repeat: int
) -> tuple[float, list[Any]]:
    runs = [_measure(strategy, cases=cases, per_case=per_case) for _ in range(repeat)]
    return max(runs, key=lambda run: run[0])


def _body_of(value: Any) -> Any:
    return value.body if isinstance(value, InvalidBody) else value


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--cases", type=int, default=200, help="Hypothesis test cases per run")
    parser.add_argument("--per-case", type=int, default=10, help="values drawn per test case")
    parser.add_argument("--repeat", type=int, default=3, help="runs per strategy; the best counts")
    parser.add_argument("--check", action="store_true", help=f"exit 1 below {TARGET:.0f} bodies/s")
    args = parser.parse_args(argv)
    if args.cases < 1 or args.per_case < 1 or args.repeat < 1:
        parser.error("--cases, --per-case and --repeat must be at least 1")

    subjects: list[tuple[str, st.SearchStrategy[Any]]] = [
        ("st.integers() [baseline]", st.integers()),
        ("update_bodies()", update_bodies()),
        ("invalid_update_bodies()", invalid_update_bodies()),
    ]
    print(f"{args.cases} test cases x {args.per_case} draws, best of {args.repeat}")
    print(f"{'strategy':<28}{'values/s':>12}{'x baseline':>12}{'mean JSON bytes':>17}")
    baseline = 0.0
    below: list[str] = []
    for name, strategy in subjects:
        rate, values = _best(strategy, cases=args.cases, per_case=args.per_case, repeat=args.repeat)
        baseline = baseline or rate
        size = sum(len(json.dumps(_body_of(v))) for v in values) / len(values)
        print(f"{name:<28}{rate:>12,.0f}{rate / baseline:>12.3f}{size:>17,.0f}")
        if strategy is not subjects[0][1] and rate < TARGET:
            below.append(f"{name}: {rate:,.0f}/s is below the {TARGET:,.0f}/s target")
    for line in below:
        print(line)
    return 1 if args.check and below else 0


if __name__ == "__main__":
    sys.exit(main())

"""What a run is asked to do: the profiles, the user's RunConfig, and the seeds derived from it.

Every seeded draw of a run takes its seed from one `Seeds` record, so the
offsets that keep the streams apart (valid, invalid, sweeps, rounds, shrinking)
are written down once instead of being an unwritten agreement between modules.
The same seed gives the same bodies, in the same order, hence the same verdicts.
"""

from __future__ import annotations

import random
import threading
from collections.abc import Callable
from dataclasses import dataclass, field

from promptlog_contract.errors import ConfigurationError


@dataclass(frozen=True)
class Profile:
    valid: int
    invalid: int
    workers: int
    rate_limit: float | None
    schemathesis: int
    rounds: int | None  # None: until --max-time
    shrink_calls: int
    fresh_seed: bool = False


PROFILES: dict[str, Profile] = {
    "ci": Profile(
        valid=80,
        invalid=160,
        workers=2,
        rate_limit=None,
        schemathesis=60,
        rounds=1,
        shrink_calls=60,
    ),
    "staging": Profile(
        valid=40, invalid=80, workers=1, rate_limit=5.0, schemathesis=30, rounds=1, shrink_calls=30
    ),
    "fuzz": Profile(
        valid=150,
        invalid=300,
        workers=2,
        rate_limit=10.0,
        schemathesis=100,
        rounds=None,
        shrink_calls=100,
        fresh_seed=True,
    ),
}


@dataclass
class Stop:
    """Set from a signal handler: the run stops sending, cleans up, and reports what it found."""

    event: threading.Event = field(default_factory=threading.Event)
    signum: int | None = None

    def set(self, signum: int) -> None:
        self.signum = signum
        self.event.set()


@dataclass(frozen=True)
class RunConfig:
    base_url: str | None = None
    api_key: str | None = None
    prompt_id: str | None = None
    log_id: str | None = None
    profile: str = "ci"
    max_examples: int | None = None
    max_time: float | None = None
    max_requests: int | None = None
    seed: int | None = None
    strict: bool = False
    rate_limit: float | None = None
    timeout: float = 10.0
    workers: int | None = None
    schemathesis: bool = True
    mock_faults: tuple[str, ...] = ()
    max_consecutive_errors: int = 25
    progress: Callable[[str], None] | None = None
    #: connect-to-last-byte limit of one request (None: 3 read timeouts, at least 30 s)
    max_request_time: float | None = None
    max_response_bytes: int | None = None
    stop: Stop | None = None

    @property
    def user_log(self) -> bool:
        """Whether the run works on the user's existing log instead of scratch logs."""
        return bool(self.prompt_id and self.log_id)


def profile_of(config: RunConfig) -> Profile:
    if config.profile not in PROFILES:
        raise ConfigurationError(
            f"unknown profile {config.profile!r} (choose from {', '.join(PROFILES)})"
        )
    return PROFILES[config.profile]


@dataclass(frozen=True)
class Seeds:
    """Every seed of one run, derived from `base` (the seed a report shows)."""

    base: int

    @classmethod
    def for_run(cls, config: RunConfig, profile: Profile) -> Seeds:
        """The user's seed; else 0, or a fresh one for profiles that want new bodies each run."""
        if config.seed is not None:
            return cls(config.seed)
        return cls(random.randrange(2**31) if profile.fresh_seed else 0)

    def round(self, n: int) -> int:
        """Round n's seed: rounds step by 2 so a round's invalid stream (+1) is not the next's."""
        return self.base + 2 * n

    def valid(self, n: int) -> int:
        return self.round(n)

    def invalid(self, n: int) -> int:
        return self.round(n) + 1

    def family_sweep(self, n: int) -> int:
        """One invalid body per catalog family."""
        return self.round(n)

    def valid_sweep(self, n: int, chunk: int) -> int:
        """The extra valid samples that top up thin catalog variants, one seed per chunk."""
        return self.round(n) + 7 + chunk

    @property
    def schemathesis(self) -> int:
        return self.base

    def shrink(self, *, invalid: bool) -> int:
        """The search that minimises a failing body replays the first round's stream."""
        return self.invalid(0) if invalid else self.valid(0)


@dataclass(frozen=True)
class Budget:
    """How many bodies a round draws: --max-examples overrides the profile."""

    valid: int
    invalid: int

    @classmethod
    def for_run(cls, config: RunConfig, profile: Profile) -> Budget:
        n = config.max_examples
        return cls(valid=n or profile.valid, invalid=n * 2 if n else profile.invalid)

"""The rules a response must obey: one pure function per rule, and an explicit registry.

Each check takes a frozen `Exchange` and a read-only `Context` and either
returns (the rule held), raises `NotApplicable` (the response is not one the
rule judges: never a pass), or raises a `Violation` subclass naming what went
wrong. The function name is the rule id.
"""

from __future__ import annotations

from promptlog_contract.types import NotApplicable

from ._check import (
    ALL_KINDS,
    AUTH_KINDS,
    GET_KINDS,
    LOG_KINDS,
    PATCH_KINDS,
    Check,
    CheckFunc,
    check,
)
from ._compare import difference, semantically_equal
from ._registry import (
    CHECKS,
    MAY_GO_UNJUDGED,
    OWN_LOG_UNJUDGED,
    Outcome,
    check_names,
    judge,
    run_checks,
)
from ._violations import (
    AuthNotEnforced,
    ConcurrentUpdateLost,
    ErrorNotLocated,
    ForeignErrorEnvelope,
    GetDisagreesWithPatch,
    InvalidBodyAccepted,
    MalformedValidationError,
    OmittedFieldChanged,
    PatchedFieldNotApplied,
    RepeatChangedState,
    ResponseTooLarge,
    SecretEchoed,
    ServerError,
    SiblingLogChanged,
    UndocumentedStatus,
    UnionMismatch,
    UnknownLogFound,
    ValidBodyRejected,
    WrongContentType,
    WrongUnionMember,
)

__all__ = [
    "ALL_KINDS",
    "AUTH_KINDS",
    "CHECKS",
    "GET_KINDS",
    "LOG_KINDS",
    "MAY_GO_UNJUDGED",
    "OWN_LOG_UNJUDGED",
    "PATCH_KINDS",
    "AuthNotEnforced",
    "Check",
    "CheckFunc",
    "ConcurrentUpdateLost",
    "ErrorNotLocated",
    "ForeignErrorEnvelope",
    "GetDisagreesWithPatch",
    "InvalidBodyAccepted",
    "MalformedValidationError",
    "NotApplicable",
    "OmittedFieldChanged",
    "Outcome",
    "PatchedFieldNotApplied",
    "RepeatChangedState",
    "ResponseTooLarge",
    "SecretEchoed",
    "ServerError",
    "SiblingLogChanged",
    "UndocumentedStatus",
    "UnionMismatch",
    "UnknownLogFound",
    "ValidBodyRejected",
    "WrongContentType",
    "WrongUnionMember",
    "check",
    "check_names",
    "difference",
    "judge",
    "run_checks",
    "semantically_equal",
]

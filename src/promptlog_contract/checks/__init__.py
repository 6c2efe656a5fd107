"""The rules a response must obey: one pure function per rule, and an explicit registry.

Each check takes a frozen `Exchange` and a read-only `Context` and either
returns (the rule held, or does not concern this response) or raises a
`Violation` subclass naming what went wrong. The function name is the rule id.
"""

from __future__ import annotations

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
from ._registry import CHECKS, check_names, run_checks
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
    "OmittedFieldChanged",
    "PatchedFieldNotApplied",
    "RepeatChangedState",
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
    "run_checks",
    "semantically_equal",
]

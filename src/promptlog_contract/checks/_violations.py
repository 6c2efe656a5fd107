"""What can go wrong, one class per fault, so reports and tests can name it.

Each class is a `Violation` (from the shared types) and adds nothing but a
name and a docstring: the rule that raised it says why in the message.
"""

from __future__ import annotations

from promptlog_contract.types import Violation

__all__ = [
    "AuthNotEnforced",
    "ConcurrentUpdateLost",
    "ErrorNotLocated",
    "ForeignErrorEnvelope",
    "GetDisagreesWithPatch",
    "InvalidBodyAccepted",
    "MalformedValidationError",
    "OmittedFieldChanged",
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
]


class ServerError(Violation):
    """The server answered with a 5xx status."""


class UndocumentedStatus(Violation):
    """The status code is not one the contract documents for this kind of request."""


class WrongContentType(Violation):
    """A documented JSON response did not say it was JSON."""


class ResponseTooLarge(Violation):
    """The response body is larger than the size cap (after decompression)."""


class UnionMismatch(Violation):
    """A 200 body is not any member of the LogResponse union."""


class WrongUnionMember(Violation):
    """A 200 body for a prompt log is another member of the union."""


class ValidBodyRejected(Violation):
    """A contract-valid body did not get 200."""


class InvalidBodyAccepted(Violation):
    """A body that breaks the contract got a 2xx."""


class MalformedValidationError(Violation):
    """A 422 body is not a well-formed HTTPValidationError."""


class ForeignErrorEnvelope(MalformedValidationError):
    """A 422 body is another error format: none of HTTPValidationError's fields, other keys."""


class ErrorNotLocated(Violation):
    """No 422 error location points at the field that was broken."""


class PatchedFieldNotApplied(Violation):
    """A field sent in the PATCH does not read back as sent."""


class OmittedFieldChanged(Violation):
    """A field not sent in the PATCH changed anyway."""


class RepeatChangedState(Violation):
    """Sending the same PATCH twice changed the log the second time."""


class GetDisagreesWithPatch(Violation):
    """Reading the log back disagrees with what the PATCH returned."""


class ConcurrentUpdateLost(Violation):
    """A field sent by one of several concurrent PATCHes did not read back: an update was lost."""


class SiblingLogChanged(Violation):
    """A log that was not PATCHed changed while another log of its prompt was."""


class UnknownLogFound(Violation):
    """A PATCH of a log that does not exist did not get a 4xx."""


class AuthNotEnforced(Violation):
    """A request with a missing or wrong API key succeeded."""


class SecretEchoed(Violation):
    """The API key appeared in the response."""

"""Domain errors: rule violations reported to clients as `userErrors`, and the
codes of both error channels (SPEC 9 and 12), one enum each.

The values are the public names: schema/enums.py registers `UserErrorCode` as the
GraphQL enum of the same name, and `TopLevelErrorCode` is what a top-level error
carries in `extensions.code`. Both are `StrEnum`s, so they are the strings a
client reads wherever they end up (JSON, logs).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class UserErrorCode(StrEnum):
    """Why a mutation refused its input: the `code` of a `userErrors` entry."""

    EMAIL_IN_USE = "EMAIL_IN_USE"
    INVALID_EMAIL = "INVALID_EMAIL"
    DUPLICATE_EMAIL = "DUPLICATE_EMAIL"
    EMAIL_LIMIT_EXCEEDED = "EMAIL_LIMIT_EXCEEDED"
    PRIMARY_EMAIL_REQUIRED = "PRIMARY_EMAIL_REQUIRED"
    INVALID_STATUS = "INVALID_STATUS"
    INVALID_TOKEN = "INVALID_TOKEN"
    WEAK_PASSWORD = "WEAK_PASSWORD"
    USERNAME_TAKEN = "USERNAME_TAKEN"
    MERGE_CONFLICT = "MERGE_CONFLICT"
    INVALID_IMAGE = "INVALID_IMAGE"
    NOT_FOUND = "NOT_FOUND"
    RATE_LIMITED = "RATE_LIMITED"
    INVALID_INPUT = "INVALID_INPUT"
    STALE_OBJECT = "STALE_OBJECT"


class TopLevelErrorCode(StrEnum):
    """`extensions.code` of a top-level error: a refused permission, a request the
    server does not run, or a bug. The names are the ones Apollo clients know."""

    # Permissions (permissions/policy.py), SPEC 9.
    UNAUTHENTICATED = "UNAUTHENTICATED"
    FORBIDDEN = "FORBIDDEN"
    CONTACT_LOCKED = "CONTACT_LOCKED"
    # The document and its variables (hardening/), SPEC 12.
    GRAPHQL_PARSE_FAILED = "GRAPHQL_PARSE_FAILED"
    GRAPHQL_VALIDATION_FAILED = "GRAPHQL_VALIDATION_FAILED"
    BAD_USER_INPUT = "BAD_USER_INPUT"
    INTROSPECTION_DISABLED = "INTROSPECTION_DISABLED"
    INVALID_INPUT = "INVALID_INPUT"  # an argument out of range: a page size, too many ids
    QUERY_TOO_LARGE = "QUERY_TOO_LARGE"
    QUERY_TOO_COSTLY = "QUERY_TOO_COSTLY"
    PERSISTED_QUERY_NOT_FOUND = "PERSISTED_QUERY_NOT_FOUND"
    PERSISTED_QUERY_NOT_SUPPORTED = "PERSISTED_QUERY_NOT_SUPPORTED"
    PERSISTED_QUERY_NOT_ALLOWED = "PERSISTED_QUERY_NOT_ALLOWED"
    PERSISTED_QUERY_HASH_MISMATCH = "PERSISTED_QUERY_HASH_MISMATCH"
    # The HTTP request around the document (hardening/http.py).
    BAD_REQUEST = "BAD_REQUEST"
    NOT_FOUND = "NOT_FOUND"
    METHOD_NOT_ALLOWED = "METHOD_NOT_ALLOWED"
    PAYLOAD_TOO_LARGE = "PAYLOAD_TOO_LARGE"
    UNSUPPORTED_MEDIA_TYPE = "UNSUPPORTED_MEDIA_TYPE"
    TIMEOUT = "TIMEOUT"
    # The server itself.
    SERVICE_UNAVAILABLE = "SERVICE_UNAVAILABLE"
    INTERNAL_SERVER_ERROR = "INTERNAL_SERVER_ERROR"


@dataclass(frozen=True)
class Violation:
    """One broken rule: `field` is the path into the mutation's input."""

    field: tuple[str, ...]
    code: UserErrorCode
    message: str


class RuleError(Exception):
    """Raised by services when a request breaks business rules; nothing is written."""

    def __init__(self, *violations: Violation, conflicting_contact_id: int | None = None):
        super().__init__("; ".join(v.message for v in violations))
        self.violations = list(violations)
        self.conflicting_contact_id = conflicting_contact_id


class NotFound(RuleError):
    def __init__(self, field_path: tuple[str, ...], what: str = "object"):
        super().__init__(Violation(field_path, UserErrorCode.NOT_FOUND, f"No {what} with this id."))


@dataclass
class Collected:
    """Accumulates violations so a request reports all of them at once."""

    violations: list[Violation] = field(default_factory=list)

    def add(self, path: tuple[str, ...], code: UserErrorCode, message: str) -> None:
        self.violations.append(Violation(path, code, message))

    def raise_if_any(self) -> None:
        if self.violations:
            raise RuleError(*self.violations)

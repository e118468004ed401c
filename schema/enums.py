"""GraphQL enums."""

from __future__ import annotations

from enum import Enum

import strawberry


@strawberry.enum(description="Where an Owner Contact is in the owner-activation flow (SPEC 2.1).")
class ActivationStatus(Enum):
    INACTIVE = "INACTIVE"
    PENDING = "PENDING"
    ACTIVE = "ACTIVE"


@strawberry.enum
class BuilderRole(Enum):
    ADMIN = "ADMIN"
    STAFF = "STAFF"


@strawberry.enum
class ContactOrder(Enum):
    LAST_NAME = "LAST_NAME"
    FIRST_NAME = "FIRST_NAME"
    CREATED_AT = "CREATED_AT"


@strawberry.enum(description="Why a mutation refused its input; see `UserError.message` for the words.")
class UserErrorCode(Enum):
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

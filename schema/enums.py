"""GraphQL enums.

An enum the domain defines is registered here as it is, so that models, policy,
services and the schema share one vocabulary: a resolver returns the domain's
member and an argument arrives as one. Only the descriptions are the schema's.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import Enum

import strawberry
from strawberry.types.enum import StrawberryEnumDefinition

from domain import activation, errors


def describe_values(enum: type[Enum], descriptions: Mapping[Enum, str]) -> None:
    """Gives each value of a registered domain enum its description: Strawberry reads
    value descriptions from `strawberry.enum_value`, which a domain enum cannot use."""
    definition: StrawberryEnumDefinition = enum.__strawberry_definition__  # type: ignore[attr-defined]
    for value in definition.values:
        value.description = descriptions[enum[value.name]]


ActivationStatus = strawberry.enum(
    activation.ActivationStatus, description="Where an Owner Contact is in the owner-activation flow (SPEC 2.1)."
)
describe_values(ActivationStatus, {
    ActivationStatus.INACTIVE: "No owner login: the builder edits the contact info. `sendInvite` invites the owner.",
    ActivationStatus.PENDING: "Invited, not yet accepted: the contact info is locked until the owner accepts or the "
    "builder cancels the invite.",
    ActivationStatus.ACTIVE: "The owner signs in and manages their own contact info; `deactivateOwner` ends that.",
})


@strawberry.enum(description="What a builder's staff member may do.")
class BuilderRole(Enum):
    ADMIN = strawberry.enum_value("ADMIN", description="Everything staff may do, and define custom fields.")
    STAFF = strawberry.enum_value("STAFF", description="Contacts, invites, jobs, leads and merges.")


@strawberry.enum(description="The orders of the `contacts` list.")
class ContactOrder(Enum):
    LAST_NAME = strawberry.enum_value("LAST_NAME", description="By last name, A to Z (blank names first).")
    FIRST_NAME = strawberry.enum_value("FIRST_NAME", description="By first name, A to Z (blank names first).")
    CREATED_AT = strawberry.enum_value("CREATED_AT", description="By creation, oldest first.")


UserErrorCode = strawberry.enum(
    errors.UserErrorCode, description="Why a mutation refused its input; see `UserError.message` for the words."
)
describe_values(UserErrorCode, {
    UserErrorCode.EMAIL_IN_USE: (
        "The primary email belongs to another claimed (pending or active) contact of the account. Offer "
        "`conflictingContact` instead when the payload has it, or use another email; an owner asks their "
        "builder."
    ),
    UserErrorCode.INVALID_EMAIL: "Not an email address. Ask the user to correct it (`field` points to it).",
    UserErrorCode.DUPLICATE_EMAIL: "The same email twice on one contact. Remove the repeat.",
    UserErrorCode.EMAIL_LIMIT_EXCEEDED: (
        "More than 5 additional emails. Remove some; for a merge, choose at most 5 of `candidateEmails` in "
        "`additionalEmails`."
    ),
    UserErrorCode.PRIMARY_EMAIL_REQUIRED: (
        "Additional emails need a primary email, and a claimed contact's primary email cannot be cleared. Set"
        " a primary email first."
    ),
    UserErrorCode.INVALID_STATUS: (
        "The contact's activation status does not allow this step (cancelling an invite that is not pending, "
        "deactivating an owner who is not active). Read the contact again and offer what `viewerCan` allows."
    ),
    UserErrorCode.INVALID_TOKEN: (
        "The invite or reset token is used, cancelled, superseded, expired or unknown. Ask for a new link."
    ),
    UserErrorCode.WEAK_PASSWORD: (
        "The password is too short (under 10), too long (over 128) or too common. Ask for another."
    ),
    UserErrorCode.USERNAME_TAKEN: "The username, or one that looks the same, is taken. Ask for another.",
    UserErrorCode.MERGE_CONFLICT: (
        "The merge (or undo) is not safe: more than one claimed contact, a claimed contact that is not the "
        "survivor, or a change since the merge. The message says which; resolve it first."
    ),
    UserErrorCode.INVALID_IMAGE: (
        "Not a JPEG, PNG or WebP image, or over 5 MB or 25 megapixels. Ask for another file."
    ),
    UserErrorCode.NOT_FOUND: (
        "An id in the input names nothing the viewer can see (missing, deleted, or another account's). Drop "
        "it from the client's cache and read again."
    ),
    UserErrorCode.RATE_LIMITED: "Too many attempts (sign-in, invites, resets). Wait a while, then try again.",
    UserErrorCode.INVALID_INPUT: (
        "A value the field does not take (control characters in a name, a custom field value of the wrong "
        "type, an unknown option). Ask the user to correct the field `field` points to."
    ),
    UserErrorCode.STALE_OBJECT: (
        "A concurrent request changed the object while this change ran: it wrote first, or it changed the "
        "contact so that this change is no longer allowed (an invite was sent, the owner activated). Read it "
        "again, then retry."
    ),
})


@strawberry.enum(description="The orders of the `jobs` list.")
class JobOrder(Enum):
    NAME = strawberry.enum_value("NAME", description="By name, A to Z.")
    CREATED_AT = strawberry.enum_value("CREATED_AT", description="By creation, oldest first.")


@strawberry.enum(description="The orders of the `leads` list.")
class LeadOrder(Enum):
    TITLE = strawberry.enum_value("TITLE", description="By title, A to Z.")
    CREATED_AT = strawberry.enum_value("CREATED_AT", description="By creation, oldest first.")

"""Mutation payloads: every one carries `userErrors` (SPEC 9, 11)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime

import strawberry
from strawberry import relay

from schema.types import USER_ERRORS, Contact, UserError, Viewer


@strawberry.type(description="A new session: sign-in, invite acceptance or password reset.")
class SessionPayload:
    token: str | None = strawberry.field(
        default=None, description="The bearer token: send it as `Authorization: Bearer <token>`. Null when refused."
    )
    expires_at: datetime | None = strawberry.field(default=None, description="When the session ends.")
    viewer: Viewer | None = strawberry.field(default=None, description="Who the session signs in.")
    user_errors: list[UserError] = strawberry.field(default_factory=list, description=USER_ERRORS)


async def _duplicate_contacts(root: ContactPayload) -> list[Contact]:
    return [] if root._duplicates is None else await root._duplicates()


@strawberry.type(description="The answer of a contact mutation.")
class ContactPayload:
    contact: Contact | None = strawberry.field(
        default=None, description="The contact as it is now; null when refused."
    )
    conflicting_contact: Contact | None = strawberry.field(
        default=None, description="The contact that already holds the email, when the app may offer to select it."
    )
    duplicate_contacts: list[Contact] = strawberry.field(
        resolver=_duplicate_contacts,
        description="Never-invited contacts with the same primary email: candidates to merge.",
    )
    user_errors: list[UserError] = strawberry.field(default_factory=list, description=USER_ERRORS)
    # Reads the duplicates, only when the selection asks for them.
    _duplicates: strawberry.Private[Callable[[], Awaitable[list[Contact]]] | None] = None


@strawberry.type(description="The answer of a mutation that returns no object.")
class OkPayload:
    ok: bool = strawberry.field(default=False, description="True when the mutation did what it was asked.")
    user_errors: list[UserError] = strawberry.field(default_factory=list, description=USER_ERRORS)


@strawberry.type(description="The answer of `deleteContact`.")
class DeleteContactPayload:
    ok: bool = strawberry.field(default=False, description="True when the contact was deleted.")
    deleted_contact_id: relay.GlobalID | None = strawberry.field(
        default=None,
        description="The id of the deleted contact, for the client to evict it from its cache "
        "(Relay: `@deleteRecord`); null when nothing was deleted.",
    )
    user_errors: list[UserError] = strawberry.field(default_factory=list, description=USER_ERRORS)

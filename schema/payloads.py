"""Mutation payloads: every one carries `userErrors` (SPEC 9, 11)."""

from __future__ import annotations

from datetime import datetime

import strawberry

from schema.types import Contact, UserError, Viewer


@strawberry.type
class SessionPayload:
    token: str | None = None
    expires_at: datetime | None = None
    viewer: Viewer | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class ContactPayload:
    contact: Contact | None = None
    conflicting_contact: Contact | None = strawberry.field(
        default=None, description="The contact that already holds the email, when the app may offer to select it."
    )
    duplicate_contacts: list[Contact] = strawberry.field(
        default_factory=list,
        description="Never-invited contacts with the same primary email: candidates to merge.",
    )
    user_errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class OkPayload:
    ok: bool = False
    user_errors: list[UserError] = strawberry.field(default_factory=list)

"""Invite inputs and types (SPEC 3): accepting an invite, and what the accept page may learn about
one without using its token up."""

from __future__ import annotations

from datetime import datetime

import strawberry


@strawberry.input(description="The invite token and the credentials the owner chooses.")
class AcceptInviteInput:
    token: str = strawberry.field(description="The token from the invite link.")
    username: str = strawberry.field(description="The username the owner chooses (3 to 150 characters).")
    password: str = strawberry.field(description="The password the owner chooses (10 to 128 characters).")


@strawberry.type(description="What the accept page shows about an invite link. Reading it does not use the link up.")
class InviteDetails:
    valid: bool = strawberry.field(description="False for a used, cancelled, superseded, expired or unknown token.")
    builder_name: str | None = strawberry.field(
        default=None, description="The builder who sent the invite; null for a dead token."
    )
    first_name: str | None = strawberry.field(
        default=None, description="The invited contact's first name; null for a dead token."
    )
    expires_at: datetime | None = strawberry.field(
        default=None, description="When the link stops working; null for a dead token."
    )

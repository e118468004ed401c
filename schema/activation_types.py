"""Inputs and types of the invite and password operations (SPEC 3, 11).

No input here names a contact or a user: credentials are set only by whoever
holds the invite or reset token, or by the signed-in user for themself."""

from __future__ import annotations

from datetime import datetime

import strawberry

from schema.types import UserError


@strawberry.input(description="The invite token and the credentials the owner chooses.")
class AcceptInviteInput:
    token: str = strawberry.field(description="The token from the invite link.")
    username: str = strawberry.field(description="The username the owner chooses (3 to 150 characters).")
    password: str = strawberry.field(description="The password the owner chooses (10 to 128 characters).")


@strawberry.input(description="Who asks for a password reset link.")
class RequestPasswordResetInput:
    login: str = strawberry.field(description="A username or a primary email.")


@strawberry.input(description="The reset token and the new password.")
class ResetPasswordInput:
    token: str = strawberry.field(description="The token from the reset link.")
    new_password: str = strawberry.field(description="The new password (10 to 128 characters, not a common one).")


@strawberry.input(description="The signed-in user's current and new password.")
class ChangePasswordInput:
    current_password: str = strawberry.field(description="The password in use now.")
    new_password: str = strawberry.field(description="The new password (10 to 128 characters, not a common one).")


@strawberry.input(description="Confirms an active owner's new primary email with the token mailed to it.")
class ConfirmEmailChangeInput:
    token: str = strawberry.field(description="The token from the confirmation link (`/confirm-email?token=`).")


@strawberry.type(description="The outcome of `confirmEmailChange`.")
class ConfirmEmailChangePayload:
    ok: bool = strawberry.field(
        default=False,
        description="True when the new address became the primary email; every session of the owner has ended.",
    )
    primary_email: str | None = strawberry.field(
        default=None, description="The owner's primary email now (the confirmed address); null on refusal."
    )
    user_errors: list[UserError] = strawberry.field(
        default_factory=list, description="Why the confirmation was refused (INVALID_TOKEN, EMAIL_IN_USE, RATE_LIMITED)."
    )


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

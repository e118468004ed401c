"""The input and payload of confirming an active owner's new primary email (SPEC 12)."""

from __future__ import annotations

import strawberry

from schema.payloads import UserError


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

"""Root fields of password reset and change (SPEC 3), merged into `Mutation` in
resolvers/root/build.py."""

from __future__ import annotations

import strawberry

from permissions.classes import IsSignedIn
from resolvers import passwords
from schema.accounts import SessionPayload
from schema.payloads import OkPayload


@strawberry.type
class PasswordMutation:
    request_password_reset: OkPayload | None = strawberry.field(
        resolver=passwords.request_password_reset,
        description="Mail a reset link to an active owner's primary email. Answers the same whether or not "
        "the login matched anybody.",
    )
    reset_password: SessionPayload | None = strawberry.field(
        resolver=passwords.reset_password,
        description="Set a new password with the reset token; ends every other session; returns a session.",
    )
    change_password: OkPayload | None = strawberry.field(
        resolver=passwords.change_password,
        permission_classes=[IsSignedIn],
        description="Change your own password; your other sessions end.",
    )

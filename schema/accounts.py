"""Sign-in's input and payload (SPEC 1): `login` takes a `LoginInput`; it, `acceptInvite` and
`resetPassword` answer with a `SessionPayload`."""

from __future__ import annotations

from datetime import datetime

import strawberry

from schema.payloads import USER_ERRORS, UserError
from schema.types import Viewer


@strawberry.input(description="Credentials to sign in with.")
class LoginInput:
    username: str = strawberry.field(description="The username (case-insensitive).")
    password: str = strawberry.field(description="The password.")


@strawberry.type(description="A new session: sign-in, invite acceptance or password reset.")
class SessionPayload:
    token: str | None = strawberry.field(
        default=None, description="The bearer token: send it as `Authorization: Bearer <token>`. Null when refused."
    )
    expires_at: datetime | None = strawberry.field(default=None, description="When the session ends.")
    viewer: Viewer | None = strawberry.field(default=None, description="Who the session signs in.")
    user_errors: list[UserError] = strawberry.field(default_factory=list, description=USER_ERRORS)

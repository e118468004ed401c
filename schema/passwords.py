"""Password inputs (SPEC 3): asking for a reset link, resetting with its token, changing one's own
password."""

from __future__ import annotations

import strawberry


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

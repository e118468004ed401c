"""What every mutation payload shares (SPEC 9, 11): `userErrors`, and `OkPayload` for the
mutations that answer with nothing else."""

from __future__ import annotations

from typing import Iterable

import strawberry
from strawberry.utils.str_converters import to_camel_case

from schema.enums import UserErrorCode


@strawberry.type(description="Why a mutation refused its input: a business rule or a validation, as data.")
class UserError:
    field: list[str] | None = strawberry.field(
        description="Path into the mutation's input (`[\"additionalEmails\", \"2\"]`); null when no one field is at fault."
    )
    message: str = strawberry.field(description="What went wrong, in words to show the user.")
    code: UserErrorCode = strawberry.field(description="What went wrong, for the client to act on.")

    @classmethod
    def from_violations(cls, violations: Iterable) -> list[UserError]:
        """Each path in the input's GraphQL names: services name fields in snake_case."""
        return [
            cls(field=[to_camel_case(part) for part in v.field] or None, message=v.message, code=v.code)
            for v in violations
        ]


USER_ERRORS = (
    "Why the mutation refused its input, as data; empty when it succeeded. Nothing is written when "
    "there is one."
)


@strawberry.type(description="The answer of a mutation that returns no object.")
class OkPayload:
    ok: bool = strawberry.field(default=False, description="True when the mutation did what it was asked.")
    user_errors: list[UserError] = strawberry.field(default_factory=list, description=USER_ERRORS)

"""GraphQL input types (SPEC 11). In update inputs an absent field stays as it
is and an explicit null clears it (`strawberry.Maybe`)."""

from __future__ import annotations

import strawberry
from strawberry import relay


@strawberry.input
class AddressInput:
    street: strawberry.Maybe[str | None]
    city: strawberry.Maybe[str | None]
    state: strawberry.Maybe[str | None]
    postal_code: strawberry.Maybe[str | None]


@strawberry.input
class LoginInput:
    username: str
    password: str


@strawberry.input
class CreateContactInput:
    first_name: str | None = None
    last_name: str | None = None
    phone: str | None = None
    cell_phone: str | None = None
    address: AddressInput | None = None
    primary_email: str | None = None
    additional_emails: list[str] | None = None


@strawberry.input
class UpdateContactInfoInput:
    contact_id: relay.GlobalID
    first_name: strawberry.Maybe[str | None]
    last_name: strawberry.Maybe[str | None]
    phone: strawberry.Maybe[str | None]
    cell_phone: strawberry.Maybe[str | None]
    address: strawberry.Maybe[AddressInput | None]
    primary_email: strawberry.Maybe[str | None]


@strawberry.input
class SetAdditionalEmailsInput:
    contact_id: relay.GlobalID
    emails: list[str] = strawberry.field(description="The whole new list of additional emails (0 to 5).")


@strawberry.input
class PromoteAdditionalEmailInput:
    contact_id: relay.GlobalID
    email: str


@strawberry.input
class ContactIdInput:
    contact_id: relay.GlobalID

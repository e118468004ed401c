"""Owner Contact inputs and payloads (SPEC 2, 11). In update inputs an absent field stays as it is
and an explicit null clears it (`strawberry.Maybe`)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import strawberry
from strawberry import relay

from schema.payloads import USER_ERRORS, UserError
from schema.types import Contact


# In an update, a field left out stays as it is; an explicit null clears it.
KEEP_OR_CLEAR = " Left out: unchanged; null: cleared."


@strawberry.input(description="A postal address. In an update, a part left out stays as it is; null clears it.")
class AddressInput:
    street: strawberry.Maybe[str | None] = strawberry.field(description="Street and number.")
    city: strawberry.Maybe[str | None] = strawberry.field(description="City or town.")
    state: strawberry.Maybe[str | None] = strawberry.field(description="State, province or region.")
    postal_code: strawberry.Maybe[str | None] = strawberry.field(description="Postal or ZIP code.")


@strawberry.input(description="A new contact; every field may be left out.")
class CreateContactInput:
    first_name: str | None = strawberry.field(default=None, description="First name.")
    last_name: str | None = strawberry.field(default=None, description="Last name.")
    phone: str | None = strawberry.field(default=None, description="Phone number.")
    cell_phone: str | None = strawberry.field(default=None, description="Cell phone number.")
    address: AddressInput | None = strawberry.field(default=None, description="Postal address.")
    primary_email: str | None = strawberry.field(
        default=None, description="The primary email (required before any additional email)."
    )
    additional_emails: list[str] | None = strawberry.field(default=None, description="Up to 5 more emails.")


@strawberry.input(description="A change of contact info: only the fields given change.")
class UpdateContactInfoInput:
    contact_id: relay.GlobalID = strawberry.field(description="The contact to change.")
    first_name: strawberry.Maybe[str | None] = strawberry.field(description="First name." + KEEP_OR_CLEAR)
    last_name: strawberry.Maybe[str | None] = strawberry.field(description="Last name." + KEEP_OR_CLEAR)
    phone: strawberry.Maybe[str | None] = strawberry.field(description="Phone number." + KEEP_OR_CLEAR)
    cell_phone: strawberry.Maybe[str | None] = strawberry.field(description="Cell phone number." + KEEP_OR_CLEAR)
    address: strawberry.Maybe[AddressInput | None] = strawberry.field(
        description="Postal address: the parts given change." + KEEP_OR_CLEAR
    )
    primary_email: strawberry.Maybe[str | None] = strawberry.field(
        description="The primary email." + KEEP_OR_CLEAR + " (Not clearable while additional emails exist.)"
    )


@strawberry.input(description="A contact's whole new list of additional emails.")
class SetAdditionalEmailsInput:
    contact_id: relay.GlobalID = strawberry.field(description="The contact to change.")
    emails: list[str] = strawberry.field(description="The whole new list of additional emails (0 to 5).")


@strawberry.input(description="Which additional email becomes the primary email.")
class PromoteAdditionalEmailInput:
    contact_id: relay.GlobalID = strawberry.field(description="The contact to change.")
    email: str = strawberry.field(description="One of the contact's additional emails.")


@strawberry.input(description="The contact a mutation acts on.")
class ContactIdInput:
    contact_id: relay.GlobalID = strawberry.field(description="The contact's global id.")


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


@strawberry.type(description="The answer of `deleteContact`.")
class DeleteContactPayload:
    ok: bool = strawberry.field(default=False, description="True when the contact was deleted.")
    deleted_contact_id: relay.GlobalID | None = strawberry.field(
        default=None,
        description="The id of the deleted contact, for the client to evict it from its cache "
        "(Relay: `@deleteRecord`); null when nothing was deleted.",
    )
    user_errors: list[UserError] = strawberry.field(default_factory=list, description=USER_ERRORS)

"""What the mutation resolvers share: reading `Maybe` inputs into the services'
typed inputs, and reading contacts back for payloads."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import fields
from typing import Any

import strawberry
from strawberry.types import Info

import schema.types as types
from domain.errors import NotFound
from domain.ids import global_record_id
from repository.contacts import ContactRepository
from resolvers.loaders import bundle_contacts
from schema import inputs
from services.contacts import UNCHANGED, AddressInput

# Every mutation takes one `input` argument (SPEC 9, 11); its type says the rest.
INPUT = strawberry.argument(description="The mutation's input: one object, described by its type.")


def required_id(global_id: Any, type_name: str) -> int:
    """The record id a required global id names; one that names no `type_name` is
    NOT_FOUND at its input field (`jobId` for a Job)."""
    record_id = global_record_id(global_id, type_name)
    if record_id is None:
        raise NotFound((f"{type_name.lower()}_id",), type_name.lower())
    return record_id


def given(maybe: Any) -> Any:
    """A `Maybe` input field as services take it: UNCHANGED when it was left out
    (Some(None), an explicit null, clears)."""
    return UNCHANGED if maybe is None else maybe.value


def address_input(address: inputs.AddressInput | None) -> AddressInput | None:
    if address is None:
        return None
    return AddressInput(**{part.name: given(getattr(address, part.name)) for part in fields(AddressInput)})


async def contacts_for_payload(info: Info, contact_ids: Sequence[int]) -> list[types.Contact]:
    """Reads contacts after a commit, in a fresh session, as the viewer sees them
    (those a payload names beside the changed one, which the unit of work holds)."""
    if not contact_ids:
        return []
    context = info.context
    async with context.session_factory() as session:
        repo = ContactRepository(session, context.actor.builder_account_id)
        rows = await repo.get_many(list(contact_ids))
        bundles = await bundle_contacts(repo, [rows[i] for i in contact_ids if i in rows])
    return [types.Contact.from_model(b.contact, b.additional_emails, info) for b in bundles]


async def duplicates_of(info: Info, contact_id: int, primary_email: str | None) -> list[types.Contact]:
    """The never-invited contacts that share the contact's primary email (merge
    candidates), read after the commit."""
    if not primary_email:
        return []
    context = info.context
    async with context.session_factory() as session:
        repo = ContactRepository(session, context.actor.builder_account_id)
        rows = await repo.with_primary_email(primary_email, exclude_id=contact_id, statuses=["INACTIVE"])
        bundles = await bundle_contacts(repo, rows)
    return [types.Contact.from_model(b.contact, b.additional_emails, info) for b in bundles]

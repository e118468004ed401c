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
from permissions.policy import read_scope
from reads import nodes, prefetch
from repository.prefetch import ContactRows
from resolvers.selection import selected_paths
from schema import contacts
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


def address_input(address: contacts.AddressInput | None) -> AddressInput | None:
    if address is None:
        return None
    return AddressInput(**{part.name: given(getattr(address, part.name)) for part in fields(AddressInput)})


async def written_contact(info: Info, row, additional_emails: list[str]) -> types.Contact:
    """The payload's `contact`: the contact a mutation changed, as its unit of work
    left it (no read), as the viewer sees it (`ReadScope.by_name_only`, the predicate
    the statements' SQL answers alike: the viewer was allowed the change, so they
    read it in full). The relations the payload asks of it are read with the
    prefetch statements (reads/prefetch.written) and resolve from the batches."""
    rows = ContactRows(row, read_scope(info.context.actor).by_name_only(row.id), list(additional_emails))
    return (await _answering(info, [rows], "contact"))[0]


async def contacts_for_payload(info: Info, contact_ids: Sequence[int], *fields: str) -> list[types.Contact]:
    """Reads contacts after a commit, in a fresh session, as the viewer sees them
    (those a payload names beside the changed one, which the unit of work holds),
    with the relations the payload's `fields` that answer them ask for
    (reads/prefetch.written)."""
    return await _answering(info, await nodes.contacts_as_written(info.context, contact_ids), *fields)


async def live_contact_for_payload(info: Info, contact_id: int, field: str) -> types.Contact | None:
    """The contact `contact_id` stands for now (merge redirects followed), read after
    a commit as the viewer sees it, for the payload's `field`, with the relations it asks for."""
    [found] = await nodes.contacts(info.context, [contact_id])
    return None if found is None else (await _answering(info, [found], field))[0]


async def _answering(info: Info, found: list[ContactRows], *fields: str) -> list[types.Contact]:
    """The types of contacts read for the payload's `fields`, the relations those ask for read with them."""
    await prefetch.written(info.context, selected_paths(info), [field + "." for field in fields], found)
    return [types.Contact.from_rows(rows) for rows in found]


async def duplicates_of(info: Info, contact_id: int, primary_email: str | None) -> list[types.Contact]:
    """The never-invited contacts that share the contact's primary email (merge
    candidates), read after the commit."""
    found = await nodes.never_invited_sharing(info.context, contact_id, primary_email)
    return await _answering(info, found, "duplicateContacts")

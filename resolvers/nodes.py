"""Loading objects by global id: `node(id)`, `contact(id)`, `job(id)`, `lead(id)`,
custom fields.

Objects of another builder account, and objects the viewer may not read, are
reported exactly like missing ones (null)."""

from __future__ import annotations

from strawberry.types import Info

import schema.custom_field_types as field_types
import schema.types as types
from domain.ids import record_id
from permissions.policy import (
    ActorKind,
    ContactFacts,
    can_read_contact,
    jobs_seen_through,
    sees_leads,
    sees_only_owner_visible_fields,
)
from repository.contacts import ContactRepository
from repository.custom_fields import CustomFieldRepository
from repository.work import WorkRepository
from resolvers.loaders import bundle_contacts


def _int_ids(node_ids: list[str]) -> list[int | None]:
    return [record_id(i) for i in node_ids]


def _missing(required: bool, node_id: str):
    if required:
        raise ValueError(f"No object with id {node_id}.")
    return None


async def contacts_by_ids(info: Info, node_ids: list[str], required: bool) -> list[types.Contact | None]:
    context = info.context
    if context.actor.kind is ActorKind.ANONYMOUS:
        return [_missing(required, i) for i in node_ids]
    async with context.session_factory() as session:
        contacts = ContactRepository(session, context.actor.builder_account_id)
        # Old ids of merged contacts keep resolving to the survivor (SPEC 4).
        resolved = [await contacts.resolve_id(i) if i is not None else None for i in _int_ids(node_ids)]
        rows = await contacts.get_many([i for i in resolved if i is not None])
        bundles = {b.contact.id: b for b in await bundle_contacts(contacts, list(rows.values()))}
    result = []
    for node_id, contact_id in zip(node_ids, resolved):
        bundle = bundles.get(contact_id)
        if bundle is None or not can_read_contact(
            context.actor, ContactFacts(bundle.contact.id, bundle.contact.activation_status)
        ).allowed:
            result.append(_missing(required, node_id))
        else:
            result.append(types.Contact.from_model(bundle.contact, bundle.additional_emails, info))
    return result


async def _job_ids_of(session, context, contact_id: int) -> set[int]:
    work = WorkRepository(session, context.actor.builder_account_id)
    return {job.id for job in (await work.jobs_by_contact([contact_id])).get(contact_id, [])}


async def jobs_by_ids(info: Info, node_ids: list[str], required: bool) -> list[types.Job | None]:
    context = info.context
    if context.actor.kind is ActorKind.ANONYMOUS:
        return [_missing(required, i) for i in node_ids]
    ids = _int_ids(node_ids)
    async with context.session_factory() as session:
        rows = await WorkRepository(session, context.actor.builder_account_id).jobs([i for i in ids if i])
        if (contact_id := jobs_seen_through(context.actor)) is not None:
            visible = await _job_ids_of(session, context, contact_id)
            rows = {k: v for k, v in rows.items() if k in visible}
    return [types.Job.from_model(rows[i]) if i in rows else _missing(required, n) for n, i in zip(node_ids, ids)]


async def leads_by_ids(info: Info, node_ids: list[str], required: bool) -> list[types.Lead | None]:
    context = info.context
    if not sees_leads(context.actor):
        return [_missing(required, i) for i in node_ids]
    ids = _int_ids(node_ids)
    async with context.session_factory() as session:
        rows = await WorkRepository(session, context.actor.builder_account_id).leads([i for i in ids if i])
    return [types.Lead.from_model(rows[i]) if i in rows else _missing(required, n) for n, i in zip(node_ids, ids)]


async def fields_by_ids(info: Info, node_ids: list[str], required: bool) -> list[field_types.CustomField | None]:
    """An owner finds only the fields marked `visibleToOwner` (SPEC 8)."""
    context = info.context
    if context.actor.kind is ActorKind.ANONYMOUS:
        return [_missing(required, i) for i in node_ids]
    ids = _int_ids(node_ids)
    async with context.session_factory() as session:
        rows = await CustomFieldRepository(session, context.actor.builder_account_id).definitions_by_id(
            [i for i in ids if i is not None], visible_only=sees_only_owner_visible_fields(context.actor)
        )
    return [
        field_types.CustomField.from_model(rows[i]) if i in rows else _missing(required, n)
        for n, i in zip(node_ids, ids)
    ]

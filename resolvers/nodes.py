"""Loading objects by global id: `node(id)`, `contact(id)`, `job(id)`, `lead(id)`,
custom fields.

Objects of another builder account, and objects the viewer may not read, are
reported exactly like missing ones (null)."""

from __future__ import annotations

import asyncio
from typing import Annotated

import strawberry
from strawberry import relay
from strawberry.exceptions import StrawberryGraphQLError
from strawberry.relay.types import GlobalIDValueError
from strawberry.types import Info

import schema.custom_field_types as field_types
import schema.types as types
from domain.ids import record_id
from permissions.policy import (
    ActorKind,
    ContactFacts,
    can_read_contact,
    jobs_seen_through,
    sees_account,
    sees_leads,
    sees_only_owner_visible_fields,
    sees_user,
)
from repository.accounts import AccountRepository
from repository.contacts import ContactRepository
from repository.custom_fields import CustomFieldRepository
from repository.work import WorkRepository
from resolvers.loaders import bundle_contacts


MAX_NODES = 100


def _int_ids(node_ids: list[str]) -> list[int | None]:
    return [record_id(i) for i in node_ids]


def missing_node(required: bool, node_id: str):
    if required:
        raise ValueError(f"No object with id {node_id}.")
    return None


async def contacts_by_ids(info: Info, node_ids: list[str], required: bool) -> list[types.Contact | None]:
    context = info.context
    if context.actor.kind is ActorKind.ANONYMOUS:
        return [missing_node(required, i) for i in node_ids]
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
            result.append(missing_node(required, node_id))
        else:
            result.append(types.Contact.from_model(bundle.contact, bundle.additional_emails, info))
    return result


async def _job_ids_of(session, context, contact_id: int) -> set[int]:
    work = WorkRepository(session, context.actor.builder_account_id)
    return {job.id for job in (await work.jobs_by_contact([contact_id])).get(contact_id, [])}


async def jobs_by_ids(info: Info, node_ids: list[str], required: bool) -> list[types.Job | None]:
    context = info.context
    if context.actor.kind is ActorKind.ANONYMOUS:
        return [missing_node(required, i) for i in node_ids]
    ids = _int_ids(node_ids)
    async with context.session_factory() as session:
        rows = await WorkRepository(session, context.actor.builder_account_id).jobs([i for i in ids if i])
        if (contact_id := jobs_seen_through(context.actor)) is not None:
            visible = await _job_ids_of(session, context, contact_id)
            rows = {k: v for k, v in rows.items() if k in visible}
    return [types.Job.from_model(rows[i]) if i in rows else missing_node(required, n) for n, i in zip(node_ids, ids)]


async def leads_by_ids(info: Info, node_ids: list[str], required: bool) -> list[types.Lead | None]:
    context = info.context
    if not sees_leads(context.actor):
        return [missing_node(required, i) for i in node_ids]
    ids = _int_ids(node_ids)
    async with context.session_factory() as session:
        rows = await WorkRepository(session, context.actor.builder_account_id).leads([i for i in ids if i])
    return [types.Lead.from_model(rows[i]) if i in rows else missing_node(required, n) for n, i in zip(node_ids, ids)]


async def fields_by_ids(info: Info, node_ids: list[str], required: bool) -> list[field_types.CustomField | None]:
    """An owner finds only the fields marked `visibleToOwner` (SPEC 8)."""
    context = info.context
    if context.actor.kind is ActorKind.ANONYMOUS:
        return [missing_node(required, i) for i in node_ids]
    ids = _int_ids(node_ids)
    async with context.session_factory() as session:
        rows = await CustomFieldRepository(session, context.actor.builder_account_id).definitions_by_id(
            [i for i in ids if i is not None], visible_only=sees_only_owner_visible_fields(context.actor)
        )
    return [
        field_types.CustomField.from_model(rows[i]) if i in rows else missing_node(required, n)
        for n, i in zip(node_ids, ids)
    ]


async def accounts_by_ids(info: Info, node_ids: list[str], required: bool) -> list[types.BuilderAccount | None]:
    """The viewer's own builder account; any other is reported as missing."""
    context = info.context
    ids = _int_ids(node_ids)
    own = context.actor.builder_account_id
    name = None
    if any(i is not None and sees_account(context.actor, i) for i in ids):
        async with context.session_factory() as session:
            name = (await AccountRepository(session).builder(own)).name
    return [
        types.BuilderAccount(id=i, name=name) if name is not None and i == own else missing_node(required, n)
        for n, i in zip(node_ids, ids)
    ]


async def users_by_ids(
    info: Info, node_ids: list[str], required: bool, *, kind: str
) -> list[types.BuilderUser | types.OwnerUser | None]:
    """Users of the viewer's account that the policy lets the viewer see (`sees_user`),
    of the one kind the global id names; everything else is reported as missing."""
    context = info.context
    actor = context.actor
    if actor.kind is ActorKind.ANONYMOUS:
        return [missing_node(required, i) for i in node_ids]
    ids = _int_ids(node_ids)
    async with context.session_factory() as session:
        accounts = AccountRepository(session)
        rows = await accounts.users_of_account(actor.builder_account_id, [i for i in ids if i is not None])
        rows = {k: u for k, u in rows.items() if u.kind == kind and sees_user(actor, u.kind, u.contact_id)}
        account = types.BuilderAccount(
            id=actor.builder_account_id, name=(await accounts.builder(actor.builder_account_id)).name
        ) if rows else None
    contacts = {}
    owner_contacts = [u.contact_id for u in rows.values() if u.contact_id is not None]
    if owner_contacts:
        found = await contacts_by_ids(info, [str(c) for c in owner_contacts], required=False)
        contacts = {c.id: c for c in found if c is not None}
    result = []
    for node_id, user_id in zip(node_ids, ids):
        user = rows.get(user_id)
        if user is None or (kind == "OWNER" and user.contact_id not in contacts):
            result.append(missing_node(required, node_id))
        elif kind == "BUILDER":
            result.append(types.BuilderUser(
                id=user.id, username=user.username, role=types.BuilderRole(user.role), builder_account=account
            ))
        else:
            result.append(types.OwnerUser(
                id=user.id, username=user.username, builder_account=account, contact=contacts[user.contact_id]
            ))
    return result


async def nodes_by_global_ids(
    info: Info,
    ids: Annotated[list[relay.GlobalID], strawberry.argument(description="Global ids (at most 100), of any types.")],
) -> list[relay.Node | None]:
    """`nodes(ids:)`: each id as `node(id)` would answer it, in order, one batch per
    type. An id of an unknown type is reported like a missing object (null)."""
    if len(ids) > MAX_NODES:
        raise StrawberryGraphQLError(
            f"`ids` may hold at most {MAX_NODES} ids.", extensions={"code": "INVALID_INPUT"}
        )
    by_type: dict[type, list[tuple[int, str]]] = {}
    for index, global_id in enumerate(ids):
        try:
            node_type = global_id.resolve_type(info)
        except GlobalIDValueError:
            continue
        by_type.setdefault(node_type, []).append((index, global_id.node_id))
    found = await asyncio.gather(*(
        node_type.resolve_nodes(info=info, node_ids=[node_id for _, node_id in entries], required=False)
        for node_type, entries in by_type.items()
    ))
    result: list[relay.Node | None] = [None] * len(ids)
    for entries, nodes in zip(by_type.values(), found):
        for (index, _), node in zip(entries, nodes):
            result[index] = node
    return result

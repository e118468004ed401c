"""The contact's relations a plan reads beside its rows: custom field values, the
merge audit, the pending primary email (and, in planner/timeline.py, the
timeline); and `customFieldDefinitions`, whose fields the values share.

Each relation the selection asks for registers its read in `ContactNeeds.relations`
when the plan is built; `read_relations` runs them after the contacts are read,
each one statement for all of them (repository/contact_relations.py), on the
plan's connection, and leaves the rows in `Env.related` by contact id. Who sees
what is asked of permissions/policy.py as reads/relations.py asks it: the same
rows, so the same answer as the resolvers'. The relations are read for the
contacts a root field answers, not for the contacts of a job or a lead (those run
on graphql-core)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from graphql import FieldNode
from sqlalchemy.ext.asyncio import AsyncConnection

from domain.activation import ActivationStatus
from permissions.policy import read_scope, sees_merge_audit, sees_pending_email_change
from planner.shapes import (
    Compiler,
    ContactNeeds,
    Declined,
    Env,
    Getter,
    NotCovered,
    column,
    contact_shape,
    datetime_column,
    global_id,
    isoformat,
    leaf,
)
from repository.contact_relations import ContactRelationsRepository
from repository.prefetch import ContactRows

RelationRead = Callable[[Env, ContactRelationsRepository, list[ContactRows]], Awaitable[None]]


def relation(compiler: Compiler, key: str, read: RelationRead) -> None:
    """Registers the read of a relation of the root field's contacts."""
    if compiler.linked_level:
        raise NotCovered(f"the {key} of the contacts of a job or a lead")
    compiler.needs.relations[key] = read


async def read_relations(env: Env, connection: AsyncConnection, needs: ContactNeeds, contacts: list[ContactRows]) -> None:
    """Runs the reads the selection registered, for these contacts, on `connection`."""
    if not needs.relations or not contacts:
        return
    repo = ContactRelationsRepository(connection, read_scope(env.actor))
    for read in needs.relations.values():
        await read(env, repo, contacts)


def related(env: Env, key: str) -> dict[int, Any]:
    """The rows of relation `key` by contact id, added to those of earlier root fields."""
    return env.related.setdefault(key, {})


# --- customFields, customFieldDefinitions -----------------------------------------------

CUSTOM_FIELD = {
    "id": leaf(lambda row, env: global_id("CustomField", row.id)),
    "name": column("name"),
    "type": column("type"),
    "options": leaf(lambda row, env: list(row.options or [])),
    "visibleToOwner": column("visible_to_owner"),
}


def _field(compiler: Compiler, nodes: list[FieldNode]) -> Getter:
    return compiler.shape("CustomField", nodes, CUSTOM_FIELD)


CUSTOM_FIELD_VALUE = {"field": _field, "value": column("value")}


async def _read_custom_values(env: Env, repo: ContactRelationsRepository, contacts: list[ContactRows]) -> None:
    ids = [c.row.id for c in contacts if not c.by_name_only]
    if ids:
        found = await repo.custom_values(ids)
        related(env, "customFields").update({contact_id: found.get(contact_id, []) for contact_id in ids})


def custom_fields(compiler: Compiler, nodes: list[FieldNode]) -> Getter:
    """Values in field order; an owner reads only the fields marked visibleToOwner,
    none of a contact seen by name only (the statement reads what the viewer may)."""
    relation(compiler, "customFields", _read_custom_values)
    shape = compiler.shape("CustomFieldValue", nodes, CUSTOM_FIELD_VALUE)
    return lambda c, env: [] if c.by_name_only else [shape(v, env) for v in env.related["customFields"][c.row.id]]


def custom_field_definitions(compiler: Compiler, nodes: list[FieldNode]):
    """`customFieldDefinitions`, for the signed-in (reads/lists.custom_field_definitions):
    one statement. Anonymous, the field's permission answers an error: declined."""
    shape = _field(compiler, nodes)

    async def run(env: Env) -> list:
        context = env.context
        async with context.read_connection() as connection:
            await context.resolve_viewer(connection)
            scope = read_scope(context.actor)
            if scope is None:
                raise Declined("customFieldDefinitions is for the signed-in")
            rows = await ContactRelationsRepository(connection, scope).definitions()
        return [shape(row, env) for row in rows]

    return run


# --- merges ---------------------------------------------------------------------------------

def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)


KEPT = {
    "primaryEmail": leaf(lambda kept, env: kept["primary_email"]),
    "additionalEmails": leaf(lambda kept, env: kept["additional_emails"]),
    "droppedEmails": leaf(lambda kept, env: kept["dropped_emails"]),
    "filledFields": leaf(lambda kept, env: [_camel(name) for name in kept["filled_fields"]]),
}


def _kept(compiler: Compiler, nodes: list[FieldNode]) -> Getter:
    shape = compiler.shape("MergeKept", nodes, KEPT)
    return lambda merge, env: shape(merge.row.kept, env)


def _survivor(compiler: Compiler, nodes: list[FieldNode]) -> Getter:
    """The live contact the merge went into, read with the merge: for a contact's
    merges the contact itself (the survivor's id finds it again), for a merge by id
    the contact its survivor's id stands for now (planner/nodes.py), or None."""
    shape = contact_shape(compiler, nodes)
    return lambda merge, env: None if merge.survivor is None else shape(merge.survivor, env)


MERGE = {
    "id": leaf(lambda merge, env: global_id("ContactMerge", merge.row.id)),
    "mergedAt": leaf(lambda merge, env: isoformat(merge.row.merged_at)),
    "mergedBy": leaf(lambda merge, env: merge.row.merged_by),
    "mergedContactIds": leaf(lambda merge, env: [global_id("Contact", i) for i in merge.row.merged_ids]),
    "kept": _kept,
    "undoneAt": leaf(lambda merge, env: isoformat(merge.row.undone_at)),
    "undoneBy": leaf(lambda merge, env: merge.row.undone_by),
    "survivor": _survivor,
}


class Merge:
    """An audited merge (a row of `ContactRelationsRepository._merges`) with the
    contact it went into (None: not found)."""

    __slots__ = ("row", "survivor")

    def __init__(self, row, survivor: ContactRows | None):
        self.row, self.survivor = row, survivor


async def _read_merges(env: Env, repo: ContactRelationsRepository, contacts: list[ContactRows]) -> None:
    if sees_merge_audit(env.actor):
        found = await repo.merges_by_survivor([c.row.id for c in contacts])
        related(env, "merges").update({c.row.id: [Merge(row, c) for row in found.get(c.row.id, ())] for c in contacts})


def merges(compiler: Compiler, nodes: list[FieldNode]) -> Getter:
    """The audited merges into the contact, newest first; builders only
    (reads/relations.merges_of_contact)."""
    relation(compiler, "merges", _read_merges)
    shape = compiler.shape("ContactMerge", nodes, MERGE)

    def get(c, env):
        if not sees_merge_audit(env.actor):
            return []
        return [shape(merge, env) for merge in env.related["merges"][c.row.id]]

    return get


# --- pendingPrimaryEmail --------------------------------------------------------------------

PENDING_PRIMARY_EMAIL = {"email": column("new_email"), "expiresAt": datetime_column("expires_at")}


def _sees_pending_email(env: Env, c: ContactRows) -> bool:
    return sees_pending_email_change(env.actor, c.row.id) and c.row.activation_status == ActivationStatus.ACTIVE


async def _read_email_changes(env: Env, repo: ContactRelationsRepository, contacts: list[ContactRows]) -> None:
    ids = [c.row.id for c in contacts if _sees_pending_email(env, c)]
    if ids:
        related(env, "pendingPrimaryEmail").update(await repo.open_email_changes(ids, env.context.now()))


def pending_primary_email(compiler: Compiler, nodes: list[FieldNode]) -> Getter:
    """The active owner's unconfirmed new primary email, the owner's alone
    (reads/relations.open_email_change_of_contact)."""
    relation(compiler, "pendingPrimaryEmail", _read_email_changes)
    shape = compiler.shape("PendingPrimaryEmail", nodes, PENDING_PRIMARY_EMAIL)

    def get(c, env):
        if not _sees_pending_email(env, c):
            return None
        change = env.related["pendingPrimaryEmail"].get(c.row.id)
        return None if change is None else shape(change, env)

    return get

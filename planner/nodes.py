"""The planned `node(id:)` and `nodes(ids:)` roots: objects of any Node type by
their global ids, as the types' `resolve_nodes` read them (reads/nodes.py).

The selection is compiled once for each Node type; a type whose selection the
planner does not shape leaves its ids to graphql-core (declined when one is
asked). The ids are grouped by type and each type is read once, in a fixed number
of statements (the ones of its root: planner/roots.py, planner/jobs_leads.py; one
for custom fields; one for merges, and their survivors' when asked), so a request
costs the same whatever the number of ids."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from graphql import FieldNode, ListValueNode, StringValueNode, VariableNode

from domain.ids import record_id
from domain.paging import MAX_NODES
from permissions.policy import ActorKind, read_scope, sees_account, sees_merge_audit, sees_user
from planner.contact_relations import CUSTOM_FIELD, MERGE, Merge
from planner.jobs_leads import KINDS, linked_needs, read_by_id
from planner.roots import ACCOUNT, BUILDER_USER, OWNER_USER, RootField, ViewerSource, decode_global_id, id_argument, read_contacts
from planner.shapes import CONTACT, Compiler, ContactNeeds, Declined, Env, NotCovered, ObjectShape
from repository.contact_relations import ContactRelationsRepository
from repository.prefetch_accounts import builder_name, users_of_account

Read = Callable[[Env, list[int | None]], Awaitable[list[Any]]]


@dataclass(frozen=True, slots=True)
class AccountSource:
    account_id: int
    builder_name: str


async def _accounts(env: Env, ids: list[int | None]) -> list[AccountSource | None]:
    """The viewer's own builder account where it is asked for (reads/nodes.account_names)."""
    context = env.context
    async with context.read_connection() as connection:
        await context.resolve_viewer(connection)
        own = [i is not None and sees_account(context.actor, i) for i in ids]
        if not any(own):
            return [None] * len(ids)
        name = await builder_name(connection, context.actor.builder_account_id)
    return [AccountSource(i, name) if mine else None for i, mine in zip(ids, own)]


def _users(kind: str) -> Callable[[ContactNeeds], Read]:
    """Users of one kind the viewer finds (reads/nodes.users): a builder the account's
    staff, an owner themself, with their contact read as `contact(id:)` reads it."""

    def reader(needs: ContactNeeds) -> Read:
        async def read(env: Env, ids: list[int | None]) -> list[ViewerSource | None]:
            context = env.context
            async with context.read_connection() as connection:
                await context.resolve_viewer(connection)
                actor = context.actor
                if actor.kind is ActorKind.ANONYMOUS:
                    return [None] * len(ids)
                rows = await users_of_account(connection, actor.builder_account_id, [i for i in ids if i is not None])
            rows = {k: u for k, u in rows.items() if u.kind == kind and sees_user(actor, u.kind, u.contact_id)}
            owned = [u.contact_id for u in rows.values() if u.contact_id is not None]
            contacts = dict(zip(owned, await read_contacts(env, needs, owned))) if owned else {}
            found = {}
            for key, user in rows.items():
                contact = contacts.get(user.contact_id)
                if kind == "BUILDER" or contact is not None:
                    found[key] = ViewerSource(user.id, actor.builder_account_id, user.username, user.role,
                                              user.builder_name, contact)
            return [found.get(i) if i is not None else None for i in ids]

        return read

    return reader


def _contacts(needs: ContactNeeds) -> Read:
    return lambda env, ids: read_contacts(env, needs, ids)


def _jobs_or_leads(type_name: str) -> Callable[[Compiler, list[FieldNode]], tuple[ObjectShape, Read]]:
    kind = KINDS[type_name]

    def compile_type(compiler: Compiler, nodes: list[FieldNode]) -> tuple[ObjectShape, Read]:
        shape = compiler.shape(type_name, nodes, kind.table)
        linked = linked_needs(compiler, kind)
        return shape, lambda env, ids: read_by_id(env, kind, ids, linked)

    return compile_type


def _with_needs(type_name: str, table: dict, reader: Callable[[ContactNeeds], Read]):
    def compile_type(compiler: Compiler, nodes: list[FieldNode]) -> tuple[ObjectShape, Read]:
        shape = compiler.shape(type_name, nodes, table)
        return shape, reader(compiler.needs)

    return compile_type


def _account_type(compiler: Compiler, nodes: list[FieldNode]) -> tuple[ObjectShape, Read]:
    return compiler.shape("BuilderAccount", nodes, ACCOUNT), _accounts


async def _custom_fields(env: Env, ids: list[int | None]) -> list[Any]:
    """The custom fields the viewer reads (reads/nodes.custom_fields): an owner only
    those marked visibleToOwner, the anonymous none."""
    context = env.context
    async with context.read_connection() as connection:
        await context.resolve_viewer(connection)
        scope = read_scope(context.actor)
        wanted = [i for i in ids if i is not None]
        found = await ContactRelationsRepository(connection, scope).definitions_by_id(wanted) if scope and wanted else {}
    return [found.get(i) if i is not None else None for i in ids]


def _custom_field_type(compiler: Compiler, nodes: list[FieldNode]) -> tuple[ObjectShape, Read]:
    return compiler.shape("CustomField", nodes, CUSTOM_FIELD), _custom_fields


def _merges(needs: ContactNeeds, with_survivors: bool) -> Read:
    """Audited merges, builders only (reads/nodes.merges), each with the contact its
    survivor's id stands for now, read as `contact(id:)` reads it, when asked."""

    async def read(env: Env, ids: list[int | None]) -> list[Merge | None]:
        context = env.context
        async with context.read_connection() as connection:
            await context.resolve_viewer(connection)
            wanted = [i for i in ids if i is not None]
            if not sees_merge_audit(context.actor) or not wanted:
                return [None] * len(ids)
            rows = await ContactRelationsRepository(connection, read_scope(context.actor)).merges_by_id(wanted)
        survivor_ids = [row.survivor_id for row in rows.values()]
        survivors = await read_contacts(env, needs, survivor_ids) if with_survivors and rows else [None] * len(rows)
        found = {row.id: Merge(row, survivor) for row, survivor in zip(rows.values(), survivors)}
        return [found.get(i) if i is not None else None for i in ids]

    return read


def _merge_type(compiler: Compiler, nodes: list[FieldNode]) -> tuple[ObjectShape, Read]:
    shape = compiler.shape("ContactMerge", nodes, MERGE)
    fields = compiler.collector.subfields(nodes, "ContactMerge").values()
    return shape, _merges(compiler.needs, with_survivors=any(f[0].name.value == "survivor" for f in fields))


# The Node types the planner reads, each compiled to its shape and its read by ids.
NODE_TYPES: dict[str, Callable[[Compiler, list[FieldNode]], tuple[ObjectShape, Read]]] = {
    "Contact": _with_needs("Contact", CONTACT, _contacts),
    "Job": _jobs_or_leads("Job"),
    "Lead": _jobs_or_leads("Lead"),
    "BuilderAccount": _account_type,
    "BuilderUser": _with_needs("BuilderUser", BUILDER_USER, _users("BUILDER")),
    "OwnerUser": _with_needs("OwnerUser", OWNER_USER, _users("OWNER")),
    "CustomField": _custom_field_type,
    "ContactMerge": _merge_type,
}


def _compile_types(compiler: Compiler, nodes: list[FieldNode]) -> dict[str, tuple[ObjectShape, Read] | None]:
    """Each Node type's shape and read for this selection; None where it is not covered."""
    compiled: dict[str, tuple[ObjectShape, Read] | None] = {}
    for type_name, compile_type in NODE_TYPES.items():
        compiler.needs = ContactNeeds()
        try:
            compiled[type_name] = compile_type(compiler, nodes)
        except NotCovered:
            compiled[type_name] = None
    return compiled


async def _answer(env: Env, compiled: dict, global_ids: list[tuple[str, str] | None]) -> list[dict | None]:
    """One answer per (type name, node id), in order; None entries are null."""
    by_type: dict[str, list[int]] = {}
    for index, pair in enumerate(global_ids):
        if pair is not None:
            by_type.setdefault(pair[0], []).append(index)
    answers: list[dict | None] = [None] * len(global_ids)
    for type_name, indexes in by_type.items():
        found = compiled.get(type_name)
        if found is None:
            raise Declined(f"a node of type {type_name}")
        shape, read = found
        rows = await read(env, [record_id(global_ids[i][1]) for i in indexes])
        for index, row in zip(indexes, rows):
            answers[index] = None if row is None else shape(row, env)
    return answers


def node(compiler: Compiler, nodes: list[FieldNode]) -> RootField:
    """`node(id:)`: an id of a type that is no Node is graphql-core's error: declined."""
    compiled = _compile_types(compiler, nodes)
    id_of = id_argument(nodes)

    async def run(env: Env) -> dict | None:
        type_name, node_id = decode_global_id(id_of(env))
        if type_name not in NODE_TYPES:
            raise Declined("not a planned Node type")
        [found] = await _answer(env, compiled, [(type_name, node_id)])
        return found

    return run


def _ids_argument(nodes: list[FieldNode]) -> Callable[[Env], object]:
    """The raw `ids` argument: a list of string literals, or a variable's value as sent."""
    [argument] = [a for a in nodes[0].arguments if a.name.value == "ids"]
    value = argument.value
    if isinstance(value, ListValueNode) and all(isinstance(item, StringValueNode) for item in value.values):
        values = [item.value for item in value.values]
        return lambda env: values
    if isinstance(value, VariableNode):
        name = value.name.value
        return lambda env: env.variables.sources[name].value
    raise NotCovered("ids that are neither string literals nor a variable")


def nodes_by_ids(compiler: Compiler, nodes: list[FieldNode]) -> RootField:
    """`nodes(ids:)`, as resolvers/nodes.nodes_by_global_ids answers it: an id of a type
    that is no Node is null; more than `MAX_NODES` ids is an error (declined)."""
    compiled = _compile_types(compiler, nodes)
    ids_of = _ids_argument(nodes)

    async def run(env: Env) -> list[dict | None]:
        raw = ids_of(env)
        if not isinstance(raw, list) or len(raw) > MAX_NODES:
            raise Declined("ids that are not a list of at most 100")
        pairs = [decode_global_id(value) for value in raw]
        # A type the schema does not know is null (Strawberry's relay cannot resolve it);
        # any other type the planner does not read is declined.
        if any(name not in NODE_TYPES and env.schema.get_type(name) is not None for name, _ in pairs):
            raise Declined("an id of a type the planner does not read")
        return await _answer(env, compiled, [pair if pair[0] in NODE_TYPES else None for pair in pairs])

    return run


QUERY: dict[str, Callable[[Compiler, list[FieldNode]], RootField]] = {"node": node, "nodes": nodes_by_ids}

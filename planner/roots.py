"""The root fields a plan covers, each with its reads: a fixed number of
statements whatever the page size (the viewer lookup, the rows with their
emails, their jobs with their owners, and the count when `totalCount` is asked).
Each looks the viewer up on the connection it reads with (at once when that was
done already), so a request opens one read scope.

The statements are the ones the schema's resolvers run (repository/prefetch.py),
scoped to the viewer's builder account inside each statement."""

from __future__ import annotations

import base64
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from graphql import FieldNode, StringValueNode, VariableNode
from sqlalchemy.ext.asyncio import AsyncConnection

from domain.activation import ActivationStatus
from domain.ids import record_id
from domain.paging import PageRefused, page_size
from domain.read_scope import ReadScope
from domain.tokens import hash_token
from models import Lead, utcnow
from permissions.policy import ActorKind, read_scope, sees_invites, sees_leads
from planner.contact_relations import custom_field_definitions, read_relations
from planner.invite_details import invite_details
from planner.shapes import (
    Compiler,
    ContactNeeds,
    Declined,
    Env,
    LeadRows,
    NotCovered,
    ObjectShape,
    column,
    contact_shape,
    global_id,
    leaf,
)
from repository.contacts import ContactRepository, decode_cursor, encode_cursor
from repository.invites import InviteRepository
from repository.jobs_leads import JobsLeadsRepository
from repository.keyset import PageRequest, keyset_key
from repository.prefetch import ContactRows, MergeChainTooLong, PrefetchRepository, viewer_by_token
from repository.prefetch_jobs_leads import JobsLeadsRows

RootField = Callable[[Env], Awaitable[Any]]



async def fetch_jobs(repo: PrefetchRepository, needs: ContactNeeds, contacts: list[ContactRows]) -> None:
    """The contacts' jobs when asked, with their owners when asked, and then what the
    owners are asked for, level by level: one statement a level. `repo` reads the
    columns of `needs` (`ContactNeeds.row_columns`)."""
    if not (needs.jobs and contacts):
        return
    owners = needs.job_owners
    await repo.attach_jobs(contacts, with_owners=owners is not None, with_owner_emails=owners is not None and owners.emails)
    if owners is not None:
        below = PrefetchRepository(repo.connection, repo.scope, owners.row_columns())
        await fetch_jobs(below, owners, [owner for c in contacts for job in c.jobs for owner in job.owners])


async def fetch_linked(
    connection: AsyncConnection, scope: ReadScope, model: type, needs: ContactNeeds | None, ids: list[int]
) -> dict[int, list[ContactRows]]:
    """The contacts linked to the jobs (their owners) or the leads `ids`, by job or
    lead, read with what their level asks for (`needs`; None: not asked, none read)."""
    if needs is None or not ids:
        return {}
    found = await JobsLeadsRows(connection, scope).linked_contacts(model, ids, with_emails=needs.emails)
    repo = PrefetchRepository(connection, scope, needs.row_columns())
    await fetch_jobs(repo, needs, [contact for linked in found.values() for contact in linked])
    return found


async def fetch_beside(env: Env, needs: ContactNeeds, contacts: list[ContactRows]) -> None:
    """The builder's relations of the contacts (leads with their contacts when asked,
    live invites), each one statement when asked and visible to the viewer
    (reads/loaders.py reads the same)."""
    context = env.context
    leads, invites = needs.leads and sees_leads(context.actor), needs.invites and sees_invites(context.actor)
    if not contacts or not (leads or invites):
        return
    account, scope = context.actor.builder_account_id, read_scope(context.actor)
    async with context.session_factory() as session:
        if leads:
            found = await JobsLeadsRepository(session, account).leads_by_contact([c.row.id for c in contacts], scope)
            lead_ids = sorted({lead.id for rows in found.values() for lead in rows})
            linked = await fetch_linked(await session.connection(), scope, Lead, needs.lead_contacts, lead_ids)
            env.related["leads"] = {contact_id: [LeadRows(lead, linked.get(lead.id, [])) for lead in rows]
                                    for contact_id, rows in found.items()}
        pending = [c.row.id for c in contacts if c.row.activation_status == ActivationStatus.PENDING]
        if invites:
            env.related["invites"] = await InviteRepository(session, account).live_by_contact(pending)


# --- me ---------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class ViewerSource:
    user_id: int
    account_id: int
    username: str
    role: str | None
    builder_name: str
    contact: ContactRows | None


ACCOUNT = {
    "id": leaf(lambda v, env: global_id("BuilderAccount", v.account_id)),
    "name": column("builder_name"),
}


def _account(compiler: Compiler, nodes: list[FieldNode]):
    shape = compiler.shape("BuilderAccount", nodes, ACCOUNT)
    return lambda viewer, env: shape(viewer, env)


def _own_contact(compiler: Compiler, nodes: list[FieldNode]):
    shape = contact_shape(compiler, nodes)
    return lambda viewer, env: shape(viewer.contact, env)


BUILDER_USER = {
    "id": leaf(lambda v, env: global_id("BuilderUser", v.user_id)),
    "username": column("username"),
    "role": column("role"),
    "builderAccount": _account,
}
OWNER_USER = {
    "id": leaf(lambda v, env: global_id("OwnerUser", v.user_id)),
    "username": column("username"),
    "builderAccount": _account,
    "contact": _own_contact,
}


def me(compiler: Compiler, nodes: list[FieldNode]) -> RootField:
    """`me`: the rows reads/prefetch.viewer reads (the user, their account, an
    owner's own contact), read by the viewer lookup's own statement (when another
    `me` of the request looked the viewer up before, read after it as reads/prefetch
    reads them), then the contact's jobs."""
    builder = compiler.shape("BuilderUser", nodes, BUILDER_USER)
    owner = compiler.shape("OwnerUser", nodes, OWNER_USER)
    needs = compiler.needs

    async def run(env: Env) -> dict | None:
        context = env.context
        if context.actor.kind is ActorKind.ANONYMOUS and not context.viewer_pending:
            return None
        columns = needs.row_columns()
        found = None

        async def look_up(connection: AsyncConnection, token: str):
            nonlocal found
            read = await viewer_by_token(connection, hash_token(token), utcnow(), columns.contact)
            if read is None:
                return None
            viewer, found = read
            return viewer

        async with context.read_connection() as connection:
            await context.resolve_viewer(connection, look_up)
            if context.actor.kind is ActorKind.ANONYMOUS:
                return None
            repo = PrefetchRepository(connection, read_scope(context.actor), columns)
            if found is None:  # looked up before (another `me` of the request): read now
                found = await repo.viewer(context.user_id, with_contact=context.actor.kind is ActorKind.OWNER)
                if found is None:
                    return None
            if found.contact is not None:
                await fetch_jobs(repo, needs, [found.contact])
                await read_relations(env, connection, needs, [found.contact])
        viewer = ViewerSource(context.user_id, context.actor.builder_account_id, found.username, found.role,
                              found.builder_name, found.contact)
        if found.kind == "BUILDER":
            return builder(viewer, env)
        if found.contact is None:
            return None
        return owner(viewer, env)

    return run


# --- contacts ---------------------------------------------------------------------------

SORT_COLUMNS = {"LAST_NAME": "last_name", "FIRST_NAME": "first_name", "CREATED_AT": "created_at"}


@dataclass(frozen=True, slots=True)
class PageSource:
    edges: list[tuple[str, ContactRows]]
    has_next_page: bool
    has_previous_page: bool
    total: int | None


def planned_page_size(first: int | None, last: int | None) -> int:
    """The page's size (domain/paging.py); what the rule refuses is declined, and
    graphql-core reports it as the resolver does."""
    try:
        return page_size(first, last)
    except PageRefused as refused:
        raise Declined(str(refused)) from refused


def page_request(arguments: dict[str, Any]) -> PageRequest:
    """The page the arguments ask for; a request the resolver refuses is declined."""
    first, last, order = arguments["first"], arguments["last"], arguments["orderBy"]
    size = planned_page_size(first, last)

    def key(cursor: str | None):
        return keyset_key(decode_cursor(cursor), order) if cursor else None

    return PageRequest(size, after=key(arguments["after"]), before=key(arguments["before"]), backward=last is not None)


def cursor_of(row, order: str) -> str:
    value = getattr(row, SORT_COLUMNS[order])
    if order == "CREATED_AT":
        value = value.isoformat()
    return encode_cursor(value or "", row.id)


PAGE_INFO = {
    "hasNextPage": column("has_next_page"),
    "hasPreviousPage": column("has_previous_page"),
    "startCursor": leaf(lambda page, env: page.edges[0][0] if page.edges else None),
    "endCursor": leaf(lambda page, env: page.edges[-1][0] if page.edges else None),
}


def _edge_node(compiler: Compiler, nodes: list[FieldNode]):
    shape = contact_shape(compiler, nodes)
    return lambda edge, env: shape(edge[1], env)


EDGE = {"cursor": leaf(lambda edge, env: edge[0]), "node": _edge_node}


def _edges(compiler: Compiler, nodes: list[FieldNode]):
    shape = compiler.shape("ContactEdge", nodes, EDGE)
    return lambda page, env: [shape(edge, env) for edge in page.edges]


def _total(compiler: Compiler, nodes: list[FieldNode]):
    compiler.needs.total = True
    return lambda page, env: page.total


CONNECTION = {
    "edges": _edges,
    "pageInfo": lambda compiler, nodes: _page_info(compiler.shape("PageInfo", nodes, PAGE_INFO)),
    "totalCount": _total,
}


def _page_info(shape: ObjectShape):
    return lambda page, env: shape(page, env)


def contacts(compiler: Compiler, nodes: list[FieldNode]) -> RootField:
    """`contacts`, as resolvers/contacts.contacts and reads/prefetch.contact_page read it: the page with its emails
    on one connection, its jobs on the same, the count on its own when asked."""
    shape = compiler.shape("ContactConnection", nodes, CONNECTION)
    needs = compiler.needs
    node = nodes[0]

    async def run(env: Env) -> dict:
        context = env.context
        arguments = env.arguments("Query", node)
        page = page_request(arguments)
        order, search = arguments["orderBy"], arguments["search"]
        statuses = list(arguments["status"]) if arguments["status"] else None
        async with context.read_connection() as connection:
            await context.resolve_viewer(connection)
            if context.actor.kind is not ActorKind.BUILDER:
                raise Declined("contacts is for builders")
            account = context.actor.builder_account_id
            repo = PrefetchRepository(connection, read_scope(context.actor), needs.row_columns())
            rows, has_more = await repo.contact_page(
                page=page, with_emails=needs.emails, search=search, statuses=statuses, order_by=order
            )
            await fetch_jobs(repo, needs, rows)
            await read_relations(env, connection, needs, rows)
        await fetch_beside(env, needs, rows)
        total = None
        if needs.total:
            async with context.session_factory() as session:
                total = await ContactRepository(session, account).count(search=search, statuses=statuses)
        if page.backward:
            has_next, has_previous = page.before is not None, has_more
        else:
            has_next, has_previous = has_more, page.after is not None
        edges = [(cursor_of(contact.row, order), contact) for contact in rows]
        return shape(PageSource(edges, has_next, has_previous, total), env)

    return run


# --- contact(id:) --------------------------------------------------------------

def decode_global_id(value: object) -> tuple[str, str]:
    """(type name, node id) of a relay global id, decoded as Strawberry's `GlobalID`
    decodes it; a value it refuses (an error to report) is declined."""
    if not isinstance(value, str):
        raise Declined("a global id that is not a string")
    try:
        parts = base64.b64decode(value.encode()).decode().split(":", 1)
    except ValueError as error:
        raise Declined("a malformed global id") from error
    if len(parts) != 2:
        raise Declined("a malformed global id")
    return parts[0], parts[1]


def id_argument(nodes: list[FieldNode]) -> Callable[[Env], object]:
    """The raw `id` argument: a string literal, or a variable's value as sent (an
    `ID` variable coerces any number to text, which Strawberry's global id refuses)."""
    [argument] = [a for a in nodes[0].arguments if a.name.value == "id"]
    if isinstance(argument.value, StringValueNode):
        value = argument.value.value
        return lambda env: value
    if isinstance(argument.value, VariableNode):
        name = argument.value.name.value
        return lambda env: env.variables.sources[name].value
    raise NotCovered("an id that is neither a string nor a variable")


async def read_contacts(env: Env, needs: ContactNeeds, ids: list[int | None]) -> list[ContactRows | None]:
    """Contacts by id with what `needs` asks for, as reads/nodes.contacts reads them:
    merged ids lead to the surviving contact; one the viewer may not read is not
    found (None): the statement does not answer it."""
    context = env.context
    wanted = [i for i in ids if i is not None]
    async with context.read_connection() as connection:
        await context.resolve_viewer(connection)
        if context.actor.kind is ActorKind.ANONYMOUS or not wanted:
            return [None] * len(ids)
        repo = PrefetchRepository(connection, read_scope(context.actor), needs.row_columns())
        try:
            found = await repo.live_contacts(wanted)
        except MergeChainTooLong as error:
            raise Declined("a long chain of merges") from error
        live = [contact for contact in found.values() if contact is not None]
        await fetch_jobs(repo, needs, live)
        await read_relations(env, connection, needs, live)
    await fetch_beside(env, needs, live)
    return [found[i] if i is not None else None for i in ids]


def contact_by_id(compiler: Compiler, nodes: list[FieldNode]) -> RootField:
    """`contact(id:)`: another type's id finds nothing (null)."""
    shape = contact_shape(compiler, nodes)
    needs = compiler.needs
    id_of = id_argument(nodes)

    async def run(env: Env) -> dict | None:
        type_name, node_id = decode_global_id(id_of(env))
        if type_name != "Contact":
            return None
        [found] = await read_contacts(env, needs, [record_id(node_id)])
        return None if found is None else shape(found, env)

    return run


QUERY: dict[str, Callable[[Compiler, list[FieldNode]], RootField]] = {
    "me": me,
    "contacts": contacts,
    "contact": contact_by_id,
    "customFieldDefinitions": custom_field_definitions,
    "inviteDetails": invite_details,
}

"""The planned `job(id:)`, `jobs`, `lead(id:)` and `leads` roots, and the shapes of
Job and Lead with the contacts linked to them (a job's owners, a lead's contacts).

Each root reads on one connection, in a fixed number of statements whatever the
page size (repository/prefetch_jobs_leads.py): the viewer lookup (unless done
before execution), the page or the rows by id, the linked contacts with their
emails when asked, the count when `totalCount` is asked. What the viewer finds is
decided inside the statements by the read scope (permissions/policy.read_scope):
an owner finds only the jobs they are an owner of and no lead, as
resolvers/jobs_leads.py and reads/nodes.py read them."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from graphql import FieldNode

from domain.ids import record_id
from models import Job, Lead
from permissions.policy import ActorKind, read_scope
from planner.roots import PAGE_INFO, PageSource, RootField, decode_global_id, fetch_linked, id_argument, page_request
from planner.shapes import JOB, LEAD, Compiler, ContactNeeds, Declined, Env, Getter, LeadRows, leaf
from repository.contacts import encode_cursor
from repository.prefetch import JobRows
from repository.prefetch_jobs_leads import JobsLeadsRows


@dataclass(frozen=True, slots=True)
class Kind:
    """Jobs or leads: what differs between the two lists."""

    model: type
    type_name: str
    table: dict
    label: str  # the column of the default order
    wrap: Callable[[Any, list], Any]
    linked: str  # the ContactNeeds of the contacts linked to a row (its owners, its contacts)


KINDS = {
    "Job": Kind(Job, "Job", JOB, "name", lambda row, contacts: JobRows(row, contacts), "job_owners"),
    "Lead": Kind(Lead, "Lead", LEAD, "title", lambda row, contacts: LeadRows(row, contacts), "lead_contacts"),
}


def linked_needs(compiler: Compiler, kind: Kind) -> ContactNeeds | None:
    """After compiling a Job or Lead shape: what its linked contacts are read with (None: not asked)."""
    return getattr(compiler.needs, kind.linked)


async def _wrap(repo: JobsLeadsRows, kind: Kind, rows: list, linked: ContactNeeds | None) -> list:
    """The rows wrapped with their linked contacts (when asked: one statement, and one
    a level below for the jobs those are asked for)."""
    contacts = await fetch_linked(repo.connection, repo.scope, kind.model, linked, [row.id for row in rows])
    return [kind.wrap(row, contacts.get(row.id, [])) for row in rows]


def by_id(kind: Kind) -> Callable[[Compiler, list[FieldNode]], RootField]:
    """`job(id:)` or `lead(id:)`: another type's id, a malformed number, a row the
    viewer does not find: null."""

    def build(compiler: Compiler, nodes: list[FieldNode]) -> RootField:
        shape = compiler.shape(kind.type_name, nodes, kind.table)
        linked = linked_needs(compiler, kind)
        id_of = id_argument(nodes)

        async def run(env: Env) -> dict | None:
            type_name, node_id = decode_global_id(id_of(env))
            if type_name != kind.type_name:
                return None
            found = await read_by_id(env, kind, [record_id(node_id)], linked)
            return None if found[0] is None else shape(found[0], env)

        return run

    return build


async def read_by_id(env: Env, kind: Kind, ids: list[int | None], linked: ContactNeeds | None) -> list:
    """Jobs or leads by id as the viewer finds them, each wrapped with its linked
    contacts, or None; one connection, two statements (and one a level below the
    linked contacts, for their jobs) at most."""
    context = env.context
    async with context.read_connection() as connection:
        await context.resolve_viewer(connection)
        scope = read_scope(context.actor)
        if scope is None:
            return [None] * len(ids)
        repo = JobsLeadsRows(connection, scope)
        rows = await repo.by_id(kind.model, [i for i in ids if i is not None])
        wrapped = {item.row.id: item for item in await _wrap(repo, kind, list(rows.values()), linked)}
    return [wrapped.get(i) if i is not None else None for i in ids]


def _edges(kind: Kind):
    def build(compiler: Compiler, nodes: list[FieldNode]) -> Getter:
        edge = compiler.shape(f"{kind.type_name}Edge", nodes, {
            "cursor": leaf(lambda edge, env: edge[0]),
            "node": lambda compiler, nodes: _edge_node(compiler.shape(kind.type_name, nodes, kind.table)),
        })
        return lambda page, env: [edge(item, env) for item in page.edges]

    return build


def _edge_node(shape) -> Getter:
    return lambda edge, env: shape(edge[1], env)


def _total(compiler: Compiler, nodes: list[FieldNode]) -> Getter:
    compiler.needs.total = True
    return lambda page, env: page.total


def listing(kind: Kind, builders_only: bool) -> Callable[[Compiler, list[FieldNode]], RootField]:
    """`jobs` (anyone signed in: an owner's own jobs) or `leads` (builders), as
    resolvers/jobs_leads._connection reads them; a refusal (not signed in, not a
    builder, a page size out of range) is graphql-core's to report: declined."""

    def build(compiler: Compiler, nodes: list[FieldNode]) -> RootField:
        shape = compiler.shape(f"{kind.type_name}Connection", nodes, {
            "edges": _edges(kind),
            "pageInfo": lambda compiler, nodes: _page_info(compiler.shape("PageInfo", nodes, PAGE_INFO)),
            "totalCount": _total,
        })
        linked, total = linked_needs(compiler, kind), compiler.needs.total
        node = nodes[0]

        async def run(env: Env) -> dict:
            context = env.context
            arguments = env.arguments("Query", node)
            page = page_request(arguments)
            order = "CREATED_AT" if arguments["orderBy"] == "CREATED_AT" else "LABEL"
            search = arguments["search"]
            async with context.read_connection() as connection:
                await context.resolve_viewer(connection)
                actor = context.actor
                if actor.kind is ActorKind.ANONYMOUS or (builders_only and actor.kind is not ActorKind.BUILDER):
                    raise Declined(f"{kind.type_name} list refused")
                repo = JobsLeadsRows(connection, read_scope(actor))
                rows, has_more = await repo.page(kind.model, page=page, order=order, search=search)
                items = await _wrap(repo, kind, rows, linked)
                count = await repo.count(kind.model, search=search) if total else None
            if page.backward:
                has_next, has_previous = page.before is not None, has_more
            else:
                has_next, has_previous = has_more, page.after is not None
            edges = [(_cursor(item.row, kind, order), item) for item in items]
            return shape(PageSource(edges, has_next, has_previous, count), env)

        return run

    return build


def _page_info(shape) -> Getter:
    return lambda page, env: shape(page, env)


def _cursor(row, kind: Kind, order: str) -> str:
    """The cursor resolvers/jobs_leads.py writes: (label or creation time, id)."""
    return encode_cursor(row.created_at.isoformat() if order == "CREATED_AT" else getattr(row, kind.label), row.id)


QUERY = {
    "job": by_id(KINDS["Job"]),
    "jobs": listing(KINDS["Job"], builders_only=False),
    "lead": by_id(KINDS["Lead"]),
    "leads": listing(KINDS["Lead"], builders_only=True),
}

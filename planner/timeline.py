"""`Contact.timeline`, planned: a page of each contact's timeline, newest first
(schema/timeline.py answers the same on graphql-core).

Every `timeline` field of the selection (one per response key) is one statement
for all the root field's contacts (repository/timeline.pages: a window numbers
each timeline's events), and one more for their counts when `totalCount` is
asked; so a page of 100 contacts with their timelines costs what a page of one
does. Who sees what is the policy's `timeline_view`, as reads/lists.timeline_query
asks it: builders every entry, the owner their own contact's without the
builder's internal ones, anyone else an empty connection. Paging arguments the
resolver refuses (an error to report) decline the plan."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from graphql import FieldNode

from domain import timeline as domain
from permissions.policy import ActorKind, TimelineView, timeline_view
from planner.contact_relations import related, relation
from planner.roots import PAGE_INFO, PageSource, planned_page_size
from planner.shapes import Compiler, Declined, Env, Getter, column, global_id, isoformat, leaf
from repository import timeline as repository
from repository.contact_relations import ContactRelationsRepository
from repository.contacts import decode_cursor, encode_cursor
from repository.keyset import PageRequest
from repository.prefetch import ContactRows

CURSOR_PREFIX = "timeline"


def _event_key(cursor: str | None) -> tuple[str, int] | None:
    """A timeline cursor's (prefix, event id); None for anything else, which bounds nothing."""
    decoded = decode_cursor(cursor) if cursor else None
    return decoded if decoded and decoded[0] == CURSOR_PREFIX else None


def page_request(arguments: dict[str, Any]) -> PageRequest:
    """The page the arguments ask for; what schema/paging.page_request refuses is declined."""
    first, last = arguments["first"], arguments["last"]
    return PageRequest(
        planned_page_size(first, last),
        after=_event_key(arguments["after"]),
        before=_event_key(arguments["before"]),
        backward=last is not None,
    )


def _kind(value: str, kinds: type) -> str:
    """An enum column's value, which is its GraphQL name; one the enum lacks is declined
    (graphql-core reports it as an error)."""
    try:
        return kinds(value).value
    except ValueError as error:
        raise Declined(f"a {kinds.__name__} of {value!r}") from error


# --- the event ------------------------------------------------------------------------------


def _owner_view(env: Env) -> bool:
    """The owner's view (their own timeline is the only one an owner reads)."""
    return env.actor.kind is ActorKind.OWNER


ACTOR = {
    "kind": leaf(lambda row, env: _kind(row.actor_kind, domain.ActorKind)),
    # Builders see which of their staff acted; an owner learns only that the builder did.
    "name": leaf(lambda row, env: row.actor_username
                 if not _owner_view(env) and row.actor_kind == domain.ActorKind.BUILDER_USER.value else None),
}
CHANGE = {
    "field": leaf(lambda change, env: change["field"]),
    "oldValue": leaf(lambda change, env: change["old"]),
    "newValue": leaf(lambda change, env: change["new"]),
}
REFERENCE = {
    "typeName": leaf(lambda reference, env: reference["type"]),
    "id": leaf(lambda reference, env: global_id(reference["type"], reference["id"])),
    "name": leaf(lambda reference, env: reference["name"]),
}
MESSAGE = {
    "kind": leaf(lambda row, env: _kind(row.message_kind, domain.MessageKind)),
    "channel": column("channel"),
    "recipient": column("recipient"),
    "subject": column("subject"),
    "state": leaf(lambda row, env: domain.delivery_state(
        sent=row.sent_at is not None, gave_up=row.failed_at is not None, last_error=row.last_error
    ).value),
    "attempts": column("attempts"),
    # The mail server's words are for the builder's staff to act on.
    "lastError": leaf(lambda row, env: None if _owner_view(env) else row.last_error),
    "sentAt": leaf(lambda row, env: isoformat(row.sent_at)),
}


def _object(type_name: str, table: dict) -> Any:
    def build(compiler: Compiler, nodes: list[FieldNode]) -> Getter:
        shape = compiler.shape(type_name, nodes, table)
        return lambda row, env: shape(row, env)

    return build


def _data_list(type_name: str, table: dict, key: str) -> Any:
    """A list kept in the event's `data` (its changes, the records it refers to)."""

    def build(compiler: Compiler, nodes: list[FieldNode]) -> Getter:
        shape = compiler.shape(type_name, nodes, table)
        return lambda row, env: [shape(item, env) for item in (row.data or {}).get(key, ())]

    return build


def _message(compiler: Compiler, nodes: list[FieldNode]) -> Getter:
    shape = compiler.shape("TimelineMessage", nodes, MESSAGE)
    return lambda row, env: None if row.message_id is None else shape(row, env)


EVENT = {
    "kind": leaf(lambda row, env: _kind(row.kind, domain.EventKind)),
    "occurredAt": leaf(lambda row, env: isoformat(row.occurred_at)),
    "actor": _object("TimelineActor", ACTOR),
    "contactId": leaf(lambda row, env: global_id("Contact", row.contact_id)),
    "changes": _data_list("TimelineChange", CHANGE, "changes"),
    "related": _data_list("TimelineReference", REFERENCE, "related"),
    "message": _message,
}


def _edge_node(compiler: Compiler, nodes: list[FieldNode]) -> Getter:
    shape = compiler.shape("TimelineEvent", nodes, EVENT)
    return lambda edge, env: shape(edge[1], env)


EDGE = {"cursor": leaf(lambda edge, env: edge[0]), "node": _edge_node}


def _edges(compiler: Compiler, nodes: list[FieldNode]) -> Getter:
    shape = compiler.shape("TimelineEdge", nodes, EDGE)
    return lambda page, env: [shape(edge, env) for edge in page.edges]


# --- the connection -------------------------------------------------------------------------


@dataclass
class TimelineRead:
    """The read of one `timeline` field: its arguments are read when the plan runs."""

    node: FieldNode
    key: str
    with_total: bool = False

    async def __call__(self, env: Env, repo: ContactRelationsRepository, contacts: list[ContactRows]) -> None:
        arguments = env.arguments("Contact", self.node)
        page = page_request(arguments)
        kinds = arguments["kinds"]
        actor = env.actor
        seen = [c.row.id for c in contacts if timeline_view(actor, c.row.id) is not TimelineView.NONE]
        rows: dict[int, list] = {}
        totals: dict[int, int] = {}
        if seen:
            query = repository.TimelinesQuery(
                actor.builder_account_id, tuple(seen), owner_view=_owner_view(env),
                kinds=None if kinds is None else tuple(domain.EventKind[name].value for name in kinds),
            )
            rows = await repository.pages(repo.connection, query, page)
            if self.with_total:
                totals = await repository.counts(repo.connection, query)
        related(env, self.key).update(
            {c.row.id: _page(rows.get(c.row.id, []), page, totals.get(c.row.id, 0)) for c in contacts}
        )


def _page(rows: list, page: PageRequest, total: int) -> PageSource:
    """As schema/timeline.contact_timeline and schema/paging.page_info answer a page."""
    listed = rows[: page.size]
    if page.backward:
        listed.reverse()
        has_next, has_previous = page.before is not None, len(rows) > page.size
    else:
        has_next, has_previous = len(rows) > page.size, page.after is not None
    edges = [(encode_cursor(CURSOR_PREFIX, row.id), row) for row in listed]
    return PageSource(edges, has_next, has_previous, total)


def timeline(compiler: Compiler, nodes: list[FieldNode]) -> Getter:
    read = TimelineRead(nodes[0], f"timeline:{id(nodes[0])}")
    relation(compiler, read.key, read)

    def total(compiler: Compiler, nodes: list[FieldNode]) -> Getter:
        read.with_total = True
        return lambda page, env: page.total

    shape = compiler.shape("TimelineConnection", nodes, {
        "edges": _edges,
        "pageInfo": _object("PageInfo", PAGE_INFO),
        "totalCount": total,
    })
    return lambda c, env: shape(env.related[read.key][c.row.id], env)


"""`Contact.timeline` (issue 19): one page of a contact's events, newest first.

A page is one statement on a plain connection (repository/timeline.py), and
`totalCount` one more only when selected. Who sees what is the policy's
`timeline_view`: builders everything, the owner their own contact's entries
without the builder's internal ones, anyone else an empty list (a contact of
another account is never reached at all).
"""

from __future__ import annotations

from typing import Annotated

import strawberry
from strawberry import relay
from strawberry.types import Info

from domain.timeline import ActorKind, delivery_state
from permissions.policy import TimelineView, timeline_view
from repository import timeline
from repository.contacts import encode_cursor
from resolvers.paging import After, Before, First, Last, page_info, page_request
from schema import timeline_types as types

CURSOR_PREFIX = "timeline"

Kinds = Annotated[
    list[types.TimelineEventKind] | None,
    strawberry.argument(description="Only events of these kinds; all kinds when absent."),
]


def _event_id(cursor: tuple[str, int] | None) -> tuple[str, int] | None:
    """A timeline cursor, or None for anything else (which bounds nothing)."""
    return cursor if cursor and cursor[0] == CURSOR_PREFIX else None


async def contact_timeline(
    root,
    info: Info,
    first: First = None,
    after: After = None,
    last: Last = None,
    before: Before = None,
    kinds: Kinds = None,
) -> types.TimelineConnection:
    page = page_request(first, after, last, before, key=_event_id)
    context = info.context
    view = timeline_view(context.actor, root.id)
    query = timeline.TimelineQuery(
        builder_account_id=context.actor.builder_account_id,
        contact_id=root.id,
        owner_view=view is TimelineView.OWNER,
        kinds=tuple(kind.value for kind in kinds) if kinds is not None else None,
    )

    rows = []
    if view is not TimelineView.NONE:
        # Newest first: `after` bounds the page to older events, `before` to newer ones.
        async with context.read_connection() as connection:
            rows = await timeline.page(
                connection, query, size=page.size,
                older_than=page.after[1] if page.after else None,
                newer_than=page.before[1] if page.before else None,
                oldest_first=page.backward,
            )
    listed = rows[: page.size]
    if page.backward:
        listed.reverse()
    edges = [
        types.TimelineEdge(cursor=encode_cursor(CURSOR_PREFIX, row.id), node=_event(row, query.owner_view))
        for row in listed
    ]

    async def total() -> int:
        if view is TimelineView.NONE:
            return 0
        async with context.read_connection() as connection:
            return await timeline.count(connection, query)

    return types.TimelineConnection(
        edges=edges,
        page_info=page_info(edges, page, len(rows) > page.size),
        _total=total,
    )


def _event(row, owner_view: bool) -> types.TimelineEvent:
    data = row.data or {}
    # Builders see which of their staff acted; an owner learns only that the builder
    # did. An owner's username is half of their credentials: nobody else reads it.
    named = not owner_view and row.actor_kind == ActorKind.BUILDER_USER.value
    return types.TimelineEvent(
        kind=types.TimelineEventKind(row.kind),
        occurred_at=row.occurred_at,
        actor=types.TimelineActor(
            kind=types.TimelineActorKind(row.actor_kind), name=row.actor_username if named else None
        ),
        contact_id=relay.GlobalID("Contact", str(row.contact_id)),
        changes=[
            types.TimelineChange(field=c["field"], old_value=c["old"], new_value=c["new"])
            for c in data.get("changes", ())
        ],
        related=[
            types.TimelineReference(type_name=r["type"], id=relay.GlobalID(r["type"], str(r["id"])), name=r["name"])
            for r in data.get("related", ())
        ],
        message=_message(row, owner_view) if row.message_id is not None else None,
    )


def _message(row, owner_view: bool) -> types.TimelineMessage:
    return types.TimelineMessage(
        kind=types.MessageKind(row.message_kind),
        channel=types.MessageChannel(row.channel),
        recipient=row.recipient,
        subject=row.subject,
        state=types.DeliveryState(
            delivery_state(sent=row.sent_at is not None, gave_up=row.failed_at is not None, last_error=row.last_error).value
        ),
        attempts=row.attempts,
        # The mail server's words are for the builder's staff to act on.
        last_error=None if owner_view else row.last_error,
        sent_at=row.sent_at,
    )

"""All SQL about the contact's timeline (issue 19).

Writing: a unit of work carries one `TimelineBatch` (also reachable from its
session, `timeline_of`, for repositories that take only a session, such as the
outbox). Services record events as they change things; `UnitOfWork.commit`
writes the whole batch in one INSERT just before the commit, so a mutation costs
one extra statement however many events it records, and a rolled-back change
leaves no event behind.

Reading: a page of one contact's timeline, with the actor's username and each
message's delivery state, is one statement: the events of the contact and of
every contact merged into it (transitively, a recursive CTE over
`merged_into_id`), newest first. An undone merge clears `merged_into_id`, so the
merged contact's events go back to it without any row moving. A planned query
(planner/timeline.py) reads a page of the timelines of many contacts in one
statement (`pages`: a window numbers each timeline's events), and their counts in
one more (`counts`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Select, func, insert, or_, select, update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from domain.timeline import EventActor, EventKind, owner_visible
from models import Contact, ContactEvent, OutboxMessage, User, utcnow
from repository.keyset import PageRequest

SESSION_KEY = "timeline"
_INSERT = insert(ContactEvent.__table__)


class TimelineBatch:
    """The events of one unit of work, written together at its commit."""

    def __init__(self, actor: EventActor):
        # Who the request acts as; a use case may name another (the system, or an
        # owner known only by the token they presented).
        self.actor = actor
        self._rows: list[dict] = []

    def record(
        self,
        builder_account_id: int,
        contact_id: int,
        kind: EventKind,
        *,
        changes: Sequence[dict] = (),
        related: Sequence[dict] = (),
        visible_to_owner: bool | None = None,
        actor: EventActor | None = None,
        occurred_at: datetime | None = None,
        outbox_message_id: int | None = None,
    ) -> None:
        actor = actor or self.actor
        data = {}
        if changes:
            data["changes"] = list(changes)
        if related:
            data["related"] = list(related)
        self._rows.append({
            "builder_account_id": builder_account_id,
            "contact_id": contact_id,
            "kind": kind.value,
            "actor_kind": actor.kind.value,
            "actor_user_id": actor.user_id,
            "occurred_at": occurred_at or utcnow(),
            "owner_visible": owner_visible(kind) if visible_to_owner is None else visible_to_owner,
            "data": data,
            "outbox_message_id": outbox_message_id,
        })

    async def write(self, executor: AsyncSession | AsyncConnection) -> None:
        """One INSERT for every event recorded since the last write."""
        if self._rows:
            rows, self._rows = self._rows, []
            await executor.execute(_INSERT, rows)


def timeline_of(session: AsyncSession) -> TimelineBatch:
    """The batch of the unit of work this session belongs to."""
    return session.info[SESSION_KEY]


def related(type_name: str, record_id: int, name: str | None) -> dict:
    """A reference from an event to another record (a job, a lead, a contact), with
    its name as it was then, so the entry still reads after the record changes."""
    return {"type": type_name, "id": record_id, "name": name}


@dataclass(frozen=True)
class TimelineQuery:
    builder_account_id: int
    contact_id: int
    owner_view: bool
    kinds: tuple[str, ...] | None = None


def _absorbed(builder_account_id: int, contact_ids: list[int]):
    """Each contact asked for (`root`) with itself and every contact merged into it,
    transitively (`id`)."""
    start = (
        select(Contact.id.label("root"), Contact.id)
        .where(Contact.id.in_(contact_ids), Contact.builder_account_id == builder_account_id)
        .cte("absorbed", recursive=True)
    )
    return start.union_all(
        select(start.c.root, Contact.id).where(
            Contact.merged_into_id == start.c.id, Contact.builder_account_id == builder_account_id
        )
    )


def _seen(query, builder_account_id: int, owner_view: bool, kinds: tuple[str, ...] | None, root):
    """The events of the timeline of `root` (a contact id, or a column of them) as the
    view reads them, of the contacts the query reads the events of."""
    events = ContactEvent.__table__
    query = query.where(
        events.c.builder_account_id == builder_account_id,
        # A contact merged into this one says so on its own timeline; here the
        # survivor's MERGED entry tells it once.
        or_(events.c.contact_id == root, events.c.kind != EventKind.MERGED_INTO.value),
    )
    if owner_view:
        query = query.where(events.c.owner_visible.is_(True))
    if kinds is not None:
        query = query.where(events.c.kind.in_(kinds))
    return query


def _filtered(query, q: TimelineQuery):
    absorbed = _absorbed(q.builder_account_id, [q.contact_id])
    query = query.where(ContactEvent.__table__.c.contact_id.in_(select(absorbed.c.id)))
    return _seen(query, q.builder_account_id, q.owner_view, q.kinds, q.contact_id)


def _with_details(*columns) -> Select:
    """`columns`, then each event's own with its actor's username and its message's
    delivery facts."""
    events, users, messages = ContactEvent.__table__, User.__table__, OutboxMessage.__table__
    return select(
        *columns,
        events.c.id, events.c.contact_id, events.c.kind, events.c.actor_kind, events.c.occurred_at,
        events.c.data, users.c.username.label("actor_username"),
        messages.c.id.label("message_id"), messages.c.kind.label("message_kind"), messages.c.channel,
        messages.c.recipient, messages.c.subject, messages.c.attempts, messages.c.sent_at,
        messages.c.failed_at, messages.c.last_error,
    ).select_from(
        events.outerjoin(users, users.c.id == events.c.actor_user_id)
        .outerjoin(messages, messages.c.id == events.c.outbox_message_id)
    )


def _between(query, older_than: int | None, newer_than: int | None):
    events = ContactEvent.__table__
    if older_than is not None:
        query = query.where(events.c.id < older_than)
    if newer_than is not None:
        query = query.where(events.c.id > newer_than)
    return query


def _reading_order(oldest_first: bool):
    events = ContactEvent.__table__
    return events.c.id.asc() if oldest_first else events.c.id.desc()


async def page(
    connection: AsyncConnection,
    q: TimelineQuery,
    *,
    size: int,
    older_than: int | None = None,
    newer_than: int | None = None,
    oldest_first: bool = False,
) -> list:
    """Up to `size` + 1 events between the bounds (event ids), each with its actor's
    username and its message's delivery facts: the newest of them first, or with
    `oldest_first` the oldest first (a backward page, which the caller turns round)."""
    query = _between(_filtered(_with_details(), q), older_than, newer_than)
    return list((await connection.execute(query.order_by(_reading_order(oldest_first)).limit(size + 1))).all())


async def count(connection: AsyncConnection, q: TimelineQuery) -> int:
    events = ContactEvent.__table__
    query = _filtered(select(func.count()).select_from(events), q)
    return (await connection.execute(query)).scalar_one()


@dataclass(frozen=True)
class TimelinesQuery:
    """The timelines of several contacts, each read as `TimelineQuery` reads one: one
    view for all (an owner reads only their own contact's) and one set of kinds."""

    builder_account_id: int
    contact_ids: tuple[int, ...]
    owner_view: bool
    kinds: tuple[str, ...] | None = None


def _of_each(query: Select, q: TimelinesQuery, absorbed) -> Select:
    events = ContactEvent.__table__
    query = query.join(absorbed, absorbed.c.id == events.c.contact_id)
    return _seen(query, q.builder_account_id, q.owner_view, q.kinds, absorbed.c.root)


async def pages(connection: AsyncConnection, q: TimelinesQuery, page: PageRequest) -> dict[int, list]:
    """`page` of each contact in one statement (a window numbers the events of each
    timeline in reading order), by contact id: `page.after` bounds each to older
    events, `page.before` to newer ones (their keys are (prefix, event id)), and a
    backward page reads oldest first."""
    absorbed = _absorbed(q.builder_account_id, list(q.contact_ids))
    order = _reading_order(page.backward)
    numbered = _with_details(
        absorbed.c.root, func.row_number().over(partition_by=absorbed.c.root, order_by=order).label("place")
    )
    numbered = _between(
        _of_each(numbered, q, absorbed), page.after[1] if page.after else None, page.before[1] if page.before else None
    ).subquery()
    query = select(numbered).where(numbered.c.place <= page.size + 1).order_by(numbered.c.root, numbered.c.place)
    found: dict[int, list] = {contact_id: [] for contact_id in q.contact_ids}
    for row in (await connection.execute(query)).all():
        found[row.root].append(row)
    return found


async def counts(connection: AsyncConnection, q: TimelinesQuery) -> dict[int, int]:
    """`count` of each contact in one statement, by contact id."""
    events = ContactEvent.__table__
    absorbed = _absorbed(q.builder_account_id, list(q.contact_ids))
    query = _of_each(select(absorbed.c.root, func.count()).select_from(events), q, absorbed).group_by(absorbed.c.root)
    found = dict.fromkeys(q.contact_ids, 0)
    found.update({root: number for root, number in (await connection.execute(query)).all()})
    return found


async def prune_message_bodies(session: AsyncSession, *, created_before: datetime) -> int:
    """Empties the bodies of messages older than `created_before` that the sender is
    done with (sent, or given up on), keeping the facts: kind, channel, recipient,
    subject, delivery state. The bodies are what hold invite and reset links."""
    result = await session.execute(
        update(OutboxMessage)
        .where(
            OutboxMessage.created_at < created_before,
            or_(OutboxMessage.sent_at.is_not(None), OutboxMessage.failed_at.is_not(None)),
            or_(OutboxMessage.body_text != "", OutboxMessage.body_html.is_not(None)),
        )
        .values(body_text="", body_html=None)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount


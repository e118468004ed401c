"""All SQL about the transactional outbox (SPEC 6).

Writers call `enqueue_email` / `enqueue_sms` inside the unit of work of the change
that causes the message, so the message exists exactly when the change commits.
A message to a contact (`to_contact`) is also entered on that contact's timeline,
in the same batch as the change's own events (repository/timeline.py).
The sender (`mail/sender.py`) claims due rows, delivers them and marks them.

Every function takes the caller's `AsyncSession` and never commits.

Claiming is a lease, not a lock held while sending: `claim_due` pushes
`available_at` to now + lease and counts the attempt, and the claiming transaction
commits at once. A sender that crashes after claiming simply lets the lease run out
and the rows become due again, so nothing is lost; concurrent senders never claim
the same row because PostgreSQL skips rows another claimer has locked
(`FOR UPDATE SKIP LOCKED`) and SQLite serialises writers (`BEGIN IMMEDIATE`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from db.engine import WRITE_OPTION
from domain.timeline import EventKind, MessageKind
from models import OutboxMessage
from repository.timeline import timeline_of

EMAIL = "EMAIL"
SMS = "SMS"

# Column limits of `outbox_messages` (models/outbox.py). PostgreSQL refuses an
# over-long value, SQLite would store it: cut both the same way.
SUBJECT_MAX = 300
LAST_ERROR_MAX = 1000


@dataclass(frozen=True)
class Addressee:
    """The contact a message goes to, and why: the message is on their timeline."""

    contact_id: int
    kind: MessageKind


class ClaimOutsideWriteTransaction(RuntimeError):
    """`claim_due` on SQLite outside a `BEGIN IMMEDIATE` transaction could hand one
    row to two senders (both read it before either writes)."""


async def enqueue_email(
    session: AsyncSession,
    *,
    builder_account_id: int | None,
    to: str,
    subject: str,
    text: str,
    html: str | None,
    to_contact: Addressee | None = None,
    notice: Notice | None = None,
) -> int:
    """Queues one email to one recipient (a message per address, so one bad
    address never holds up or reveals the others); returns the message's id."""
    message = {
        "builder_account_id": builder_account_id,
        "channel": EMAIL,
        "recipient": to,
        "subject": _cut(subject, SUBJECT_MAX),
        "body_text": text,
        "body_html": html,
    }
    return await _queue(session, message, to_contact, notice)


async def enqueue_sms(
    session: AsyncSession, *, builder_account_id: int | None, to: str, text: str,
    to_contact: Addressee | None = None, notice: Notice | None = None,
) -> int:
    """Queues one SMS; returns the message's id."""
    message = {
        "builder_account_id": builder_account_id,
        "channel": SMS,
        "recipient": to,
        "subject": None,
        "body_text": text,
        "body_html": None,
    }
    return await _queue(session, message, to_contact, notice)


@dataclass(frozen=True)
class Notice:
    """A message that is one notice of `key` in time: at most one per `quiet` period."""

    key: str
    now: datetime
    quiet: timedelta


# A new message is one INSERT of its row (the table's defaults fill in the times
# and the attempts), its id read back for the timeline.
_ADD = insert(OutboxMessage.__table__).returning(OutboxMessage.__table__.c.id)


async def _queue(
    session: AsyncSession, message: dict, to_contact: Addressee | None, notice: Notice | None
) -> int:
    """Adds `message` (its column values); as a notice, a pending one of its key
    that waits for its period to end (no sender has claimed it) takes the new
    content instead, and a new one is due at the end of the period that began
    with the last notice. Returns the id of the message that carries it."""
    if to_contact is not None:
        message["contact_id"] = to_contact.contact_id
        message["kind"] = to_contact.kind.value
    if notice is not None:
        prior = (
            await session.execute(
                select(OutboxMessage)
                .where(OutboxMessage.coalesce_key == notice.key)
                .order_by(OutboxMessage.id.desc())
                .limit(1)
            )
        ).scalar_one_or_none()
        if prior is not None and prior.sent_at is None and prior.attempts == 0 and prior.available_at > notice.now:
            prior.subject, prior.body_text, prior.body_html = message["subject"], message["body_text"], message["body_html"]
            await session.flush()
            return prior.id
        message["coalesce_key"] = notice.key
        message["available_at"] = notice.now
        if prior is not None:
            message["available_at"] = max(notice.now, (prior.sent_at or prior.available_at) + notice.quiet)
    message_id = (await session.execute(_ADD, message)).scalar_one()
    if to_contact is not None:
        timeline_of(session).record(
            message["builder_account_id"], to_contact.contact_id, EventKind.MESSAGE, outbox_message_id=message_id
        )
    return message_id


async def claim_due(
    session: AsyncSession,
    *,
    limit: int,
    lease_seconds: float,
    now: datetime,
    max_attempts: int | None = None,
) -> list[OutboxMessage]:
    """Claim up to `limit` due messages (oldest first) for `lease_seconds`.

    Due means unsent with `available_at <= now`. With `max_attempts`, messages that
    already used up their attempts are left alone: they stay unsent with their
    `last_error`, visible to `dead_letter_count`, instead of being retried forever.

    Commit right after: the lease is what keeps other senders off these rows.
    """
    connection = (await session.connection()).sync_connection
    is_postgresql = connection.dialect.name == "postgresql"
    if connection.dialect.name == "sqlite" and not connection.get_execution_options().get(WRITE_OPTION):
        raise ClaimOutsideWriteTransaction(
            "claim_due needs a write transaction (a UnitOfWork) on SQLite"
        )

    query = (
        select(OutboxMessage)
        .where(OutboxMessage.sent_at.is_(None), OutboxMessage.available_at <= now)
        .order_by(OutboxMessage.available_at, OutboxMessage.id)
        .limit(limit)
    )
    if max_attempts is not None:
        query = query.where(OutboxMessage.attempts < max_attempts)
    if is_postgresql:
        # Rows locked by a concurrent claimer are skipped, not waited for; and if
        # that claimer commits first, PostgreSQL re-checks the WHERE clause on the
        # new row version, whose `available_at` is now in the future.
        query = query.with_for_update(skip_locked=True)
    # populate_existing: a row already in this session's identity map must show
    # the values just read under the lock, not older ones.
    messages = list(
        (await session.execute(query.execution_options(populate_existing=True))).scalars()
    )

    lease_until = now + timedelta(seconds=lease_seconds)
    for message in messages:
        message.available_at = lease_until
        message.attempts += 1
    await session.flush()
    return messages


async def release_claims(
    session: AsyncSession, message_ids: Sequence[int], *, claimed_until: datetime, now: datetime
) -> int:
    """Hand back claimed messages that were never attempted, so they are due again
    at once instead of after the lease. A row whose lease has already been taken
    over by another sender (its `available_at` differs) is left alone."""
    if not message_ids:
        return 0
    result = await session.execute(
        update(OutboxMessage)
        .where(
            OutboxMessage.id.in_(list(message_ids)),
            OutboxMessage.sent_at.is_(None),
            OutboxMessage.available_at == claimed_until,
        )
        .values(available_at=now, attempts=OutboxMessage.attempts - 1)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount


async def mark_sent(session: AsyncSession, message_id: int, now: datetime) -> None:
    await session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == message_id, OutboxMessage.sent_at.is_(None))
        .values(sent_at=now, last_error=None)
        .execution_options(synchronize_session=False)
    )
    await session.flush()


async def mark_failed(
    session: AsyncSession, message_id: int, error: str, retry_at: datetime, *, gave_up_at: datetime | None = None
) -> None:
    """Record why delivery failed and when to try again (the attempt itself was
    counted by the claim); `gave_up_at` when that was the last attempt."""
    await session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == message_id, OutboxMessage.sent_at.is_(None))
        .values(available_at=retry_at, last_error=_cut(error, LAST_ERROR_MAX), failed_at=gave_up_at)
        .execution_options(synchronize_session=False)
    )
    await session.flush()


async def backlog_count(session: AsyncSession, *, max_attempts: int | None = None) -> int:
    """Messages not yet sent (due or waiting for a retry). With `max_attempts`,
    only those the sender will still try."""
    query = select(func.count()).select_from(OutboxMessage).where(OutboxMessage.sent_at.is_(None))
    if max_attempts is not None:
        query = query.where(OutboxMessage.attempts < max_attempts)
    return (await session.execute(query)).scalar_one()


async def dead_letter_count(session: AsyncSession, *, max_attempts: int) -> int:
    """Messages the sender gave up on after `max_attempts`: kept, never dropped,
    for an operator to look at (`last_error`)."""
    query = (
        select(func.count())
        .select_from(OutboxMessage)
        .where(OutboxMessage.sent_at.is_(None), OutboxMessage.attempts >= max_attempts)
    )
    return (await session.execute(query)).scalar_one()


def _cut(value: str, limit: int) -> str:
    return value if len(value) <= limit else value[: limit - 1] + "…"

"""Drains the outbox (SPEC 6): at least once, and in practice exactly once.

One round (`drain_once`):

1. claim a batch in one short transaction and commit it. The claim is a lease
   (`available_at` pushed to now + lease): a sender that dies from here on loses
   nothing, its messages come back when the lease runs out;
2. for each message: send it, then mark it sent in its own short transaction
   right away. A crash between the two re-sends only the message in flight, and
   that repeat carries the same Message-ID, so the receiver can drop it;
3. a failed send records `last_error` and a retry time with exponential backoff
   (2**attempts seconds, at most an hour). After `max_attempts` the message is
   left unsent for an operator (`repository.outbox.dead_letter_count`), never
   dropped, and marked failed (`failed_at`: the contact's timeline shows it).

No database transaction is held open while talking to the mail server, and a
message is only started while at least half of its lease remains: the rest of a
batch is handed back, so no other sender can claim a message that this one is
still sending. Nothing raises out of `drain_once`.

Tokens never reach these logs: only message ids, channels and error texts do.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from mail.transports import EmailTransport, SmsTransport
from observability import tracing
from observability.metrics import OUTBOX_SEND_FAILURES, OUTBOX_SENT
from models import OutboxMessage, utcnow
from repository import outbox
from repository.uow import UnitOfWork

logger = logging.getLogger("ownerhub.outbox")

MAX_BACKOFF_SECONDS = 3600
DEFAULT_MAX_ATTEMPTS = 10


def retry_delay(attempts: int) -> timedelta:
    """Backoff after the `attempts`-th failed try: 2 s, 4 s, 8 s, ... up to an hour."""
    return timedelta(seconds=min(2 ** min(attempts, 12), MAX_BACKOFF_SECONDS))


@dataclass
class DrainReport:
    """What draining did: for `ownerhub send-outbox`, whose exit code tells a cron
    job whether it worked."""

    claimed: int = 0
    delivered: int = 0
    failed: int = 0
    claim_failed: bool = False

    @property
    def ok(self) -> bool:
        return not self.failed and not self.claim_failed

    @property
    def problem(self) -> str:
        if self.claim_failed:
            return "could not claim messages from the outbox (see the log)"
        return f"{self.failed} message(s) could not be delivered and wait for a retry (see the log)"

    def add(self, other: DrainReport) -> None:
        self.claimed += other.claimed
        self.delivered += other.delivered
        self.failed += other.failed
        self.claim_failed = self.claim_failed or other.claim_failed


class OutboxSender:
    def __init__(
        self,
        session_factory: async_sessionmaker[AsyncSession],
        email_transport: EmailTransport,
        sms_transport: SmsTransport,
        *,
        batch_size: int = 50,
        lease_seconds: float = 60,
        max_attempts: int = DEFAULT_MAX_ATTEMPTS,
        clock: Callable[[], datetime] = utcnow,
    ):
        self._session_factory = session_factory
        self._transports = {outbox.EMAIL: email_transport, outbox.SMS: sms_transport}
        self.batch_size = batch_size
        self.lease_seconds = lease_seconds
        self.max_attempts = max_attempts
        self._clock = clock
        self._wake = asyncio.Event()

    def wake(self) -> None:
        """Ask a running `run_forever` to drain now instead of at its next poll.

        Call it from the event loop thread after committing a new message; waking
        too often is harmless, waking before the commit only costs one empty round.
        """
        self._wake.set()

    async def drain_once(self) -> int:
        """Claim one batch and try each message once. Returns how many were delivered."""
        return (await self._drain()).delivered

    async def drain_backlog(self) -> DrainReport:
        """Rounds until one delivers nothing (what is left waits for a retry)."""
        report = DrainReport()
        while True:
            round_ = await self._drain()
            report.add(round_)
            if not round_.delivered:
                return report

    async def run_forever(self, stop: asyncio.Event, poll_seconds: float = 1.0) -> None:
        """Drain until `stop` is set: at once after `wake()`, else every `poll_seconds`
        (which also picks up retries and expired leases), and back to back while
        batches come back full."""
        logger.info("outbox sender started")
        while not stop.is_set():
            # Cleared before the claim: a wake() for a message committed after the
            # claim's query stays set and triggers the next round immediately.
            self._wake.clear()
            if (await self._drain()).claimed >= self.batch_size:
                continue
            await _first_of(stop, self._wake, timeout=poll_seconds)
        logger.info("outbox sender stopped")

    async def _drain(self) -> DrainReport:
        try:
            messages, claimed_until = await self._claim()
        except Exception:
            logger.exception("outbox claim failed; will retry")
            return DrainReport(claim_failed=True)

        report = DrainReport(claimed=len(messages))
        # A send may only start while half the lease remains, so that even a send
        # that runs into its timeout ends before another sender may claim the row.
        start_deadline = claimed_until - timedelta(seconds=self.lease_seconds / 2)
        for index, message in enumerate(messages):
            if self._clock() >= start_deadline:
                await self._release([m.id for m in messages[index:]], claimed_until)
                break
            if await self._deliver(message):
                report.delivered += 1
            else:
                report.failed += 1
        return report

    async def _claim(self) -> tuple[list[OutboxMessage], datetime]:
        now = self._clock()
        async with UnitOfWork(self._session_factory) as uow:
            messages = await outbox.claim_due(
                uow.session,
                limit=self.batch_size,
                lease_seconds=self.lease_seconds,
                now=now,
                max_attempts=self.max_attempts,
            )
            await uow.commit()
        return messages, now + timedelta(seconds=self.lease_seconds)

    async def _deliver(self, message: OutboxMessage) -> bool:
        attributes = {"ownerhub.outbox.message_id": message.id, "ownerhub.outbox.channel": message.channel,
                      "ownerhub.outbox.attempt": message.attempts}
        with tracing.span("outbox.send", attributes):
            return await self._send_and_record(message)

    async def _send_and_record(self, message: OutboxMessage) -> bool:
        try:
            transport = self._transports[message.channel]
            await asyncio.wait_for(transport.send(message), timeout=self.lease_seconds / 2)
        except Exception as error:
            OUTBOX_SEND_FAILURES.labels(message.channel).inc()
            await self._record_failure(message, error)
            return False
        OUTBOX_SENT.labels(message.channel).inc()

        try:
            async with UnitOfWork(self._session_factory) as uow:
                await outbox.mark_sent(uow.session, message.id, self._clock())
                await uow.commit()
        except Exception:
            # Delivered but not recorded: it goes out again after the lease, with
            # the same Message-ID. Nothing else can be done without the database.
            logger.exception("outbox message %s was sent but could not be marked sent", message.id)
            return True
        logger.info("outbox message %s sent (%s, attempt %s)", message.id, message.channel, message.attempts)
        return True

    async def _record_failure(self, message: OutboxMessage, error: BaseException) -> None:
        reason = f"{type(error).__name__}: {error}".strip()
        now = self._clock()
        retry_at = now + retry_delay(message.attempts)
        gave_up = message.attempts >= self.max_attempts
        if gave_up:
            logger.error(
                "outbox message %s (%s) failed %s times, giving up: %s",
                message.id, message.channel, message.attempts, reason,
            )
        else:
            logger.warning(
                "outbox message %s (%s) failed (attempt %s), retry at %s: %s",
                message.id, message.channel, message.attempts, retry_at.isoformat(), reason,
            )
        try:
            async with UnitOfWork(self._session_factory) as uow:
                await outbox.mark_failed(
                    uow.session, message.id, reason, retry_at, gave_up_at=now if gave_up else None
                )
                await uow.commit()
        except Exception:
            # The claim's lease still brings it back; only the backoff is lost.
            logger.exception("outbox message %s: could not record the failure", message.id)

    async def _release(self, message_ids: list[int], claimed_until: datetime) -> None:
        try:
            async with UnitOfWork(self._session_factory) as uow:
                await outbox.release_claims(
                    uow.session, message_ids, claimed_until=claimed_until, now=self._clock()
                )
                await uow.commit()
        except Exception:
            logger.exception("outbox: could not hand back %s claimed messages", len(message_ids))


async def _first_of(*events: asyncio.Event, timeout: float) -> None:
    waiters = [asyncio.ensure_future(event.wait()) for event in events]
    try:
        await asyncio.wait(waiters, timeout=timeout, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for waiter in waiters:
            waiter.cancel()

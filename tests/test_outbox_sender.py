"""The outbox sender delivers every queued message once (SPEC 6, SPEC 11).

Runs on the suite's database (SQLite, or PostgreSQL when `DATABASE_URL` names
one): one sender, or one claim at a time, inside one transaction rolled back
after the test; two senders or two claims at once with real commits. Email goes
to a real SMTP server (aiosmtpd) on a free local port.
"""

from __future__ import annotations

import asyncio
import json
import logging
import socket
import threading
import time
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser

import pytest
import pytest_asyncio
from aiosmtpd.controller import Controller
from sqlalchemy import select

from mail import messages
from mail.sender import OutboxSender
from mail.transports import FileEmailTransport, FileSmsTransport, SmtpEmailTransport
from models import BuilderAccount, OutboxMessage, utcnow
from repository import outbox
from repository.uow import UnitOfWork

MAIL_FROM = "OwnerHub <no-reply@ownerhub.test>"
APP_URL = "https://app.ownerhub.test"

# --- the database: one rolled-back transaction, or commits where two run at once ------


@pytest.fixture
def session_factory(one_transaction):
    """Sessions inside one transaction of the test database, rolled back after the
    test (conftest.one_transaction): the sender and these tests use one session at
    a time."""
    return one_transaction


@pytest.fixture
def committing_factory(app):
    """Sessions that commit to the test database, whose tables are emptied after the
    test: for the tests where two transactions run side by side and must see, or
    wait for, each other's commits."""
    return app.state.session_factory


async def _new_account(factory) -> int:
    async with UnitOfWork(factory) as uow:
        account = BuilderAccount(name="Oak & Stone Builders")
        uow.session.add(account)
        await uow.session.flush()
        await uow.commit()
        return account.id


@pytest_asyncio.fixture
async def builder_account_id(session_factory):
    return await _new_account(session_factory)


@pytest_asyncio.fixture
async def committed_account_id(committing_factory):
    return await _new_account(committing_factory)


# --- a real SMTP server -------------------------------------------------------------


@dataclass
class Received:
    mail_from: str
    rcpt_tos: list[str]
    message: EmailMessage


class Catcher:
    """aiosmtpd handler that keeps every message it accepts."""

    def __init__(self):
        self.received: list[Received] = []
        self._lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        parsed = BytesParser(policy=policy.default).parsebytes(envelope.content)
        with self._lock:
            self.received.append(Received(envelope.mail_from, list(envelope.rcpt_tos), parsed))
        return "250 Message accepted for delivery"

    def message_ids(self) -> list[str]:
        with self._lock:
            return [r.message["Message-ID"] for r in self.received]


class SmtpServer:
    def __init__(self):
        self.port = _free_port()
        self.catcher = Catcher()
        self._controller: Controller | None = None

    def start(self) -> None:
        self._controller = Controller(self.catcher, hostname="127.0.0.1", port=self.port)
        self._controller.start()

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    def transport(self) -> SmtpEmailTransport:
        return SmtpEmailTransport("127.0.0.1", self.port, None, None, False, MAIL_FROM, timeout=5)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def smtp():
    server = SmtpServer()
    server.start()
    yield server
    server.stop()


# --- helpers --------------------------------------------------------------------------


async def queue_emails(session_factory, builder_account_id, recipients) -> list[int]:
    async with UnitOfWork(session_factory) as uow:
        ids = []
        for number, recipient in enumerate(recipients):
            content = messages.added_to_job(
                app_url=APP_URL, builder_name="Oak & Stone Builders", first_name="Ann",
                job_name=f"Kitchen <{number}>",
            )
            ids.append(await outbox.enqueue_email(
                uow.session, builder_account_id=builder_account_id, to=recipient, **content._asdict()
            ))
        await uow.commit()
    return ids


async def load(session_factory, message_id: int) -> OutboxMessage:
    async with session_factory() as session:
        return (await session.execute(select(OutboxMessage).where(OutboxMessage.id == message_id))).scalar_one()


async def until(condition, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        await asyncio.sleep(0.01)
    return condition()


class BrokenTransport:
    async def send(self, message):
        raise ConnectionError("provider down")


def at(offset_seconds: float):
    """A sender clock running `offset_seconds` ahead of real time."""
    return lambda: utcnow() + timedelta(seconds=offset_seconds)


# --- the tests ------------------------------------------------------------------------


@pytest.mark.asyncio
async def test_queued_emails_are_delivered_once_each_with_both_parts(session_factory, builder_account_id, smtp, tmp_path):
    recipients = ["ann@example.com", "ann.work@example.com", "bob@example.com"]
    ids = await queue_emails(session_factory, builder_account_id, recipients)
    sender = OutboxSender(session_factory, smtp.transport(), FileSmsTransport(tmp_path))

    assert await sender.drain_once() == 3
    assert await sender.drain_once() == 0

    assert sorted(r.rcpt_tos[0] for r in smtp.catcher.received) == sorted(recipients)
    assert all(len(r.rcpt_tos) == 1 and r.mail_from == "no-reply@ownerhub.test" for r in smtp.catcher.received)
    assert sorted(smtp.catcher.message_ids()) == sorted(f"<outbox-{i}@ownerhub.test>" for i in ids)
    for received in smtp.catcher.received:
        mime = received.message
        assert mime.get_content_type() == "multipart/alternative"
        assert mime["To"] == received.rcpt_tos[0]
        assert mime["Subject"].startswith("Oak & Stone Builders added you to the job Kitchen <")
        text = mime.get_body(("plain",)).get_content()
        html = mime.get_body(("html",)).get_content()
        assert 'the job "Kitchen <' in text
        assert "Kitchen &lt;" in html and "Oak &amp; Stone" in html
    for message_id in ids:
        row = await load(session_factory, message_id)
        assert row.sent_at is not None and row.attempts == 1 and row.last_error is None
    async with session_factory() as session:
        assert await outbox.backlog_count(session) == 0


@pytest.mark.asyncio
async def test_file_backend_writes_eml_files_and_logs_the_link(session_factory, builder_account_id, tmp_path, caplog):
    caplog.set_level(logging.INFO, logger="ownerhub.outbox")
    mail_dir = tmp_path / "mail"
    invite = messages.owner_invite(
        app_url=APP_URL, builder_name="Oak & Stone Builders", first_name="Ann",
        token="tok-123_abc", expires_at=datetime(2026, 3, 9, 14, 0, tzinfo=timezone.utc),
    )
    async with UnitOfWork(session_factory) as uow:
        email_id = await outbox.enqueue_email(
            uow.session, builder_account_id=builder_account_id, to="ann@example.com", **invite._asdict()
        )
        sms_id = await outbox.enqueue_sms(
            uow.session, builder_account_id=builder_account_id, to="+15550100",
            text=messages.added_to_job_sms(app_url=APP_URL, builder_name="Oak & Stone Builders", job_name="Kitchen"),
        )
        await uow.commit()
    sender = OutboxSender(session_factory, FileEmailTransport(mail_dir, MAIL_FROM), FileSmsTransport(mail_dir))

    assert await sender.drain_once() == 2

    eml = mail_dir / f"{email_id}.eml"
    written = BytesParser(policy=policy.default).parsebytes(eml.read_bytes())
    assert written["To"] == "ann@example.com"
    assert written["Message-ID"] == f"<outbox-{email_id}@ownerhub.test>"
    link = f"{APP_URL}/accept-invite?token=tok-123_abc"
    assert link in written.get_body(("plain",)).get_content()
    assert [p.name for p in mail_dir.glob("*.eml")] == [eml.name], "no temporary file is left behind"
    assert any(str(eml) in r.getMessage() and link in r.getMessage() for r in caplog.records)

    [line] = (mail_dir / "sms.jsonl").read_text().splitlines()
    assert json.loads(line) | {"created_at": None} == {
        "id": sms_id, "to": "+15550100", "created_at": None,
        "text": f'Oak & Stone Builders added you to the job "Kitchen" in OwnerHub: {APP_URL}',
    }


@pytest.mark.asyncio
async def test_a_failed_send_is_retried_later_and_delivered_exactly_once(session_factory, builder_account_id, smtp, tmp_path):
    [message_id] = await queue_emails(session_factory, builder_account_id, ["ann@example.com"])
    smtp.stop()
    before = utcnow()

    assert await OutboxSender(session_factory, smtp.transport(), FileSmsTransport(tmp_path)).drain_once() == 0

    row = await load(session_factory, message_id)
    assert row.sent_at is None
    assert row.attempts == 1
    assert row.last_error
    assert row.available_at >= before + timedelta(seconds=2), "backoff: retried later, not at once"

    smtp.start()
    assert await OutboxSender(session_factory, smtp.transport(), FileSmsTransport(tmp_path)).drain_once() == 0, (
        "not due before its retry time"
    )
    later = OutboxSender(session_factory, smtp.transport(), FileSmsTransport(tmp_path), clock=at(10))
    assert await later.drain_once() == 1
    assert await later.drain_once() == 0

    assert smtp.catcher.message_ids() == [f"<outbox-{message_id}@ownerhub.test>"]
    row = await load(session_factory, message_id)
    assert row.sent_at is not None and row.attempts == 2 and row.last_error is None


@pytest.mark.asyncio
async def test_two_senders_draining_at_once_deliver_each_message_exactly_once(committing_factory, committed_account_id, smtp, tmp_path):
    ids = await queue_emails(committing_factory, committed_account_id, [f"owner{n}@example.com" for n in range(40)])
    senders = [
        OutboxSender(committing_factory, smtp.transport(), FileSmsTransport(tmp_path), batch_size=7)
        for _ in range(2)
    ]

    async def drain_all(sender) -> int:
        total = 0
        while delivered := await sender.drain_once():
            total += delivered
        return total

    delivered = await asyncio.gather(*(drain_all(s) for s in senders))

    assert sum(delivered) == 40
    assert all(count > 0 for count in delivered), "both senders took part"
    assert sorted(smtp.catcher.message_ids()) == sorted(f"<outbox-{i}@ownerhub.test>" for i in ids)
    async with committing_factory() as session:
        assert await outbox.backlog_count(session) == 0


@pytest.mark.asyncio
async def test_wake_delivers_a_new_message_within_two_seconds(committing_factory, committed_account_id, smtp, tmp_path):
    sender = OutboxSender(committing_factory, smtp.transport(), FileSmsTransport(tmp_path))
    stop = asyncio.Event()
    running = asyncio.create_task(sender.run_forever(stop, poll_seconds=60))
    await asyncio.sleep(0.2)  # its first, empty round is over: only wake() can start the next

    committed = time.monotonic()
    await queue_emails(committing_factory, committed_account_id, ["ann@example.com"])
    sender.wake()
    arrived = await until(lambda: len(smtp.catcher.received) == 1, timeout=2)
    elapsed = time.monotonic() - committed

    stop.set()
    await asyncio.wait_for(running, timeout=5)
    assert arrived, "delivered within 2 s of the commit"
    assert elapsed < 2


@pytest.mark.asyncio
async def test_a_claim_never_takes_rows_another_uncommitted_claim_holds(committing_factory, committed_account_id):
    ids = await queue_emails(committing_factory, committed_account_id, [f"owner{n}@example.com" for n in range(10)])
    now = utcnow()

    async def claim(uow, limit):
        return {m.id for m in await outbox.claim_due(uow.session, limit=limit, lease_seconds=60, now=now)}

    async with UnitOfWork(committing_factory) as first:
        first_claim = await claim(first, 5)

        async def second_claimer():
            async with UnitOfWork(committing_factory) as second:
                claimed = await claim(second, 10)
                await second.commit()
                return claimed

        # PostgreSQL skips the locked rows at once; SQLite waits for the write lock.
        second = asyncio.create_task(second_claimer())
        await asyncio.sleep(0.3)
        await first.commit()
    second_claim = await asyncio.wait_for(second, timeout=10)

    assert len(first_claim) == 5 and len(second_claim) == 5
    assert first_claim | second_claim == set(ids)


@pytest.mark.asyncio
async def test_a_crashed_senders_claim_comes_back_after_the_lease(session_factory, builder_account_id):
    [message_id] = await queue_emails(session_factory, builder_account_id, ["ann@example.com"])
    now = utcnow()

    async def claim(at_time):
        async with UnitOfWork(session_factory) as uow:
            claimed = await outbox.claim_due(uow.session, limit=10, lease_seconds=60, now=at_time)
            await uow.commit()
            return [m.id for m in claimed]

    assert await claim(now) == [message_id]
    assert await claim(now + timedelta(seconds=59)) == [], "leased to the first claimer"
    assert await claim(now + timedelta(seconds=61)) == [message_id], "the lease ran out: due again"
    assert (await load(session_factory, message_id)).attempts == 2


@pytest.mark.asyncio
async def test_after_max_attempts_a_message_is_kept_but_no_longer_tried(session_factory, builder_account_id, tmp_path):
    async with UnitOfWork(session_factory) as uow:
        sms_id = await outbox.enqueue_sms(uow.session, builder_account_id=builder_account_id, to="+15550100", text="hi")
        await uow.commit()
    sender = OutboxSender(session_factory, BrokenTransport(), BrokenTransport(), max_attempts=2)

    assert await sender.drain_once() == 0
    sender_later = OutboxSender(session_factory, BrokenTransport(), BrokenTransport(), max_attempts=2, clock=at(3600))
    assert await sender_later.drain_once() == 0
    assert await OutboxSender(
        session_factory, BrokenTransport(), BrokenTransport(), max_attempts=2, clock=at(7 * 86400)
    ).drain_once() == 0

    row = await load(session_factory, sms_id)
    assert row.sent_at is None and row.attempts == 2 and row.last_error == "ConnectionError: provider down"
    async with session_factory() as session:
        assert await outbox.dead_letter_count(session, max_attempts=2) == 1
        assert await outbox.backlog_count(session, max_attempts=2) == 0


def test_message_texts_escape_every_value_in_html():
    invite = messages.owner_invite(
        app_url=APP_URL + "/", builder_name='<b>"Evil"</b> & Co', first_name="<script>x</script>",
        token="a/b?c", expires_at=datetime(2026, 3, 9, 14, 0, tzinfo=timezone.utc),
    )
    assert f"{APP_URL}/accept-invite?token=a%2Fb%3Fc" in invite.text
    assert "<script>" not in invite.html and "<b>" not in invite.html
    assert "&lt;script&gt;x&lt;/script&gt;" in invite.html
    assert "on 9 March 2026 at 14:00 UTC" in invite.text

    reset = messages.password_reset(app_url=APP_URL, token="tok", minutes_valid=30)
    assert f"{APP_URL}/reset-password?token=tok" in reset.text and "30 minutes" in reset.text

    long_name = "Call me now\n" + "x" * 500
    update = messages.job_updated(
        app_url=APP_URL, builder_name="B", first_name=None, job_name=long_name, changed_fields=["address"]
    )
    assert "\n" not in update.subject and len(update.subject) < 120
    assert "its address changed" in update.text
    assert len(messages.job_updated_sms(app_url=APP_URL, builder_name="B", job_name=long_name)) < 160
    with pytest.raises(ValueError):
        messages.job_updated(app_url=APP_URL, builder_name="B", first_name=None, job_name="J", changed_fields=["note"])

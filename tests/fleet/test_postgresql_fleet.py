"""A fleet (SPEC 10, issue 9, SECURITY-CASES 25, 33): two `ownerhub serve` processes on
free ports against one PostgreSQL database and the shared Redis, and two outbox
sender processes (`ownerhub send-outbox --forever`, and the same loop with a short
lease, tests/fleet/outbox_sender_process.py, for the one that is killed)
delivering to a real SMTP server (aiosmtpd).

Runs in the PostgreSQL pass of `.ci/run` (tests/fleet/conftest.py), each test on a
fresh database `ownerhub_fleet_<random>` of the server `DATABASE_URL` names.
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
import uuid
from base64 import b64encode
from collections import Counter
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from sqlalchemy import func, select

from db.engine import create_engine, create_session_factory
from db.migrate import upgrade_to_head
from domain.activation import ActivationStatus
from fleet_support import (
    ADMIN_PASSWORD,
    LOGIN,
    OWNER_PASSWORD,
    ServerProcess,
    SmtpCatcher,
    base_env,
    create_builder_in,
    create_postgresql_database,
    drop_postgresql_database,
    gql,
    login,
    terminate_all,
)
from models import Contact, OutboxMessage
from repository import outbox
from repository.uow import UnitOfWork

pytestmark = pytest.mark.postgresql_fleet

REDIS_URL = "redis://127.0.0.1:6379/0"
SENDER_SCRIPT = Path(__file__).resolve().parent / "outbox_sender_process.py"
ROOT = SENDER_SCRIPT.parents[2]
OWNERS = 20

UPDATE_INFO = """
mutation ClaimPrimaryEmail($input: UpdateContactInfoInput!) {
  updateContactInfo(input: $input) { contact { id primaryEmail } userErrors { field code message } }
}
"""

CONFIRM_EMAIL_CHANGE = """
mutation ConfirmEmailChange($token: String!) {
  confirmEmailChange(input: {token: $token}) { primaryEmail userErrors { field code message } }
}
"""


@pytest.fixture
async def fleet_database():
    url = await create_postgresql_database(os.environ["DATABASE_URL"])
    try:
        await asyncio.to_thread(upgrade_to_head, url)
        engine = create_engine(url)
        try:
            yield url, create_session_factory(engine)
        finally:
            await engine.dispose()
    finally:
        await drop_postgresql_database(url)


@pytest.fixture
async def two_servers(fleet_database, tmp_path):
    url, _factory = fleet_database
    # Keys of its own: counts of other runs sharing this Redis must not leak in.
    env = base_env(url, tmp_path, REDIS_URL=REDIS_URL, REDIS_KEY_PREFIX=f"ownerhub-fleet-{uuid.uuid4().hex[:12]}")
    servers = [ServerProcess(env, tmp_path / f"server-{n}.log").start() for n in range(2)]
    try:
        await asyncio.gather(*(server.wait_ready() for server in servers))
        yield servers
    finally:
        for server in servers:
            await server.stop()


def global_id(contact_id: int) -> str:
    return b64encode(f"Contact:{contact_id}".encode()).decode()


async def active_owners(session_factory, builder_account_id: int, count: int) -> list[tuple[int, str]]:
    """ACTIVE owners with logins, written straight to the database (the invite flow
    that makes them has its own tests); (contact id, username) each."""
    from domain.passwords import PRODUCTION_PARAMETERS, hash_password
    from models import User

    password_hash = hash_password(OWNER_PASSWORD, PRODUCTION_PARAMETERS)
    owners = []
    async with UnitOfWork(session_factory) as uow:
        for number in range(count):
            email = f"owner{number}-{uuid.uuid4().hex[:6]}@example.com"
            contact = Contact(
                builder_account_id=builder_account_id, first_name=f"Owner{number}", last_name="Fleet",
                primary_email=email, primary_email_key=email, activation_status=ActivationStatus.ACTIVE,
            )
            uow.session.add(contact)
            await uow.session.flush()
            username = f"fleet-owner-{uuid.uuid4().hex[:10]}"
            uow.session.add(User(
                builder_account_id=builder_account_id, kind="OWNER", contact_id=contact.id,
                username=username, username_key=username, password_hash=password_hash,
            ))
            owners.append((contact.id, username))
        await uow.commit()
    return owners


async def test_owners_racing_for_one_primary_email_across_two_processes_make_exactly_one_claim(
    fleet_database, two_servers
):
    """An active owner's new primary email is claimed when its link is confirmed
    (SPEC 12), so the race is between the confirmations: 20 owners ask for one
    address (each change waits for proof), then all 20 links are confirmed at once
    through two processes; the unique index lets exactly one through."""
    url, session_factory = fleet_database
    account_id, _admin = await create_builder_in(url, "Fleet Homes")
    owners = await active_owners(session_factory, account_id, OWNERS)
    clients = [httpx.AsyncClient(base_url=server.url, timeout=60) for server in two_servers]
    wanted = "Shared.Claim@Example.com"
    try:
        for client in clients:  # both ready, on the shared database and Redis
            response = await client.get("/readyz")
            assert (response.status_code, response.json()) == (200, {"database": "ok", "redis": "ok"})
        tokens = []
        for number, (_contact_id, username) in enumerate(owners):
            tokens.append(await login(clients[number % 2], username, OWNER_PASSWORD))

        asked = await asyncio.gather(*(
            gql(clients[number % 2], UPDATE_INFO,
                {"input": {"contactId": global_id(contact_id), "primaryEmail": wanted}}, tokens[number])
            for number, (contact_id, _username) in enumerate(owners)
        ))
        assert all("errors" not in answer for answer in asked), asked
        assert all(not answer["data"]["updateContactInfo"]["userErrors"] for answer in asked), asked
        links = await confirmation_links(session_factory)
        assert len(links) == OWNERS

        answers = await asyncio.gather(*(
            gql(clients[number % 2], CONFIRM_EMAIL_CHANGE, {"token": token})
            for number, token in enumerate(links)
        ))
    finally:
        for client in clients:
            await client.aclose()

    assert all("errors" not in answer for answer in answers), answers
    payloads = [answer["data"]["confirmEmailChange"] for answer in answers]
    won = [p for p in payloads if not p["userErrors"]]
    lost = [p for p in payloads if p["userErrors"]]
    assert len(won) == 1 and won[0]["primaryEmail"].lower() == wanted.lower()
    assert len(lost) == OWNERS - 1
    assert {e["code"] for p in lost for e in p["userErrors"]} == {"EMAIL_IN_USE"}
    async with session_factory() as session:
        holders = (await session.execute(
            select(func.count()).select_from(Contact).where(Contact.primary_email_key == wanted.lower())
        )).scalar_one()
    assert holders == 1


async def confirmation_links(session_factory) -> list[str]:
    """The tokens of the confirmation mails waiting in the outbox (no sender runs
    in this test), read from their `{APP_URL}/confirm-email?token=` links."""
    async with session_factory() as session:
        bodies = (await session.execute(
            select(OutboxMessage.body_text).where(OutboxMessage.kind == "EMAIL_CHANGE_CONFIRMATION")
        )).scalars().all()
    tokens = []
    for body in bodies:
        links = [word for word in body.split() if "/confirm-email?" in word]
        assert len(links) == 1, body
        tokens.append(parse_qs(urlsplit(links[0]).query)["token"][0])
    return tokens


def start_sender(env: dict, log_path: Path, *, mail_from: str, lease: float | None = None,
                 batch_size: int | None = None) -> subprocess.Popen:
    """`ownerhub send-outbox --forever`; or, with a lease and batch size, the same
    loop with those (tests/fleet/outbox_sender_process.py), so that a sender
    killed in a test lets go of its claims within seconds instead of a minute."""
    if lease is None:
        command = [sys.executable, str(ROOT / "cli.py"), "send-outbox", "--forever"]
    else:
        command = [sys.executable, str(SENDER_SCRIPT), "--lease", str(lease), "--batch-size", str(batch_size)]
    log = open(log_path, "ab")
    return subprocess.Popen(
        command, env={**env, "MAIL_FROM": mail_from}, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT,
    )


async def wait_for(condition, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        await asyncio.sleep(0.02)


async def test_two_sender_processes_deliver_every_message_once_also_when_one_is_killed_mid_batch(
    fleet_database, tmp_path
):
    url, session_factory = fleet_database
    account_id, _admin = await create_builder_in(url, "Fleet Homes")
    messages = 60
    async with UnitOfWork(session_factory) as uow:
        ids = [
            await outbox.enqueue_email(
                uow.session, builder_account_id=account_id, to=f"owner{n}@example.com",
                subject=f"Update {n}", text=f"Message {n}", html=None,
            )
            for n in range(messages)
        ]
        await uow.commit()
    batch, lease = 20, 10

    with SmtpCatcher(delay=0.1) as smtp:
        env = base_env(url, tmp_path, SMTP_HOST="127.0.0.1", SMTP_PORT=str(smtp.port))
        senders = [
            start_sender(env, tmp_path / "sender-a.log", mail_from="sender-a@ownerhub.test", lease=lease, batch_size=batch),
            start_sender(env, tmp_path / "sender-b.log", mail_from="sender-b@ownerhub.test"),
        ]
        try:
            def by_sender() -> Counter:
                return Counter(mail_from for mail_from, _id in smtp.handler.snapshot())

            # Both are delivering, and A is inside its first batch: kill -9 it.
            await wait_for(lambda: by_sender()["sender-a@ownerhub.test"] >= 3
                           and by_sender()["sender-b@ownerhub.test"] >= 1, 120, "both senders to deliver")
            senders[0].send_signal(signal.SIGKILL)
            senders[0].wait(timeout=30)
            delivered_by_a = by_sender()["sender-a@ownerhub.test"]

            async def backlog() -> int:
                async with session_factory() as session:
                    return await outbox.backlog_count(session)

            deadline = time.monotonic() + 120
            while await backlog():
                assert time.monotonic() < deadline, "the surviving sender did not finish the outbox"
                await asyncio.sleep(0.2)
        finally:
            for process in senders:
                if process.poll() is None:
                    process.terminate()
            for process in senders:
                try:
                    process.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    terminate_all([process])
        received = smtp.handler.snapshot()

    assert senders[0].returncode == -signal.SIGKILL
    assert senders[1].returncode == 0, (tmp_path / "sender-b.log").read_text()[-3000:]
    assert delivered_by_a < batch, "A was killed in the middle of its batch"

    wanted = {f"<outbox-{i}@ownerhub.test>" for i in ids}
    counts = Counter(message_id for _sender, message_id in received)
    assert set(counts) == wanted, "every queued message was delivered"
    # At most the one message A had handed to the SMTP server but not yet marked
    # sent when it died comes again, with the same Message-ID (mail/sender.py).
    repeated = [message_id for message_id, count in counts.items() if count > 1]
    assert len(repeated) <= 1 and all(counts[m] == 2 for m in repeated)
    assert len(received) == messages + len(repeated)

    async with session_factory() as session:
        rows = (await session.execute(select(OutboxMessage.attempts, OutboxMessage.sent_at))).all()
    assert all(sent_at is not None for _attempts, sent_at in rows)
    # A's unsent claims came back when its lease ran out and B delivered them.
    assert any(attempts == 2 for attempts, _sent in rows)


SEND_INVITE = """
mutation SendInvite($id: ID!) {
  sendInvite(input: {contactId: $id}) {
    contact { id activationStatus }
    conflictingContact { id }
    userErrors { code message field }
  }
}
"""
CREATE_CONTACT = """
mutation CreateContact($input: CreateContactInput!) {
  createContact(input: $input) { contact { id } userErrors { code message } }
}
"""
INVITES_PER_CONTACT = 10
FAILED_LOGIN_LIMIT = 100


async def test_invites_racing_for_one_email_across_two_processes_make_exactly_one_claim(fleet_database, two_servers):
    url, session_factory = fleet_database
    _account_id, admin = await create_builder_in(url, "Fleet Homes")
    clients = [httpx.AsyncClient(base_url=server.url, timeout=60) for server in two_servers]
    try:
        token = await login(clients[0], admin, ADMIN_PASSWORD)
        contact_ids = []
        for first_name in ("Robin", "Robyn"):  # one person who arrived twice, as two leads
            body = await gql(clients[0], CREATE_CONTACT, {"input": {
                "firstName": first_name, "lastName": "Lee", "primaryEmail": "robin.lee@example.com"}}, token)
            contact_ids.append(body["data"]["createContact"]["contact"]["id"])
        answers = await asyncio.gather(*(
            gql(clients[number % 2], SEND_INVITE, {"id": contact_ids[number // INVITES_PER_CONTACT]}, token)
            for number in range(2 * INVITES_PER_CONTACT)
        ))
    finally:
        for client in clients:
            await client.aclose()

    assert all("errors" not in answer for answer in answers), answers
    payloads = [answer["data"]["sendInvite"] for answer in answers]
    refused = {e["code"] for p in payloads for e in p["userErrors"]}
    assert refused <= {"EMAIL_IN_USE", "STALE_OBJECT"}, payloads
    async with session_factory() as session:
        statuses = (await session.execute(
            select(Contact.activation_status).where(Contact.primary_email_key == "robin.lee@example.com")
        )).scalars().all()
    assert sorted(statuses) == [ActivationStatus.INACTIVE, ActivationStatus.PENDING], "exactly one claim"
    assert any(not p["userErrors"] for p in payloads)


async def test_the_failed_login_limit_counts_across_processes(fleet_database, two_servers):
    url, _factory = fleet_database
    _account_id, admin = await create_builder_in(url, "Fleet Homes")
    clients = [httpx.AsyncClient(base_url=server.url, timeout=60) for server in two_servers]
    try:
        wrong = {"input": {"username": admin, "password": "not the password at all"}}
        for start in range(0, FAILED_LOGIN_LIMIT, 10):  # 10 at a time, alternating processes
            answers = await asyncio.gather(*(
                gql(clients[n % 2], LOGIN, wrong) for n in range(start, start + 10)
            ))
            assert all(a["data"]["login"]["token"] is None for a in answers)
        right = {"input": {"username": admin, "password": ADMIN_PASSWORD}}
        locked = [await gql(client, LOGIN, right) for client in clients]
    finally:
        for client in clients:
            await client.aclose()
    for answer in locked:
        assert answer["data"]["login"]["token"] is None
        assert [e["code"] for e in answer["data"]["login"]["userErrors"]] == ["RATE_LIMITED"]

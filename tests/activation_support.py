"""Fixtures and helpers for the owner-activation tests: a real SMTP server
(aiosmtpd) catching the mail, the outbox drained into it, links followed, a
clock that tests move, and the rate limits reset between tests."""

from __future__ import annotations

import socket
import threading
from dataclasses import dataclass
from datetime import datetime
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import select
from strawberry import relay

from conftest import Actor, gql
from mail.sender import OutboxSender
from mail.transports import FileSmsTransport, SmtpEmailTransport
from models import Contact, utcnow
from ratelimit import AuthRateLimiter

MAIL_FROM = "OwnerHub <no-reply@ownerhub.test>"

CREATE_CONTACT = """
mutation($input: CreateContactInput!) {
  createContact(input: $input) { contact { id } userErrors { code message field } }
}
"""
CONTACT_FIELDS = """
  id firstName primaryEmail additionalEmails activationStatus
  pendingInvite { sentAt expiresAt expired sentTo }
  viewerCan { editInfo invite cancelInvite deactivate lockedReason }
"""
CONTACT = "query($id: ID!) { contact(id: $id) { %s } }" % CONTACT_FIELDS


def contact_step(name: str) -> str:
    """The document of sendInvite, cancelInvite or deactivateOwner."""
    return """
mutation($id: ID!) {
  %s(input: {contactId: $id}) {
    contact { %s }
    conflictingContact { id displayName }
    duplicateContacts { id }
    userErrors { code message field }
  }
}
""" % (name, CONTACT_FIELDS)


SEND_INVITE = contact_step("sendInvite")
CANCEL_INVITE = contact_step("cancelInvite")
DEACTIVATE_OWNER = contact_step("deactivateOwner")
INVITE_DETAILS = "query($token: String!) { inviteDetails(token: $token) { valid builderName firstName expiresAt } }"
ACCEPT_INVITE = """
mutation($input: AcceptInviteInput!) {
  acceptInvite(input: $input) {
    token expiresAt
    viewer { __typename ... on OwnerUser { username contact { id activationStatus } } }
    userErrors { code message field }
  }
}
"""
REQUEST_RESET = """
mutation($login: String!) { requestPasswordReset(input: {login: $login}) { ok userErrors { code message field } } }
"""
RESET_PASSWORD = """
mutation($token: String!, $password: String!) {
  resetPassword(input: {token: $token, newPassword: $password}) {
    token viewer { __typename } userErrors { code message field }
  }
}
"""
CHANGE_PASSWORD = """
mutation($current: String!, $new: String!) {
  changePassword(input: {currentPassword: $current, newPassword: $new}) { ok userErrors { code message field } }
}
"""
UPDATE_INFO = """
mutation($input: UpdateContactInfoInput!) {
  updateContactInfo(input: $input) { contact { id firstName primaryEmail } conflictingContact { id } userErrors { code message field } }
}
"""
SET_ADDITIONAL = """
mutation($id: ID!, $emails: [String!]!) {
  setAdditionalEmails(input: {contactId: $id, emails: $emails}) { contact { additionalEmails } userErrors { code message } }
}
"""
ME = "{ me { __typename ... on OwnerUser { username contact { id firstName activationStatus } } } }"
OWNER_PASSWORD = "a porch swing in the rain"


# --- a real SMTP server ------------------------------------------------------------


class Inbox:
    """aiosmtpd handler keeping every message it accepts."""

    def __init__(self):
        self._messages: list[EmailMessage] = []
        self._lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        parsed = BytesParser(policy=policy.default).parsebytes(envelope.content)
        with self._lock:
            self._messages.append(parsed)
        return "250 Message accepted for delivery"

    @property
    def messages(self) -> list[EmailMessage]:
        with self._lock:
            return list(self._messages)

    def to(self, address: str) -> list[EmailMessage]:
        return [m for m in self.messages if m["To"] == address]


@dataclass
class SmtpServer:
    host: str
    port: int
    inbox: Inbox

    def transport(self) -> SmtpEmailTransport:
        return SmtpEmailTransport(self.host, self.port, None, None, False, MAIL_FROM, timeout=10)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def smtp():
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield SmtpServer("127.0.0.1", controller.port, inbox)
    controller.stop()


@pytest.fixture
def deliver(app, smtp, tmp_path):
    """Drains the outbox into the SMTP server, as `ownerhub send-outbox` does."""
    sender = OutboxSender(app.state.session_factory, smtp.transport(), FileSmsTransport(tmp_path))

    async def drain() -> int:
        total = 0
        while delivered := await sender.drain_once():
            total += delivered
        return total

    return drain


def text_of(message: EmailMessage) -> str:
    return message.get_body(preferencelist=("plain",)).get_content()


def html_of(message: EmailMessage) -> str:
    return message.get_body(preferencelist=("html",)).get_content()


def link_token(message: EmailMessage, app_url: str, path: str) -> str:
    """Follows the one link of `path` in the mail: it must point at APP_URL."""
    links = [word for word in text_of(message).split() if word.startswith("http")]
    matching = [link for link in links if urlsplit(link).path == f"/{path}"]
    assert len(matching) == 1, links
    link = urlsplit(matching[0])
    base = urlsplit(app_url)
    assert (link.scheme, link.netloc) == (base.scheme, base.netloc)
    return parse_qs(link.query)["token"][0]


# --- the clock and the rate limits ---------------------------------------------------


class Clock:
    """Stands in for `app.state.now`: real time until frozen, then moved by hand."""

    def __init__(self):
        self.frozen: datetime | None = None

    def __call__(self) -> datetime:
        return self.frozen or utcnow()

    def freeze(self) -> datetime:
        self.frozen = utcnow()
        return self.frozen

    def advance(self, delta) -> None:
        self.frozen = self() + delta


@pytest.fixture
def clock(app):
    previous = app.state.now
    app.state.now = Clock()
    yield app.state.now
    app.state.now = previous


@pytest.fixture(autouse=True)
def fresh_rate_limits(app):
    """The app outlives a test; its in-memory counts must not. A new limiter per
    test (rather than `reset()`, which races the memory storage's expiry task)."""
    previous = app.state.rate_limiter
    app.state.rate_limiter = AuthRateLimiter()
    yield app.state.rate_limiter
    app.state.rate_limiter = previous


def client_at(app, address: str) -> httpx.AsyncClient:
    """A client calling from another address (rate limits count per address)."""
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app, client=(address, 4321)), base_url="http://testserver")


# --- flows ---------------------------------------------------------------------------


def global_id(contact_id: int) -> str:
    return str(relay.GlobalID("Contact", str(contact_id)))


async def create_contact(builder: Actor, **fields) -> str:
    body = await builder.gql(CREATE_CONTACT, {"input": fields})
    assert body["data"]["createContact"]["userErrors"] == []
    return body["data"]["createContact"]["contact"]["id"]


async def send_invite(builder: Actor, contact_id: str) -> dict:
    payload = (await builder.gql(SEND_INVITE, {"id": contact_id}))["data"]["sendInvite"]
    assert payload["userErrors"] == [], payload
    return payload


async def invite_token(builder: Actor, contact_id: str, deliver, smtp, settings, email: str) -> str:
    """Sends the invite, delivers it over SMTP, and reads the token from the link."""
    await send_invite(builder, contact_id)
    await deliver()
    return link_token(smtp.inbox.to(email)[-1], settings.APP_URL, "accept-invite")


async def accept(client, token: str, username: str, password: str = OWNER_PASSWORD) -> dict:
    body = await gql(client, ACCEPT_INVITE, {"input": {"token": token, "username": username, "password": password}})
    return body["data"]["acceptInvite"]


async def contact_rows(app) -> dict[int, tuple]:
    """Every contact row, column by column: to prove that nothing changed."""
    async with app.state.session_factory() as session:
        rows = (await session.execute(select(Contact).order_by(Contact.id))).scalars()
        return {row.id: tuple(getattr(row, c.key) for c in Contact.__table__.columns) for row in rows}

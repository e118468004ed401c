"""Owner invites and deactivation (SPEC 2.1, 2.3 rule 2, 3).

Use cases over a unit of work and plain values; the caller commits once. The
invite email is queued in the outbox in the same transaction as the status
change, so it exists exactly when the change does (SPEC 6). Tokens leave this
module only inside that email: nothing returns them.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import datetime, timedelta

from domain import activation
from domain.activation import ActivationStatus
from domain.errors import RuleError, UserErrorCode, Violation
from domain.passwords import HashParameters, hash_password
from domain.timeline import SYSTEM, EventKind, MessageKind, owner_actor
from domain.tokens import hash_token, new_token
from mail import messages
from models import Contact, User
from repository import outbox
from repository.accounts import AccountRepository, UsernameTaken
from repository.contacts import ContactRepository, EditedContact, EmailClaimConflict
from repository.invites import InviteRepository
from repository.owner_accounts import OwnerAccountRepository
from repository.timeline import TimelineBatch
from repository.tokens import TokenRepository
from repository.uow import UnitOfWork
from services import email_changes
from services.accounts import IssuedSession, check_new_password, check_username, issue_session
from services.contacts import ChangedContact

INVALID_INVITE = "This invite link is no longer valid. Ask your builder to send a new invite."
USERNAME_TAKEN = "This username is taken. Choose another one."


@dataclass(frozen=True)
class InviteView:
    """What the accept page may know about a live invite, and nothing else."""

    builder_name: str
    first_name: str | None
    expires_at: datetime


def _name_of(contact: Contact) -> str:
    return " ".join(p for p in (contact.first_name, contact.last_name) if p) or contact.primary_email or "another contact"


def email_claimed_error(claimer: Contact | None) -> RuleError:
    """SPEC 2.3 rule 2: the refusal names the contact that claimed the email, so the
    builder can select it instead."""
    who = _name_of(claimer) if claimer else "another contact"
    message = (
        f"This email is already the primary email of {who}, who has been invited or is an active owner. "
        "Select that contact, or give this contact another primary email."
    )
    return RuleError(
        Violation(("contact_id",), UserErrorCode.EMAIL_IN_USE, message),
        conflicting_contact_id=claimer.id if claimer else None,
    )


def _record_expiry(timeline: TimelineBatch, contact: Contact, expired_at: datetime | None) -> None:
    """An invite that ran out unused is noticed when the builder next acts on it (a
    resend, a cancel): recorded then, as the system's doing, at the time it expired."""
    if expired_at is not None:
        timeline.record(
            contact.builder_account_id, contact.id, EventKind.INVITE_EXPIRED, actor=SYSTEM, occurred_at=expired_at
        )


@dataclass(frozen=True)
class InviteStep:
    """A builder's step on a contact's invite: send (with the link's lifetime and
    the app's address), cancel or deactivate."""

    contact_id: int | None
    now: datetime
    ttl: timedelta = timedelta(0)
    app_url: str = ""


async def send_invite(uow: UnitOfWork, target: EditedContact, command: InviteStep) -> ChangedContact:
    """First send (INACTIVE) or resend (PENDING): a fresh token with the full
    lifetime, every earlier token dead, one email to the primary email only."""
    contact, now = target.row, command.now
    builder_account_id = contact.builder_account_id
    contacts = ContactRepository(uow.session, builder_account_id)
    resend = contact.activation_status == ActivationStatus.PENDING
    new_status = activation.after_send_invite(contact.activation_status, contact.primary_email)
    # Kept aside: a rolled-back savepoint expires the row's attributes.
    contact_key, email = contact.id, contact.primary_email
    try:
        # The claimed-email index decides whether another contact holds the email
        # (SPEC 2.3.3), races included; the savepoint keeps the transaction usable
        # to name the holder.
        async with uow.session.begin_nested():
            await contacts.write(contact, activation_status=new_status)
    except EmailClaimConflict:
        raise email_claimed_error(await contacts.claimed_by_email(email, exclude_id=contact_key)) from None

    invites = InviteRepository(uow.session, builder_account_id)
    if target.has_live_invite:
        _record_expiry(uow.timeline, contact, await invites.revoke_live(contact.id, now))
    uow.timeline.record(builder_account_id, contact.id, EventKind.INVITE_RESENT if resend else EventKind.INVITE_SENT)
    token, expires_at = new_token(), now + command.ttl
    await invites.add(contact, hash_token(token), now, expires_at)
    content = messages.owner_invite(
        app_url=command.app_url, builder_name=target.builder_name, first_name=contact.first_name,
        token=token, expires_at=expires_at,
    )
    await outbox.enqueue_email(
        uow.session, builder_account_id=builder_account_id, to=email, **content._asdict(),
        to_contact=outbox.Addressee(contact.id, MessageKind.INVITE),
    )
    # The never-invited contacts sharing the email: looked up if the answer asks.
    return ChangedContact(contact, target.additional_emails, duplicate_ids=None)


async def cancel_invite(uow: UnitOfWork, target: EditedContact, command: InviteStep) -> ChangedContact:
    contact = target.row
    contact.activation_status = activation.after_cancel_invite(contact.activation_status)
    expired_at = await InviteRepository(uow.session, contact.builder_account_id).revoke_live(contact.id, command.now)
    _record_expiry(uow.timeline, contact, expired_at)
    ContactRepository(uow.session, contact.builder_account_id).touch(contact)
    await uow.flush()
    uow.timeline.record(contact.builder_account_id, contact.id, EventKind.INVITE_CANCELLED)
    return ChangedContact(contact, target.additional_emails)


async def deactivate_owner(uow: UnitOfWork, target: EditedContact, command: InviteStep) -> ChangedContact:
    """ACTIVE to INACTIVE: the login is disabled and every session, reset link and
    pending email change dies in this transaction. The user row stays (disabled), so that a later
    invite can be accepted with the same username."""
    contact, now = target.row, command.now
    builder_account_id = contact.builder_account_id
    contact.activation_status = activation.after_deactivate(contact.activation_status)
    user = await OwnerAccountRepository(uow.session).for_contact(contact.id)
    if user is not None:
        user.is_enabled = False
        await AccountRepository(uow.session).revoke_user_sessions(user.id, now)
        await TokenRepository(uow.session).kill_resets(user.id, now)
    await InviteRepository(uow.session, builder_account_id).revoke_live(contact.id, now)
    await email_changes.revoke_open_change(uow, builder_account_id, contact.id, now)
    ContactRepository(uow.session, builder_account_id).touch(contact)
    await uow.flush()
    uow.timeline.record(builder_account_id, contact.id, EventKind.OWNER_DEACTIVATED)
    return ChangedContact(contact, target.additional_emails)


async def invite_details(session, token: str, now: datetime) -> InviteView | None:
    """Reads only: opening the link (or a mail scanner opening it) burns nothing."""
    found = await TokenRepository(session).live_invite(hash_token(token), now)
    if found is None or activation.after_accept_invite(found.contact.activation_status) is None:
        return None
    builder = await AccountRepository(session).builder(found.contact.builder_account_id)
    return InviteView(builder.name, found.contact.first_name, found.invite.expires_at)


@dataclass(frozen=True)
class Acceptance:
    token: str
    username: str
    password: str
    hashing: HashParameters
    now: datetime
    session_ttl: timedelta


async def accept_invite(uow: UnitOfWork, command: Acceptance) -> IssuedSession:
    """The owner sets their own credentials; the contact becomes ACTIVE; a session
    is returned. Of two concurrent accepts of one token, the conditional UPDATE
    in `consume_invite` lets exactly one through."""
    token, username, password, now = command.token, command.username, command.password, command.now
    tokens = TokenRepository(uow.session)
    found = await tokens.live_invite(hash_token(token), now)
    if found is None or activation.after_accept_invite(found.contact.activation_status) is None:
        raise RuleError(Violation(("token",), UserErrorCode.INVALID_TOKEN, INVALID_INVITE))
    contacts = ContactRepository(uow.session, found.contact.builder_account_id)
    contact = await contacts.get(found.contact.id, for_update=True)
    username = check_username(username)
    emails = [contact.primary_email, *(await contacts.additional_emails_by_contact([contact.id]))[contact.id]]
    check_new_password(password, username=username, emails=emails)
    if not await tokens.consume_invite(found.invite.id, now):
        raise RuleError(Violation(("token",), UserErrorCode.INVALID_TOKEN, INVALID_INVITE))

    owners = OwnerAccountRepository(uow.session)
    user = await owners.for_contact(contact.id) or User(
        builder_account_id=contact.builder_account_id, kind="OWNER", contact_id=contact.id
    )
    user.username = username
    user.password_hash = await asyncio.to_thread(hash_password, password, command.hashing)
    user.password_changed_at = now
    user.is_enabled = True
    try:
        await owners.save_credentials(user)
    except UsernameTaken:
        raise RuleError(Violation(("username",), UserErrorCode.USERNAME_TAKEN, USERNAME_TAKEN)) from None
    contact.activation_status = activation.after_accept_invite(contact.activation_status)
    contacts.touch(contact)
    await uow.flush()
    # The request is anonymous; the token proved it was the owner.
    uow.timeline.record(contact.builder_account_id, contact.id, EventKind.INVITE_ACCEPTED, actor=owner_actor(user.id))
    return await issue_session(uow, user, command.session_ttl)

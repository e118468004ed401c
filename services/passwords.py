"""Password reset and change (SPEC 3).

`request_password_reset` behaves the same whatever the login names: the caller
answers identically whether or not a mail was queued. A reset link goes only to
the primary email of an active owner named by username or primary email.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import datetime, timedelta

from domain.activation import ActivationStatus
from domain.errors import RuleError, UserErrorCode, Violation
from domain.passwords import HashParameters, hash_password, verify_password
from domain.timeline import SYSTEM, EventKind, MessageKind, owner_actor
from domain.tokens import hash_token, new_token
from mail import messages
from models import User
from repository import outbox
from repository.accounts import AccountRepository
from repository.contacts import ContactRepository
from repository.owner_accounts import OwnerAccountRepository
from repository.tokens import TokenRepository
from repository.uow import UnitOfWork
from services import email_changes
from services.accounts import IssuedSession, check_new_password, issue_session

INVALID_RESET = "This password reset link is no longer valid. Ask for a new one."
WRONG_CURRENT_PASSWORD = "Your current password is not correct."


async def request_password_reset(
    uow: UnitOfWork, login: str, *, now: datetime, ttl: timedelta, app_url: str
) -> int:
    """Queues one reset email per active owner that `login` names; returns how many."""
    tokens = TokenRepository(uow.session)
    found = await OwnerAccountRepository(uow.session).active_by_login(login)
    for owner in found:
        token = new_token()
        await tokens.add_reset(
            owner.user.id, hash_token(token), now, now + ttl, sent_to_email_key=owner.contact.primary_email_key
        )
        content = messages.password_reset(app_url=app_url, token=token, minutes_valid=int(ttl.total_seconds() // 60))
        # Whoever asked is anonymous: on the owner's timeline it is the system's doing.
        uow.timeline.record(
            owner.contact.builder_account_id, owner.contact.id, EventKind.PASSWORD_RESET_REQUESTED, actor=SYSTEM
        )
        await outbox.enqueue_email(
            uow.session, builder_account_id=owner.contact.builder_account_id,
            to=owner.contact.primary_email, **content._asdict(),
            to_contact=outbox.Addressee(owner.contact.id, MessageKind.PASSWORD_RESET),
        )
    return len(found)


async def _contact_emails(uow: UnitOfWork, user: User, *, sent_to_email_key: str | None = None) -> list[str] | None:
    """The owner's emails (a password may equal none of them); None when the
    owner's contact is no longer active, or when its primary email is no longer
    the one a reset link was mailed to (SPEC 12), which makes the link dead."""
    if user.kind != "OWNER":
        return []
    contacts = ContactRepository(uow.session, user.builder_account_id)
    contact = await contacts.get(user.contact_id)
    if contact is None or contact.activation_status != ActivationStatus.ACTIVE:
        return None
    if sent_to_email_key is not None and contact.primary_email_key != sent_to_email_key:
        return None
    return [contact.primary_email, *(await contacts.additional_emails_by_contact([contact.id]))[contact.id]]


async def _set_password(
    uow: UnitOfWork, user: User, password: str, hashing: HashParameters, now: datetime, keep_session_id: int | None
) -> None:
    """New hash; every other session and every outstanding reset link dies."""
    user.password_hash = await asyncio.to_thread(hash_password, password, hashing)
    user.password_changed_at = now
    await AccountRepository(uow.session).revoke_user_sessions(user.id, now, except_session_id=keep_session_id)
    await TokenRepository(uow.session).kill_resets(user.id, now)
    await uow.flush()


@dataclass(frozen=True)
class Reset:
    token: str
    new_password: str
    hashing: HashParameters
    now: datetime
    session_ttl: timedelta


async def reset_password(uow: UnitOfWork, command: Reset) -> IssuedSession:
    token, new_password, hashing, now = command.token, command.new_password, command.hashing, command.now
    tokens = TokenRepository(uow.session)
    token_hash = hash_token(token)
    found = await tokens.live_reset(token_hash, now)
    user = found.user if found is not None else None
    emails = await _contact_emails(uow, user, sent_to_email_key=found.sent_to_email_key) if found else None
    if emails is None:
        raise RuleError(Violation(("token",), UserErrorCode.INVALID_TOKEN, INVALID_RESET))
    check_new_password(new_password, username=user.username, emails=emails, path=("new_password",))
    if not await tokens.consume_reset(token_hash, now):
        raise RuleError(Violation(("token",), UserErrorCode.INVALID_TOKEN, INVALID_RESET))
    await _set_password(uow, user, new_password, hashing, now, keep_session_id=None)
    if user.kind == "OWNER":
        owner = owner_actor(user.id)
        uow.timeline.record(user.builder_account_id, user.contact_id, EventKind.PASSWORD_RESET_COMPLETED, actor=owner)
        await email_changes.revoke_open_change(uow, user.builder_account_id, user.contact_id, now, actor=owner)
    return await issue_session(uow, user, command.session_ttl)


@dataclass(frozen=True)
class PasswordChange:
    user_id: int
    session_id: int
    current_password: str
    new_password: str
    hashing: HashParameters
    now: datetime


async def change_password(uow: UnitOfWork, command: PasswordChange) -> None:
    """For the signed-in user themself; their current session stays, the others end."""
    user_id, session_id, current_password = command.user_id, command.session_id, command.current_password
    new_password, hashing, now = command.new_password, command.hashing, command.now
    user = await AccountRepository(uow.session).user(user_id)
    if not await asyncio.to_thread(verify_password, user.password_hash, current_password):
        raise RuleError(Violation(("current_password",), UserErrorCode.INVALID_INPUT, WRONG_CURRENT_PASSWORD))
    emails = await _contact_emails(uow, user) or []
    check_new_password(new_password, username=user.username, emails=emails, path=("new_password",))
    await _set_password(uow, user, new_password, hashing, now, keep_session_id=session_id)

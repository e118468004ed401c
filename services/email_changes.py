"""An active owner's new primary email proves itself before it manages the
account (SPEC 12, issue 20).

The primary email receives invites and password resets, so changing it at once
would let a typo lock the owner out, or a stolen session take the account for
good (change the address, then reset the password through it). Instead the
change waits: the new address gets a single-use link (24 hours), the current one
a notice, and only `confirm_email_change` with that link's token switches the
address, in one transaction that also ends the owner's sessions and reset links.

Use cases over a unit of work and plain values; the caller commits once. The
token leaves this module only inside the confirmation email.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from domain.emails import mask_email
from domain.errors import RuleError, Violation
from domain.timeline import EventActor, EventKind, MessageKind, owner_actor
from domain.tokens import hash_token, new_token
from mail import messages
from models import Contact
from repository import outbox
from repository.accounts import AccountRepository
from repository.contacts import ContactRepository, EditedContact
from repository.email_changes import EmailChangeRepository
from repository.owner_accounts import OwnerAccountRepository
from repository.tokens import TokenRepository
from repository.uow import UnitOfWork
from services.contacts import ContactChange, apply_primary_email, check_owner_primary

INVALID_CONFIRMATION = "This confirmation link is no longer valid. Ask for the change again from your account."


async def request_email_change(
    uow: UnitOfWork, contact: Contact, new_email: str, *, now: datetime, ttl: timedelta, app_url: str
) -> None:
    """Records the request (any earlier open one of the contact dies: one at a
    time) and queues the two mails. The caller has checked the address (SPEC 2.3
    rule 5) and holds the contact's row lock."""
    changes = EmailChangeRepository(uow.session)
    await changes.revoke_open(contact.id, now)
    token = new_token()
    change = await changes.add(contact.id, new_email, hash_token(token), now, now + ttl)
    confirmation = messages.email_change_confirmation(
        app_url=app_url, token=token, old_email_masked=mask_email(contact.primary_email), expires_at=change.expires_at
    )
    notice = messages.email_change_notice(
        app_url=app_url, new_email_masked=mask_email(new_email), requested_at=now, expires_at=change.expires_at
    )
    account_id = contact.builder_account_id
    uow.timeline.record(
        account_id, contact.id, EventKind.EMAIL_CHANGE_REQUESTED,
        changes=[{"field": "primaryEmail", "old": contact.primary_email, "new": new_email}],
    )
    await outbox.enqueue_email(
        uow.session, builder_account_id=account_id, to=new_email, **confirmation._asdict(),
        to_contact=outbox.Addressee(contact.id, MessageKind.EMAIL_CHANGE_CONFIRMATION),
    )
    await outbox.enqueue_email(
        uow.session, builder_account_id=account_id, to=contact.primary_email, **notice._asdict(),
        to_contact=outbox.Addressee(contact.id, MessageKind.EMAIL_CHANGE_NOTICE),
    )


def _invalid() -> RuleError:
    return RuleError(Violation(("token",), "INVALID_TOKEN", INVALID_CONFIRMATION))


@dataclass(frozen=True)
class Confirmation:
    token: str
    now: datetime


async def confirm_email_change(uow: UnitOfWork, command: Confirmation) -> str:
    """Makes the requested address the primary email and returns it. In the same
    transaction every session of the owner ends (the confirmer is anonymous, so
    there is no "this session" to keep) and every outstanding reset link dies.

    A used, cancelled, superseded or expired token, or one whose owner is no
    longer active, is INVALID_TOKEN; an address another contact took meanwhile
    is EMAIL_IN_USE (SPEC 2.3 rule 5, checked again). Either way nothing changes
    and, for EMAIL_IN_USE, the link stays as it was.
    """
    changes, now = EmailChangeRepository(uow.session), command.now
    found = await changes.live_by_token(hash_token(command.token), now)
    if found is None:
        raise _invalid()
    new_email = found.change.new_email
    contacts = ContactRepository(uow.session, found.builder_account_id)
    target = await contacts.get_for_change(found.change.contact_id)
    contact = target.row if target is not None else None
    user = await OwnerAccountRepository(uow.session).for_contact(found.change.contact_id)
    if contact is None or contact.activation_status != "ACTIVE" or user is None or not user.is_enabled:
        raise _invalid()
    await check_owner_primary(contacts, new_email, contact.id, path=())
    if not await changes.confirm(found.change.id, now):
        raise _invalid()
    found_changes = await apply_primary_email(uow, contacts, target, new_email, by_owner=True, path=())
    # Anonymous, but the token mailed to the new address proved it was the owner.
    uow.timeline.record(
        contact.builder_account_id, contact.id, EventKind.EMAIL_CHANGE_CONFIRMED,
        changes=found_changes, actor=owner_actor(user.id),
    )
    await AccountRepository(uow.session).revoke_user_sessions(user.id, now)
    await TokenRepository(uow.session).kill_resets(user.id, now)
    await uow.flush()
    return contact.primary_email


@dataclass(frozen=True)
class Withdrawal:
    contact_id: int | None
    now: datetime


async def cancel_email_change(uow: UnitOfWork, target: EditedContact, command: Withdrawal) -> ContactChange:
    """The signed-in owner withdraws their open request; its link dies. Nothing
    open is not an error: the answer is the same contact, with nothing pending."""
    contact = target.row
    await revoke_open_change(uow, contact.builder_account_id, contact.id, command.now)
    return ContactChange(contact, target.additional_emails)


async def revoke_open_change(
    uow: UnitOfWork, builder_account_id: int, contact_id: int, now: datetime, *, actor: EventActor | None = None
) -> None:
    """A password reset (proof of the current address) or a deactivation ends a
    pending change: the reset is the owner's way out of a change they did not ask
    for, and a deactivated owner's contact info is the builder's again. An ended
    change is on the timeline, by `actor` (else the request's)."""
    if await EmailChangeRepository(uow.session).revoke_open(contact_id, now):
        uow.timeline.record(builder_account_id, contact_id, EventKind.EMAIL_CHANGE_CANCELLED, actor=actor)

"""Notifications to owners about their jobs, and the owner's SMS preference (SPEC 6).

Only ACTIVE owners are notified: a contact who never accepted an invite has not
agreed to hear from us. Every email of the contact gets the mail (primary and
additional, SPEC 2.2), the cell phone an SMS when the owner opted in. Messages are
queued in the outbox inside the caller's unit of work, so they exist exactly when
the job change commits. Texts come only from `mail.messages` templates: nothing a
builder writes beyond the job's name (one line, cut to `LABEL_MAX`) reaches an
owner, and job changes are coalesced (`job_updated`), so a builder cannot send an
owner a stream of texts by renaming a job.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from domain.timeline import EventKind, MessageKind
from mail import messages
from models import Contact, Job
from repository import outbox
from repository.accounts import AccountRepository
from repository.contacts import ContactRepository
from repository.uow import UnitOfWork
from services.contacts import ContactChange, EditedContact


async def _active_owners(uow: UnitOfWork, builder_account_id: int, contact_ids: Sequence[int]):
    contacts = ContactRepository(uow.session, builder_account_id)
    rows = await contacts.get_many(list(contact_ids))
    active = [rows[i] for i in contact_ids if i in rows and rows[i].activation_status == "ACTIVE"]
    emails = await contacts.additional_emails_by_contact([c.id for c in active])
    return [(contact, emails.get(contact.id, [])) for contact in active]


async def _send(
    uow: UnitOfWork, contact: Contact, additional: list[str], content, sms_text: str, kind: MessageKind,
    notice: Callable[[str], outbox.Notice | None] = lambda _recipient: None,
) -> None:
    """Each message is also on the contact's timeline, with its delivery state."""
    addressee = outbox.Addressee(contact.id, kind)
    for address in [contact.primary_email, *additional]:
        await outbox.enqueue_email(
            uow.session, builder_account_id=contact.builder_account_id, to=address, **content._asdict(),
            to_contact=addressee, notice=notice(address),
        )
    if contact.sms_opt_in and contact.cell_phone:
        await outbox.enqueue_sms(
            uow.session, builder_account_id=contact.builder_account_id, to=contact.cell_phone, text=sms_text,
            to_contact=addressee, notice=notice(contact.cell_phone),
        )


async def _builder_name(uow: UnitOfWork, builder_account_id: int) -> str:
    return (await AccountRepository(uow.session).builder(builder_account_id)).name


async def owner_added_to_job(uow: UnitOfWork, job: Job, contact_id: int, *, app_url: str) -> None:
    owners = await _active_owners(uow, job.builder_account_id, [contact_id])
    if not owners:
        return
    builder = await _builder_name(uow, job.builder_account_id)
    for contact, additional in owners:
        content = messages.added_to_job(
            app_url=app_url, builder_name=builder, first_name=contact.first_name, job_name=job.name
        )
        sms = messages.added_to_job_sms(app_url=app_url, builder_name=builder, job_name=job.name)
        await _send(uow, contact, additional, content, sms, MessageKind.ADDED_TO_JOB)


async def job_updated(
    uow: UnitOfWork, job: Job, owner_ids: Sequence[int], changed_fields: Sequence[str], *,
    app_url: str, now: datetime, quiet: timedelta,
) -> None:
    """Tells the job's active owners that it changed: one notice per owner, job
    and address per `quiet` period (SPEC 12). The first change of a period is told
    at once; later ones are folded into one message, sent when the period ends,
    that names the job as it is then. Twenty renames make two messages, not twenty."""
    owners = await _active_owners(uow, job.builder_account_id, owner_ids)
    if not owners or not changed_fields:
        return
    builder = await _builder_name(uow, job.builder_account_id)
    sms = messages.job_updated_sms(app_url=app_url, builder_name=builder, job_name=job.name)
    for contact, additional in owners:
        content = messages.job_updated(
            app_url=app_url, builder_name=builder, first_name=contact.first_name,
            job_name=job.name, changed_fields=changed_fields,
        )
        await _send(
            uow, contact, additional, content, sms, MessageKind.JOB_UPDATED,
            notice=lambda recipient, contact_id=contact.id: outbox.Notice(
                f"job-updated:{job.id}:{contact_id}:{recipient}", now, quiet
            ),
        )


@dataclass(frozen=True)
class Preferences:
    contact_id: int | None
    sms_opt_in: bool


async def update_notification_preferences(uow: UnitOfWork, target: EditedContact, command: Preferences) -> ContactChange:
    """The owner's own choice (SPEC 2); who may call it is decided by permissions/."""
    contact, sms_opt_in = target.row, command.sms_opt_in
    builder_account_id = contact.builder_account_id
    before = contact.sms_opt_in
    contact.sms_opt_in = sms_opt_in
    ContactRepository(uow.session, builder_account_id).touch(contact)
    await uow.flush()
    if before != sms_opt_in:
        uow.timeline.record(
            builder_account_id, contact.id, EventKind.NOTIFICATION_PREFERENCES_CHANGED,
            changes=[{"field": "smsOptIn", "old": str(before).lower(), "new": str(sms_opt_in).lower()}],
        )
    return ContactChange(target.row, target.additional_emails)

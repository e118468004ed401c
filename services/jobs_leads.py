"""Jobs and leads (SPEC 5): create, edit, and their ordered lists of contacts.

A job or lead references contacts; it never copies them, so an owner's own edit
shows at once wherever the contact appears. A job's owners keep the order they
were added in, with no upper bound. Owners of a job hear about it (SPEC 6):
adding an active owner and changing a job they own queue notifications in the
same unit of work. Joining or leaving a job or lead is on the contact's timeline.
Each function raises `RuleError` when a rule breaks; the caller commits.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from domain.errors import Collected, NotFound, RuleError, UserErrorCode, Violation
from domain.text import check_visible
from domain.timeline import EventKind
from models import Job, Lead
from repository.contacts import ContactRepository
from repository.jobs_leads import JobsLeadsRepository
from repository.timeline import related
from repository.uow import UnitOfWork
from services import notifications
from services.contacts import UNCHANGED, AddressInput, ContactInfo, Unchanged, clean_info

LABEL_MAX = 200
# What a job-updated notification may say changed (mail.messages.JOB_CHANGES), by column.
CHANGE_LABELS = {"name": {"name"}, "address": {"street", "city", "state", "postal_code"}}


def _clean_label(value: str | None, path: str, errors: Collected) -> str:
    label = " ".join((value or "").split())
    if not check_visible(value, (path,), errors):
        return label
    if not label:
        errors.add((path,), UserErrorCode.INVALID_INPUT, "This can't be blank.")
    elif len(label) > LABEL_MAX:
        errors.add((path,), UserErrorCode.INVALID_INPUT, f"Use at most {LABEL_MAX} characters.")
    return label


async def _record(jobs_leads: JobsLeadsRepository, model, record_id: int, path: str) -> Job | Lead:
    record = await jobs_leads.get(model, record_id, for_update=True)
    if record is None:
        raise NotFound((path,), model.__name__.lower())
    return record


async def _contact_id(
    uow: UnitOfWork, builder_account_id: int, contact_id: int | None, path: tuple[str, ...]
) -> int:
    """The contact's current id; old ids of merged contacts mean the survivor (SPEC 4).
    None stands for an id that was not a contact id at all."""
    resolved = None
    if contact_id is not None:
        resolved = await ContactRepository(uow.session, builder_account_id).resolve_id(contact_id)
    if resolved is None:
        raise NotFound(path, "contact")
    return resolved


@dataclass(frozen=True)
class NewJob:
    builder_account_id: int
    name: str
    address: AddressInput | None


@dataclass(frozen=True)
class JobChange:
    """The given fields of a job (`name`, `address`), and what its owners' notice needs."""

    builder_account_id: int
    job_id: int
    name: str | Unchanged
    address: AddressInput | None | Unchanged
    app_url: str
    now: datetime
    notice_quiet: timedelta


@dataclass(frozen=True)
class NewLead:
    builder_account_id: int
    title: str
    contact_ids: Sequence[int | None]  # None: an id that named no contact


@dataclass(frozen=True)
class Link:
    """A contact on a job's or a lead's list (`record_id`); None: named no contact."""

    builder_account_id: int
    record_id: int
    contact_id: int | None
    app_url: str = ""


async def create_job(uow: UnitOfWork, command: NewJob) -> Job:
    errors = Collected()
    job = Job(name=_clean_label(command.name, "name", errors), **clean_info(ContactInfo(address=command.address), errors))
    errors.raise_if_any()
    await JobsLeadsRepository(uow.session, command.builder_account_id).add(job)
    return job


async def update_job(uow: UnitOfWork, command: JobChange) -> Job:
    """The job's active owners are told what changed, if anything did."""
    jobs_leads = JobsLeadsRepository(uow.session, command.builder_account_id)
    job = await _record(jobs_leads, Job, command.job_id, "job_id")
    errors = Collected()
    wanted = clean_info(ContactInfo(address=command.address), errors)
    if command.name is not UNCHANGED:
        wanted["name"] = _clean_label(command.name, "name", errors)
    errors.raise_if_any()
    changed = {column for column, value in wanted.items() if getattr(job, column) != value}
    if not changed:
        return job
    for column in changed:
        setattr(job, column, wanted[column])
    await jobs_leads.touch(job)
    what = [label for label, columns in CHANGE_LABELS.items() if changed & columns]
    await notifications.job_updated(
        uow, job, await jobs_leads.linked_contact_ids(job), what,
        app_url=command.app_url, now=command.now, quiet=command.notice_quiet,
    )
    return job


# What the timeline calls joining and leaving a job's or a lead's list.
LINK_EVENTS = {
    Job: (EventKind.ADDED_TO_JOB, EventKind.REMOVED_FROM_JOB),
    Lead: (EventKind.ADDED_TO_LEAD, EventKind.REMOVED_FROM_LEAD),
}


def _record_link(uow: UnitOfWork, record: Job | Lead, contact_id: int, *, added: bool) -> None:
    joined, left = LINK_EVENTS[type(record)]
    name = record.name if isinstance(record, Job) else record.title
    uow.timeline.record(
        record.builder_account_id, contact_id, joined if added else left,
        related=[related(type(record).__name__, record.id, name)],
    )


async def _link(uow: UnitOfWork, command: Link, model, path: str):
    """Appends a contact to a job's or lead's list; returns the record, the contact's
    current id and whether it is new there (adding one already listed changes nothing)."""
    jobs_leads = JobsLeadsRepository(uow.session, command.builder_account_id)
    record = await _record(jobs_leads, model, command.record_id, path)
    contact_id = await _contact_id(uow, command.builder_account_id, command.contact_id, ("contact_id",))
    if contact_id in await jobs_leads.linked_contact_ids(record):
        return record, contact_id, False
    await jobs_leads.link_contact(record, contact_id)
    await jobs_leads.touch(record)
    _record_link(uow, record, contact_id, added=True)
    return record, contact_id, True


async def _unlink(uow: UnitOfWork, command: Link, model, path: str):
    jobs_leads = JobsLeadsRepository(uow.session, command.builder_account_id)
    record = await _record(jobs_leads, model, command.record_id, path)
    contact_id = await _contact_id(uow, command.builder_account_id, command.contact_id, ("contact_id",))
    if not await jobs_leads.unlink_contact(record, contact_id):
        raise RuleError(Violation(("contact_id",), UserErrorCode.NOT_FOUND, f"This contact is not on the {model.__name__.lower()}."))
    await jobs_leads.touch(record)
    _record_link(uow, record, contact_id, added=False)
    return record


async def add_job_owner(uow: UnitOfWork, command: Link) -> Job:
    job, contact_id, added = await _link(uow, command, Job, "job_id")
    if added:
        await notifications.owner_added_to_job(uow, job, contact_id, app_url=command.app_url)
    return job


async def remove_job_owner(uow: UnitOfWork, command: Link) -> Job:
    return await _unlink(uow, command, Job, "job_id")


async def create_lead(uow: UnitOfWork, command: NewLead) -> Lead:
    builder_account_id = command.builder_account_id
    errors = Collected()
    lead = Lead(title=_clean_label(command.title, "title", errors))
    errors.raise_if_any()
    resolved: list[int] = []
    for index, contact_id in enumerate(command.contact_ids):
        current = await _contact_id(uow, builder_account_id, contact_id, ("contact_ids", str(index)))
        if current not in resolved:
            resolved.append(current)
    jobs_leads = JobsLeadsRepository(uow.session, builder_account_id)
    await jobs_leads.add(lead)
    for contact_id in resolved:
        await jobs_leads.link_contact(lead, contact_id)
        _record_link(uow, lead, contact_id, added=True)
    return lead


async def add_lead_contact(uow: UnitOfWork, command: Link) -> Lead:
    lead, _contact_id, _added = await _link(uow, command, Lead, "lead_id")
    return lead


async def remove_lead_contact(uow: UnitOfWork, command: Link) -> Lead:
    return await _unlink(uow, command, Lead, "lead_id")

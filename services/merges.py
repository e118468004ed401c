"""Merging Owner Contacts, previewing a merge, and undoing one (SPEC 4).

The rules are the merge plan (domain/merge_plan.py); this module loads the contacts,
asks the plan, and writes it in the caller's unit of work. The merged contacts' rows
are kept as they were, hidden behind `merged_into_id` (so their old ids redirect to
the survivor); the audit entry records what the survivor was and which links moved,
which is all an undo needs.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from domain.activation import ActivationStatus
from domain.emails import email_key
from domain.errors import Collected, NotFound, RuleError, UserErrorCode, Violation
from domain.merge_plan import INFO_FIELDS, MergeParticipant, MergePlan, plan_merge
from domain.timeline import EventKind, changes as changed_values
from models import Contact, ContactMerge, utcnow
from repository.contacts import ContactRepository, EmailClaimConflict
from repository.merges import LINK_TABLES, MergeRepository
from repository.timeline import TimelineBatch, related
from repository.uow import UnitOfWork
from services.contacts import info_values

# SPEC 4: a merge can be undone within 30 days.
UNDO_WINDOW = timedelta(days=30)


class MergeRefused(RuleError):
    """The merge plan has errors; the candidate emails go back to the caller so the
    builder can choose which additional emails to keep."""

    def __init__(self, violations: Sequence[Violation], candidate_emails: Sequence[str]):
        super().__init__(*violations)
        self.candidate_emails = tuple(candidate_emails)


@dataclass(frozen=True)
class MergeRequest:
    builder_account_id: int
    user_id: int | None  # who merges (the timeline and the audit say)
    survivor_id: int
    merged_ids: tuple[int, ...]
    additional_emails: tuple[str, ...] | None


@dataclass(frozen=True)
class UndoRequest:
    builder_account_id: int
    user_id: int | None
    merge_id: int


@dataclass(frozen=True)
class PlannedMerge:
    plan: MergePlan
    rows: dict[int, Contact]
    additional_emails: dict[int, list[str]]
    custom_values: dict[int, dict[int, str]]

    @property
    def survivor(self) -> Contact:
        return self.rows[self.plan.survivor_id]


def _conflict(message: str, path: tuple[str, ...] = ("merge_id",), conflicting_id: int | None = None) -> RuleError:
    return RuleError(Violation(path, UserErrorCode.MERGE_CONFLICT, message), conflicting_contact_id=conflicting_id)


def _check_found(request: MergeRequest, rows: dict[int, Contact]) -> None:
    """Unknown ids, and ids of another account, are NOT_FOUND (SPEC 9); a contact
    merged meanwhile (typically by a concurrent merge) is a MERGE_CONFLICT."""
    errors = Collected()
    listed = [(("survivor_id",), request.survivor_id)]
    listed += [(("merged_ids", str(index)), contact_id) for index, contact_id in enumerate(request.merged_ids)]
    for path, contact_id in listed:
        row = rows.get(contact_id)
        if row is None:
            errors.add(path, UserErrorCode.NOT_FOUND, "No contact with this id.")
        elif row.merged_into_id is not None:
            errors.add(
                path, UserErrorCode.MERGE_CONFLICT,
                "This contact has already been merged into another contact. Reload and choose again.",
            )
    errors.raise_if_any()


async def plan_request(session, builder_account_id: int, request: MergeRequest, *, lock: bool) -> PlannedMerge:
    """Loads the contacts (locked for a merge, not for a preview) and plans the merge."""
    merges = MergeRepository(session, builder_account_id)
    rows = await merges.contacts_for_merge([request.survivor_id, *request.merged_ids], lock=lock)
    _check_found(request, rows)
    ids = list(rows)
    emails = await ContactRepository(session, builder_account_id).additional_emails_by_contact(ids)
    custom = await merges.custom_values_by_contact(ids)

    def participant(contact_id: int) -> MergeParticipant:
        row = rows[contact_id]
        return MergeParticipant(
            id=row.id,
            status=row.activation_status,
            primary_email=row.primary_email,
            additional_emails=tuple(emails.get(row.id, ())),
            info={name: getattr(row, name) for name in INFO_FIELDS},
            custom_values=custom.get(row.id, {}),
        )

    plan = plan_merge(
        participant(request.survivor_id), [participant(i) for i in request.merged_ids], request.additional_emails
    )
    return PlannedMerge(plan, rows, emails, custom)


def survivor_as_planned(planned: PlannedMerge) -> Contact:
    """A transient row (never added to a session) showing the survivor as the merge
    would leave it: what `mergeContactsPreview` returns, without writing anything."""
    row = planned.survivor
    columns = {column.key: getattr(row, column.key) for column in Contact.__table__.columns}
    columns.update(planned.plan.info)
    columns.update(primary_email=planned.plan.primary_email, primary_email_key=_key_or_none(planned.plan.primary_email))
    return Contact(**columns)


def survivor_state(row: Contact, additional_emails: Sequence[str], custom_values: dict[int, str]) -> dict:
    """What a merge changes on the survivor, as JSON for the audit entry: restored by
    an undo, and compared to tell whether the survivor changed after the merge."""
    return {
        "status": row.activation_status,
        "info": {name: getattr(row, name) for name in INFO_FIELDS},
        "primary_email": row.primary_email,
        "additional_emails": list(additional_emails),
        # JSON object keys are strings; `_custom_values` turns them back into field ids.
        "custom_values": {str(k): v for k, v in sorted(custom_values.items())},
    }


def _custom_values(state: dict) -> dict[int, str]:
    return {int(k): v for k, v in state["custom_values"].items()}


def _key_or_none(email: str | None) -> str | None:
    return email_key(email) if email else None


def _filled_fields(before: dict, plan: MergePlan) -> list[str]:
    """Which blanks of the survivor the merge filled in, for the audit entry."""
    filled = [name for name in INFO_FIELDS if not before["info"].get(name) and plan.info.get(name)]
    if not before["primary_email"] and plan.primary_email:
        filled.append("primary_email")
    return filled


def _contact_ref(row: Contact) -> dict:
    name = " ".join(part for part in (row.first_name, row.last_name) if part) or row.primary_email
    return related("Contact", row.id, name)


def _record_merge(
    timeline: TimelineBatch, kind: EventKind, survivor: Contact, others: Sequence[Contact], changes: list[dict]
) -> None:
    """On the survivor: which contacts merged into it (or came back out), with what
    the merge changed on it; on each of those: into (or out of) which contact."""
    timeline.record(
        survivor.builder_account_id, survivor.id, kind,
        changes=changes, related=[_contact_ref(row) for row in others],
    )
    for row in others:
        timeline.record(
            row.builder_account_id, row.id, EventKind.MERGED_INTO if kind is EventKind.MERGED else kind,
            related=[_contact_ref(survivor)],
        )


@dataclass(frozen=True)
class MergeOutcome:
    survivor_id: int
    merge_id: int
    candidate_emails: tuple[str, ...]


async def merge_contacts(uow: UnitOfWork, request: MergeRequest) -> MergeOutcome:
    builder_account_id, user_id = request.builder_account_id, request.user_id
    planned = await plan_request(uow.session, builder_account_id, request, lock=True)
    plan = planned.plan
    if not plan.ok:
        raise MergeRefused(plan.errors, plan.candidate_emails)

    contacts = ContactRepository(uow.session, builder_account_id)
    merges = MergeRepository(uow.session, builder_account_id)
    survivor = planned.survivor
    before = survivor_state(
        survivor, planned.additional_emails.get(survivor.id, []), planned.custom_values.get(survivor.id, {})
    )
    info_before = {**info_values(survivor), "additionalEmails": planned.additional_emails.get(survivor.id, [])}

    for name, value in plan.info.items():
        setattr(survivor, name, value)
    survivor.primary_email = plan.primary_email
    survivor.primary_email_key = _key_or_none(plan.primary_email)
    contacts.touch(survivor)
    await contacts.replace_additional_emails(survivor, plan.additional_emails)
    if plan.custom_values != planned.custom_values.get(survivor.id, {}):
        await merges.replace_custom_values(survivor.id, plan.custom_values)

    for contact_id in plan.merged_ids:
        merged = planned.rows[contact_id]
        merged.merged_into_id = survivor.id
        # A merged contact's invite is cancelled (SPEC 4); an undo brings it back INACTIVE.
        merged.activation_status = ActivationStatus.INACTIVE
        contacts.touch(merged)
    await merges.revoke_pending_invites(plan.merged_ids)
    links = {kind: await merges.move_links(kind, survivor.id, plan.merged_ids) for kind in LINK_TABLES}
    await _flush(uow, contacts)

    merge = ContactMerge(
        survivor_id=survivor.id,
        merged_ids=list(plan.merged_ids),
        performed_by_user_id=user_id,
        kept={
            "primary_email": plan.primary_email,
            "additional_emails": list(plan.additional_emails),
            "dropped_emails": [e for e in plan.candidate_emails if e not in plan.additional_emails],
            "filled_fields": _filled_fields(before, plan),
            "cancelled_invite_contact_ids": list(plan.cancelled_invite_ids),
        },
        snapshot={
            "survivor": before,
            # Undo is refused if the survivor no longer looks like this.
            "survivor_after": survivor_state(survivor, plan.additional_emails, plan.custom_values),
            "links": {kind: {"before": moved[0], "added": moved[1]} for kind, moved in links.items()},
        },
    )
    merges.add_merge(merge)
    await uow.flush()
    for contact_id in plan.cancelled_invite_ids:
        uow.timeline.record(builder_account_id, contact_id, EventKind.INVITE_CANCELLED)
    _record_merge(
        uow.timeline, EventKind.MERGED, survivor, [planned.rows[i] for i in plan.merged_ids],
        changed_values(info_before, {**info_values(survivor), "additionalEmails": list(plan.additional_emails)}),
    )
    return MergeOutcome(survivor.id, merge.id, plan.candidate_emails)


async def _flush(uow: UnitOfWork, contacts: ContactRepository) -> None:
    """The claimed-email index has the last word (SPEC 2.3.3); a merge never claims an
    email, so a refusal here means a concurrent change got in first."""
    try:
        await contacts.flush_claim()
    except EmailClaimConflict:
        raise _conflict(
            "Another request claimed one of these emails at the same time. Reload and try again.", ("survivor_id",)
        ) from None
    await uow.flush()


@dataclass(frozen=True)
class UndoOutcome:
    survivor_id: int
    merge_id: int
    restored_ids: tuple[int, ...]


async def undo_merge(uow: UnitOfWork, request: UndoRequest) -> UndoOutcome:
    builder_account_id, user_id, merge_id = request.builder_account_id, request.user_id, request.merge_id
    now = utcnow()
    merges = MergeRepository(uow.session, builder_account_id)
    contacts = ContactRepository(uow.session, builder_account_id)
    # The merge row first, then its contacts in id order: concurrent undos of one
    # merge queue on the row, and a merge into the same survivor queues on the contacts.
    merge = await merges.get_merge(merge_id, for_update=True)
    if merge is None:
        raise NotFound(("merge_id",), "merge")
    rows = await merges.contacts_for_merge([merge.survivor_id, *merge.merged_ids], lock=True)
    await _check_undo(merges, contacts, merge, rows, now)

    survivor = rows[merge.survivor_id]
    before = merge.snapshot["survivor"]
    info_after_merge = {**info_values(survivor), "additionalEmails": merge.snapshot["survivor_after"]["additional_emails"]}
    for name, value in before["info"].items():
        setattr(survivor, name, value)
    survivor.primary_email = before["primary_email"]
    survivor.primary_email_key = _key_or_none(before["primary_email"])
    contacts.touch(survivor)
    await contacts.replace_additional_emails(survivor, before["additional_emails"])
    await merges.replace_custom_values(survivor.id, _custom_values(before))
    for contact_id in merge.merged_ids:
        rows[contact_id].merged_into_id = None
        contacts.touch(rows[contact_id])
    for kind, moved in merge.snapshot["links"].items():
        await merges.restore_links(kind, survivor.id, moved["before"], moved["added"])
    merge.undone_at = now
    merge.undone_by_user_id = user_id
    await _flush(uow, contacts)
    _record_merge(
        uow.timeline, EventKind.MERGE_UNDONE, survivor, [rows[i] for i in merge.merged_ids],
        changed_values(info_after_merge, {**info_values(survivor), "additionalEmails": before["additional_emails"]}),
    )
    return UndoOutcome(survivor.id, merge.id, tuple(merge.merged_ids))


async def _check_undo(
    merges: MergeRepository, contacts: ContactRepository, merge: ContactMerge, rows: dict[int, Contact], now: datetime
) -> None:
    """SPEC 4: only the latest merge into a survivor, within 30 days, and only when
    nothing since makes it unsafe; each refusal says why."""
    if merge.undone_at is not None:
        raise _conflict("This merge has already been undone.")
    if now - merge.merged_at > UNDO_WINDOW:
        raise _conflict("This merge is more than 30 days old and can no longer be undone.")
    if await merges.latest_live_merge_id(merge.survivor_id) != merge.id:
        raise _conflict("Another merge into the same contact happened after this one. Undo that merge first.")
    survivor = rows.get(merge.survivor_id)
    if survivor is None or survivor.merged_into_id is not None:
        raise _conflict(
            "The surviving contact has since been merged into another contact. Undo that merge first."
        )
    if any(rows.get(i) is None or rows[i].merged_into_id != survivor.id for i in merge.merged_ids):
        raise _conflict("A merged contact no longer belongs to this merge, so it cannot be restored.")
    emails = await contacts.additional_emails_by_contact([survivor.id])
    custom = await merges.custom_values_by_contact([survivor.id])
    if survivor_state(survivor, emails.get(survivor.id, []), custom.get(survivor.id, {})) != merge.snapshot["survivor_after"]:
        raise _conflict(
            "The surviving contact was changed after the merge (its info, emails, custom fields or "
            "invite). Undoing now would lose those changes.",
            conflicting_id=survivor.id,
        )
    for contact_id in merge.merged_ids:
        email = rows[contact_id].primary_email
        holder = await contacts.claimed_by_email(email, exclude_id=None) if email else None
        if holder is not None:
            raise _conflict(
                f"{email} is now the primary email of an invited or active owner, so the merged contact "
                "that had it cannot be restored. Change that owner's email or keep the merge.",
                conflicting_id=holder.id,
            )

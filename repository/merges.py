"""All SQL of merging contacts and undoing merges (SPEC 4), scoped to one builder account.

Merged contacts keep their rows, emails and custom field values untouched: they are
hidden by `merged_into_id` (which also takes them out of the claimed-email index), so
an undo only has to clear the redirect and put their job and lead links back.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from sqlalchemy import delete, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from models import (
    Contact,
    ContactMerge,
    CustomFieldDefinition,
    CustomFieldValue,
    Invite,
    Job,
    JobOwner,
    Lead,
    LeadContact,
    User,
    utcnow,
)

# A link table between a contact and what it is on, with the column naming the target.
LINK_TABLES = {"jobs": (JobOwner, JobOwner.job_id, Job), "leads": (LeadContact, LeadContact.lead_id, Lead)}


@dataclass(frozen=True)
class AuditedMerge:
    """A merge's audit entry with the usernames of who merged and who undid it."""

    merge: ContactMerge
    merged_by: str | None
    undone_by: str | None


class MergeRepository:
    def __init__(self, session: AsyncSession, builder_account_id: int):
        self.session = session
        self.builder_account_id = builder_account_id

    async def contacts_for_merge(self, contact_ids: Iterable[int], *, lock: bool) -> dict[int, Contact]:
        """The account's contacts with these ids, merged ones included (the caller
        reports those), locked in id order when `lock`.

        Locking in one order (PostgreSQL `FOR UPDATE`; SQLite already holds the write
        lock from `BEGIN IMMEDIATE`) means two merges over the same contacts queue
        instead of deadlocking; the second then sees what the first did.
        """
        query = (
            select(Contact)
            .where(Contact.builder_account_id == self.builder_account_id, Contact.id.in_(set(contact_ids)))
            .order_by(Contact.id)
        )
        if lock:
            query = query.with_for_update()
        return {row.id: row for row in (await self.session.execute(query)).scalars()}

    async def custom_values_by_contact(self, contact_ids: Sequence[int]) -> dict[int, dict[int, str]]:
        result: dict[int, dict[int, str]] = defaultdict(dict)
        rows = await self.session.execute(
            select(CustomFieldValue.contact_id, CustomFieldValue.field_id, CustomFieldValue.value).where(
                CustomFieldValue.contact_id.in_(contact_ids)
            )
        )
        for contact_id, field_id, value in rows:
            result[contact_id][field_id] = value
        return result

    async def replace_custom_values(self, contact_id: int, values: Mapping[int, str]) -> None:
        """Sets the contact's whole set of custom values, skipping fields deleted meanwhile."""
        await self.session.execute(delete(CustomFieldValue).where(CustomFieldValue.contact_id == contact_id))
        if not values:
            return
        existing = set(
            (
                await self.session.execute(
                    select(CustomFieldDefinition.id).where(
                        CustomFieldDefinition.id.in_(list(values)),
                        CustomFieldDefinition.builder_account_id == self.builder_account_id,
                    )
                )
            ).scalars()
        )
        rows = [
            {"contact_id": contact_id, "field_id": field_id, "value": value}
            for field_id, value in values.items()
            if field_id in existing
        ]
        if rows:
            await self.session.execute(insert(CustomFieldValue), rows)

    async def revoke_pending_invites(self, contact_ids: Sequence[int]) -> None:
        """Kills the live invite tokens of these contacts (SPEC 4: merged contacts'
        pending invites are cancelled)."""
        if contact_ids:
            await self.session.execute(
                update(Invite)
                .where(Invite.contact_id.in_(contact_ids), Invite.used_at.is_(None), Invite.revoked_at.is_(None))
                .values(revoked_at=utcnow())
            )

    async def move_links(self, kind: str, survivor_id: int, merged_ids: Sequence[int]) -> tuple[list[list[int]], list[int]]:
        """Moves the merged contacts' job (or lead) links to the survivor without duplicates.

        Where the survivor is already linked, its link stays; otherwise it takes the
        place (position) of the first merged contact on that job, so each list keeps
        its order. Returns the merged contacts' links as they were, as
        [target_id, contact_id, position], and the targets the survivor was added to:
        exactly what an undo must reverse.
        """
        table, target_column, _ = LINK_TABLES[kind]
        rows = (
            await self.session.execute(
                select(target_column, table.contact_id, table.position)
                .where(table.contact_id.in_([survivor_id, *merged_ids]))
                .order_by(target_column, table.position, table.contact_id)
            )
        ).all()
        survivor_targets = {target for target, contact_id, _ in rows if contact_id == survivor_id}
        before = [[target, contact_id, position] for target, contact_id, position in rows if contact_id != survivor_id]
        added: dict[int, int] = {}
        for target, _, position in before:
            if target not in survivor_targets and target not in added:
                added[target] = position
        if before:
            await self.session.execute(delete(table).where(table.contact_id.in_(merged_ids)))
        if added:
            await self.session.execute(
                insert(table),
                [{target_column.key: t, "contact_id": survivor_id, "position": p} for t, p in added.items()],
            )
        return before, list(added)

    async def restore_links(self, kind: str, survivor_id: int, links: Sequence[Sequence[int]], added: Sequence[int]) -> None:
        """Reverses `move_links`: the survivor leaves the targets the merge added it to,
        and the merged contacts' links come back where the target still exists."""
        table, target_column, target_model = LINK_TABLES[kind]
        if added:
            await self.session.execute(
                delete(table).where(table.contact_id == survivor_id, target_column.in_(list(added)))
            )
        if not links:
            return
        live = set(
            (
                await self.session.execute(
                    select(target_model.id).where(
                        target_model.id.in_({target for target, _, _ in links}),
                        target_model.builder_account_id == self.builder_account_id,
                    )
                )
            ).scalars()
        )
        # A hidden (merged) contact cannot be linked meanwhile; should such a link exist
        # anyway, it stays as it is rather than failing the undo.
        present = set(
            (
                await self.session.execute(
                    select(target_column, table.contact_id).where(
                        table.contact_id.in_({contact_id for _, contact_id, _ in links})
                    )
                )
            ).all()
        )
        rows = [
            {target_column.key: target, "contact_id": contact_id, "position": position}
            for target, contact_id, position in links
            if target in live and (target, contact_id) not in present
        ]
        if rows:
            await self.session.execute(insert(table), rows)

    def add_merge(self, merge: ContactMerge) -> None:
        merge.builder_account_id = self.builder_account_id
        self.session.add(merge)

    async def get_merge(self, merge_id: int, *, for_update: bool = False) -> ContactMerge | None:
        query = select(ContactMerge).where(
            ContactMerge.id == merge_id, ContactMerge.builder_account_id == self.builder_account_id
        )
        if for_update:
            query = query.with_for_update()
        return (await self.session.execute(query)).scalar_one_or_none()

    async def latest_live_merge_id(self, survivor_id: int) -> int | None:
        """The most recent merge into this survivor that has not been undone."""
        return (
            await self.session.execute(
                select(ContactMerge.id)
                .where(
                    ContactMerge.builder_account_id == self.builder_account_id,
                    ContactMerge.survivor_id == survivor_id,
                    ContactMerge.undone_at.is_(None),
                )
                .order_by(ContactMerge.merged_at.desc(), ContactMerge.id.desc())
                .limit(1)
            )
        ).scalar_one_or_none()

    def _with_authors(self):
        """Merges with the usernames of who merged and who undid (null once deleted)."""
        undoer = aliased(User)
        return (
            select(ContactMerge, User.username, undoer.username)
            .outerjoin(User, User.id == ContactMerge.performed_by_user_id)
            .outerjoin(undoer, undoer.id == ContactMerge.undone_by_user_id)
            .where(ContactMerge.builder_account_id == self.builder_account_id)
        )

    async def merges_by_survivor(self, survivor_ids: Sequence[int]) -> dict[int, list[AuditedMerge]]:
        """Audit entries per survivor, newest first."""
        result: dict[int, list[AuditedMerge]] = defaultdict(list)
        rows = await self.session.execute(
            self._with_authors()
            .where(ContactMerge.survivor_id.in_(survivor_ids))
            .order_by(ContactMerge.survivor_id, ContactMerge.merged_at.desc(), ContactMerge.id.desc())
        )
        for merge, merged_by, undone_by in rows:
            result[merge.survivor_id].append(AuditedMerge(merge, merged_by, undone_by))
        return result

    async def audited_merges(self, merge_ids: Sequence[int]) -> dict[int, AuditedMerge]:
        rows = await self.session.execute(self._with_authors().where(ContactMerge.id.in_(merge_ids)))
        return {merge.id: AuditedMerge(merge, merged_by, undone_by) for merge, merged_by, undone_by in rows}

"""All SQL about jobs and leads and their ordered contact links, scoped to one builder account.

An owner's scope (`owner_contact_id`) is part of the query: a job they are not an
owner of is simply not found."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import Select, delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.read_scope import ReadScope
from models import Contact, Job, JobOwner, Lead, LeadContact, utcnow
from repository.keyset import PageRequest, page_of, trim
from repository.read_scope import by_name_only, contact_in_full, job_found, params, shape_of


@dataclass(frozen=True)
class Page:
    rows: list  # in list order
    has_more: bool  # more rows lie beyond the page, in the direction it was read


# The ordered contact links of each kind of record: (link table, its parent column).
LINKS = {Job: (JobOwner, JobOwner.job_id), Lead: (LeadContact, LeadContact.lead_id)}
# The label each list is ordered and searched by.
LABELS = {Job: Job.name, Lead: Lead.title}
# The orders of each list: by label (the default) or by creation.
ORDERS = {"LABEL": LABELS, "CREATED_AT": {Job: Job.created_at, Lead: Lead.created_at}}


class JobsLeadsRepository:
    def __init__(self, session: AsyncSession, builder_account_id: int):
        self.session = session
        self.builder_account_id = builder_account_id

    async def _grouped(self, query, scope: ReadScope | None = None) -> dict[int, list]:
        """Runs a query of (key, row) pairs (or (key, contact, by_name_only) triples),
        already ordered, into lists per key."""
        result: dict[int, list] = defaultdict(list)
        for key, *row in await self.session.execute(query, None if scope is None else params(scope)):
            result[key].append(row[0] if len(row) == 1 else (row[0], bool(row[1])))
        return result

    # The reads below answer what the viewer of `scope` may read (repository/read_scope.py).

    async def jobs_by_contact(self, contact_ids: Sequence[int], scope: ReadScope) -> dict[int, list[Job]]:
        """The jobs the viewer finds of each contact they read in full (none of a contact seen by name only)."""
        shape = shape_of(scope)
        return await self._grouped(
            select(JobOwner.contact_id, Job)
            .join(Job, Job.id == JobOwner.job_id)
            .where(JobOwner.contact_id.in_(contact_ids), Job.builder_account_id == self.builder_account_id,
                   contact_in_full(shape, JobOwner.contact_id), job_found(shape, Job.id))
            .order_by(JobOwner.contact_id, Job.id),
            scope,
        )

    async def owners_by_job(self, job_ids: Sequence[int], scope: ReadScope) -> dict[int, list[tuple[Contact, bool]]]:
        """Each found job's owners in order, each with whether the viewer sees it by name only."""
        shape = shape_of(scope)
        return await self._grouped(
            select(JobOwner.job_id, Contact, by_name_only(shape, Contact.id))
            .join(Contact, Contact.id == JobOwner.contact_id)
            .where(JobOwner.job_id.in_(job_ids), Contact.builder_account_id == self.builder_account_id,
                   job_found(shape, JobOwner.job_id))
            .order_by(JobOwner.job_id, JobOwner.position),
            scope,
        )

    async def leads_by_contact(self, contact_ids: Sequence[int], scope: ReadScope) -> dict[int, list[Lead]]:
        if not scope.leads:
            return {}
        return await self._grouped(
            select(LeadContact.contact_id, Lead)
            .join(Lead, Lead.id == LeadContact.lead_id)
            .where(LeadContact.contact_id.in_(contact_ids), Lead.builder_account_id == self.builder_account_id)
            .order_by(LeadContact.contact_id, Lead.id)
        )

    async def contacts_by_lead(self, lead_ids: Sequence[int], scope: ReadScope) -> dict[int, list[tuple[Contact, bool]]]:
        if not scope.leads:
            return {}
        return await self._grouped(
            select(LeadContact.lead_id, Contact, by_name_only(shape_of(scope), Contact.id))
            .join(Contact, Contact.id == LeadContact.contact_id)
            .where(LeadContact.lead_id.in_(lead_ids), Contact.builder_account_id == self.builder_account_id)
            .order_by(LeadContact.lead_id, LeadContact.position),
            scope,
        )

    async def jobs(self, job_ids: Sequence[int], scope: ReadScope) -> dict[int, Job]:
        rows = await self.session.execute(
            select(Job).where(Job.id.in_(job_ids), Job.builder_account_id == self.builder_account_id,
                              job_found(shape_of(scope), Job.id)),
            params(scope),
        )
        return {job.id: job for job in rows.scalars()}

    async def leads(self, lead_ids: Sequence[int], scope: ReadScope) -> dict[int, Lead]:
        if not scope.leads:
            return {}
        rows = await self.session.execute(
            select(Lead).where(Lead.id.in_(lead_ids), Lead.builder_account_id == self.builder_account_id)
        )
        return {lead.id: lead for lead in rows.scalars()}

    async def get(self, model: type[Job] | type[Lead], record_id: int, *, for_update: bool = False):
        """One job or lead of this account. `for_update` locks it, so that concurrent
        changes to its contact list queue instead of racing for a position."""
        query = select(model).where(model.id == record_id, model.builder_account_id == self.builder_account_id)
        if for_update:
            query = query.with_for_update()
        return (await self.session.execute(query)).scalar_one_or_none()

    async def add(self, record: Job | Lead) -> None:
        record.builder_account_id = self.builder_account_id
        self.session.add(record)
        await self.session.flush()

    async def touch(self, record: Job | Lead) -> None:
        record.updated_at = utcnow()
        await self.session.flush()

    async def linked_contact_ids(self, record: Job | Lead) -> list[int]:
        link, parent = LINKS[type(record)]
        rows = await self.session.execute(
            select(link.contact_id).where(parent == record.id).order_by(link.position)
        )
        return list(rows.scalars())

    async def link_contact(self, record: Job | Lead, contact_id: int) -> None:
        """Appends the contact at the end of the record's list (lock the record first)."""
        link, parent = LINKS[type(record)]
        last = (await self.session.execute(select(func.max(link.position)).where(parent == record.id))).scalar()
        self.session.add(link(**{parent.key: record.id}, contact_id=contact_id, position=(last or 0) + 1))
        await self.session.flush()

    async def unlink_contact(self, record: Job | Lead, contact_id: int) -> bool:
        link, parent = LINKS[type(record)]
        result = await self.session.execute(delete(link).where(parent == record.id, link.contact_id == contact_id))
        return result.rowcount > 0

    def _listed(self, model, search: str | None, owner_contact_id: int | None) -> Select:
        return listed(model, self.builder_account_id, search, owner_contact_id)

    async def page(
        self,
        model: type[Job] | type[Lead],
        *,
        page: PageRequest,
        order: str = "LABEL",
        search: str | None,
        owner_contact_id: int | None = None,
    ) -> Page:
        """Keyset pagination by the order's column (`ORDERS`), then id; `page` holds
        keys typed for that column."""
        query = page_of(self._listed(model, search, owner_contact_id), ORDERS[order][model], model.id, page)
        rows, more = trim(list((await self.session.execute(query)).scalars()), page)
        return Page(rows=rows, has_more=more)

    async def count(
        self, model: type[Job] | type[Lead], *, search: str | None, owner_contact_id: int | None = None
    ) -> int:
        listed = self._listed(model, search, owner_contact_id).subquery()
        return (await self.session.execute(select(func.count()).select_from(listed))).scalar_one()


def listed(model, builder_account_id: int, search: str | None, owner_contact_id: int | None) -> Select:
    """The rows of a list (`jobs`, `leads`) before paging: the account's, an owner's
    own jobs only, those whose label contains `search`."""
    query = select(model).where(model.builder_account_id == builder_account_id)
    if owner_contact_id is not None:
        query = query.where(model.id.in_(select(JobOwner.job_id).where(JobOwner.contact_id == owner_contact_id)))
    if search and search.strip():
        query = query.where(func.lower(LABELS[model]).contains(search.strip().lower(), autoescape=True))
    return query

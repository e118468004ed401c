"""All SQL about jobs and leads and their ordered contact links, scoped to one builder account."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from models import Contact, Job, JobOwner, Lead, LeadContact


class WorkRepository:
    def __init__(self, session: AsyncSession, builder_account_id: int):
        self.session = session
        self.builder_account_id = builder_account_id

    async def jobs_by_contact(self, contact_ids: Sequence[int]) -> dict[int, list[Job]]:
        result: dict[int, list[Job]] = defaultdict(list)
        rows = await self.session.execute(
            select(JobOwner.contact_id, Job)
            .join(Job, Job.id == JobOwner.job_id)
            .where(JobOwner.contact_id.in_(contact_ids), Job.builder_account_id == self.builder_account_id)
            .order_by(JobOwner.contact_id, Job.id)
        )
        for contact_id, job in rows:
            result[contact_id].append(job)
        return result

    async def owners_by_job(self, job_ids: Sequence[int]) -> dict[int, list[Contact]]:
        result: dict[int, list[Contact]] = defaultdict(list)
        rows = await self.session.execute(
            select(JobOwner.job_id, Contact)
            .join(Contact, Contact.id == JobOwner.contact_id)
            .where(JobOwner.job_id.in_(job_ids), Contact.builder_account_id == self.builder_account_id)
            .order_by(JobOwner.job_id, JobOwner.position)
        )
        for job_id, contact in rows:
            result[job_id].append(contact)
        return result

    async def leads_by_contact(self, contact_ids: Sequence[int]) -> dict[int, list[Lead]]:
        result: dict[int, list[Lead]] = defaultdict(list)
        rows = await self.session.execute(
            select(LeadContact.contact_id, Lead)
            .join(Lead, Lead.id == LeadContact.lead_id)
            .where(LeadContact.contact_id.in_(contact_ids), Lead.builder_account_id == self.builder_account_id)
            .order_by(LeadContact.contact_id, Lead.id)
        )
        for contact_id, lead in rows:
            result[contact_id].append(lead)
        return result

    async def contacts_by_lead(self, lead_ids: Sequence[int]) -> dict[int, list[Contact]]:
        result: dict[int, list[Contact]] = defaultdict(list)
        rows = await self.session.execute(
            select(LeadContact.lead_id, Contact)
            .join(Contact, Contact.id == LeadContact.contact_id)
            .where(LeadContact.lead_id.in_(lead_ids), Contact.builder_account_id == self.builder_account_id)
            .order_by(LeadContact.lead_id, LeadContact.position)
        )
        for lead_id, contact in rows:
            result[lead_id].append(contact)
        return result

    async def jobs(self, job_ids: Sequence[int]) -> dict[int, Job]:
        rows = await self.session.execute(
            select(Job).where(Job.id.in_(job_ids), Job.builder_account_id == self.builder_account_id)
        )
        return {job.id: job for job in rows.scalars()}

    async def leads(self, lead_ids: Sequence[int]) -> dict[int, Lead]:
        rows = await self.session.execute(
            select(Lead).where(Lead.id.in_(lead_ids), Lead.builder_account_id == self.builder_account_id)
        )
        return {lead.id: lead for lead in rows.scalars()}

"""Root fields of jobs and leads (SPEC 5), merged into `Query` and `Mutation` in
resolvers/root/build.py."""

from __future__ import annotations

import strawberry

from permissions.classes import IsBuilder, IsSignedIn
from resolvers import jobs_leads
from schema.connections import JobConnection, LeadConnection
from schema.jobs_leads import JobPayload, LeadPayload
from schema.types import Job, Lead


@strawberry.type
class JobsLeadsQuery:
    job: Job | None = strawberry.field(
        resolver=jobs_leads.job, description="A job by id; an owner finds only the jobs they are an owner of."
    )
    jobs: JobConnection | None = strawberry.field(
        resolver=jobs_leads.jobs,
        permission_classes=[IsSignedIn],
        description="Jobs, paginated both ways (`first`/`after` or `last`/`before`, 1 to 100); an owner gets "
        "only their own jobs.",
    )
    lead: Lead | None = strawberry.field(resolver=jobs_leads.lead, description="A lead by id (builders only).")
    leads: LeadConnection | None = strawberry.field(
        resolver=jobs_leads.leads,
        permission_classes=[IsBuilder],
        description="Lead opportunities, paginated both ways (`first`/`after` or `last`/`before`, 1 to 100).",
    )


@strawberry.type
class JobsLeadsMutation:
    create_job: JobPayload | None = strawberry.field(
        resolver=jobs_leads.create_job, permission_classes=[IsBuilder], description="Create a job (builders)."
    )
    update_job: JobPayload | None = strawberry.field(
        resolver=jobs_leads.update_job,
        permission_classes=[IsBuilder],
        description="Change a job's name or address; its active owners are notified of what changed.",
    )
    add_job_owner: JobPayload | None = strawberry.field(
        resolver=jobs_leads.add_job_owner,
        permission_classes=[IsBuilder],
        description="Append a contact to the job's owners; an active owner is notified.",
    )
    remove_job_owner: JobPayload | None = strawberry.field(
        resolver=jobs_leads.remove_job_owner,
        permission_classes=[IsBuilder],
        description="Take a contact off the job's owners.",
    )
    create_lead: LeadPayload | None = strawberry.field(
        resolver=jobs_leads.create_lead, permission_classes=[IsBuilder], description="Create a lead opportunity (builders)."
    )
    add_lead_contact: LeadPayload | None = strawberry.field(
        resolver=jobs_leads.add_lead_contact, permission_classes=[IsBuilder], description="Append a contact to a lead."
    )
    remove_lead_contact: LeadPayload | None = strawberry.field(
        resolver=jobs_leads.remove_lead_contact, permission_classes=[IsBuilder], description="Take a contact off a lead."
    )

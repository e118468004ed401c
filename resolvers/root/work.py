"""Root fields for jobs, leads, custom fields and the owner's notification
preferences (SPEC 5, 6, 8), merged into `Query` and `Mutation` in resolvers/root/build.py."""

from __future__ import annotations

import strawberry

from permissions.classes import CanEditCustomFields, CanManageOwnProfile, IsBuilder, IsBuilderAdmin, IsSignedIn
from resolvers import contacts, custom_fields, work
from schema.connections import JobConnection, LeadConnection
from schema.custom_field_types import CustomField
from schema.payloads import ContactPayload
from schema.types import Job, Lead
from schema.work_inputs import CustomFieldPayload, JobPayload, LeadPayload


@strawberry.type
class WorkQuery:
    job: Job | None = strawberry.field(
        resolver=work.job, description="A job by id; an owner finds only the jobs they are an owner of."
    )
    jobs: JobConnection | None = strawberry.field(
        resolver=work.jobs,
        permission_classes=[IsSignedIn],
        description="Jobs, paginated both ways (`first`/`after` or `last`/`before`, 1 to 100); an owner gets "
        "only their own jobs.",
    )
    lead: Lead | None = strawberry.field(resolver=work.lead, description="A lead by id (builders only).")
    leads: LeadConnection | None = strawberry.field(
        resolver=work.leads,
        permission_classes=[IsBuilder],
        description="Lead opportunities, paginated both ways (`first`/`after` or `last`/`before`, 1 to 100).",
    )
    custom_field_definitions: list[CustomField] | None = strawberry.field(
        resolver=custom_fields.custom_field_definitions,
        permission_classes=[IsSignedIn],
        description="The account's custom fields; an owner sees only those marked visibleToOwner.",
    )


@strawberry.type
class WorkMutation:
    create_job: JobPayload | None = strawberry.field(
        resolver=work.create_job, permission_classes=[IsBuilder], description="Create a job (builders)."
    )
    update_job: JobPayload | None = strawberry.field(
        resolver=work.update_job,
        permission_classes=[IsBuilder],
        description="Change a job's name or address; its active owners are notified of what changed.",
    )
    add_job_owner: JobPayload | None = strawberry.field(
        resolver=work.add_job_owner,
        permission_classes=[IsBuilder],
        description="Append a contact to the job's owners; an active owner is notified.",
    )
    remove_job_owner: JobPayload | None = strawberry.field(
        resolver=work.remove_job_owner,
        permission_classes=[IsBuilder],
        description="Take a contact off the job's owners.",
    )
    create_lead: LeadPayload | None = strawberry.field(
        resolver=work.create_lead, permission_classes=[IsBuilder], description="Create a lead opportunity (builders)."
    )
    add_lead_contact: LeadPayload | None = strawberry.field(
        resolver=work.add_lead_contact, permission_classes=[IsBuilder], description="Append a contact to a lead."
    )
    remove_lead_contact: LeadPayload | None = strawberry.field(
        resolver=work.remove_lead_contact, permission_classes=[IsBuilder], description="Take a contact off a lead."
    )
    define_custom_field: CustomFieldPayload | None = strawberry.field(
        resolver=custom_fields.define_custom_field,
        permission_classes=[IsBuilderAdmin],
        description="Define a contact field (builder admins).",
    )
    set_custom_field_values: ContactPayload | None = strawberry.field(
        resolver=contacts.set_custom_field_values,
        permission_classes=[CanEditCustomFields],
        description="Set or clear custom field values of a contact, at any activation status (builders).",
    )
    update_notification_preferences: ContactPayload | None = strawberry.field(
        resolver=contacts.update_notification_preferences,
        permission_classes=[CanManageOwnProfile],
        description="The signed-in active owner's own notification choices.",
    )

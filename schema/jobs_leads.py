"""Inputs and payloads of the job and lead mutations (SPEC 5, 11): one `input` argument each, a
payload with `userErrors`."""

from __future__ import annotations

import strawberry
from strawberry import relay

from schema.contacts import AddressInput
from schema.payloads import USER_ERRORS, UserError
from schema.types import Job, Lead


@strawberry.input(description="A new job.")
class CreateJobInput:
    name: str = strawberry.field(description="The job's name.")
    address: AddressInput | None = strawberry.field(default=None, description="Where the job is.")


@strawberry.input(description="A change of a job: only the fields given change.")
class UpdateJobInput:
    job_id: relay.GlobalID = strawberry.field(description="The job to change.")
    name: strawberry.Maybe[str] = strawberry.field(description="The new name; left out: unchanged.")
    address: strawberry.Maybe[AddressInput | None] = strawberry.field(
        description="The address: the parts given change; null clears it; left out: unchanged."
    )


@strawberry.input(description="A job and a contact: `addJobOwner` appends the contact to the owners, `removeJobOwner` takes it off.")
class JobOwnerInput:
    job_id: relay.GlobalID = strawberry.field(description="The job.")
    contact_id: relay.GlobalID = strawberry.field(description="The contact to add to or take off its owners.")


@strawberry.input(description="A new lead opportunity.")
class CreateLeadInput:
    title: str = strawberry.field(description="The lead's title.")
    contact_ids: list[relay.GlobalID] = strawberry.field(
        default_factory=list, description="The contacts on the lead, in order."
    )


@strawberry.input(description="A lead and a contact: `addLeadContact` appends it, `removeLeadContact` takes it off.")
class LeadContactInput:
    lead_id: relay.GlobalID = strawberry.field(description="The lead.")
    contact_id: relay.GlobalID = strawberry.field(description="The contact to add or take off.")


@strawberry.type(description="The answer of a job mutation.")
class JobPayload:
    job: Job | None = strawberry.field(default=None, description="The job as it is now; null when refused.")
    user_errors: list[UserError] = strawberry.field(default_factory=list, description=USER_ERRORS)


@strawberry.type(description="The answer of a lead mutation.")
class LeadPayload:
    lead: Lead | None = strawberry.field(default=None, description="The lead as it is now; null when refused.")
    user_errors: list[UserError] = strawberry.field(default_factory=list, description=USER_ERRORS)

"""Inputs and payloads of the job, lead, custom field and notification-preference
mutations (SPEC 11): one `input` argument each, a payload with `userErrors`."""

from __future__ import annotations

import strawberry
from strawberry import relay

from schema.custom_field_types import CustomField, CustomFieldType
from schema.inputs import AddressInput
from schema.types import Job, Lead, UserError


@strawberry.input
class CreateJobInput:
    name: str
    address: AddressInput | None = None


@strawberry.input
class UpdateJobInput:
    job_id: relay.GlobalID
    name: strawberry.Maybe[str]
    address: strawberry.Maybe[AddressInput | None]


@strawberry.input(description="A job and a contact: `addJobOwner` appends the contact to the owners, `removeJobOwner` takes it off.")
class JobOwnerInput:
    job_id: relay.GlobalID
    contact_id: relay.GlobalID


@strawberry.input
class CreateLeadInput:
    title: str
    contact_ids: list[relay.GlobalID] = strawberry.field(default_factory=list)


@strawberry.input
class LeadContactInput:
    lead_id: relay.GlobalID
    contact_id: relay.GlobalID


@strawberry.input
class UpdateNotificationPreferencesInput:
    sms_opt_in: bool = strawberry.field(description="Also get job notifications by SMS on the cell phone.")


@strawberry.input
class DefineCustomFieldInput:
    name: str
    type: CustomFieldType
    options: list[str] | None = strawberry.field(default=None, description="The labels of a SELECT field.")
    visible_to_owner: bool = False


@strawberry.input
class CustomFieldValueInput:
    field_id: relay.GlobalID
    value: str | None = strawberry.field(description="The value as a string; null or blank clears it.")


@strawberry.input
class SetCustomFieldValuesInput:
    contact_id: relay.GlobalID
    values: list[CustomFieldValueInput] = strawberry.field(description="Fields not listed keep their values.")


@strawberry.type
class JobPayload:
    job: Job | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class LeadPayload:
    lead: Lead | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class CustomFieldPayload:
    custom_field: CustomField | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)

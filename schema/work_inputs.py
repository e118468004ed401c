"""Inputs and payloads of the job, lead, custom field and notification-preference
mutations (SPEC 11): one `input` argument each, a payload with `userErrors`."""

from __future__ import annotations

import strawberry
from strawberry import relay

from schema.custom_field_types import CustomField, CustomFieldType
from schema.inputs import AddressInput
from schema.types import USER_ERRORS, Job, Lead, UserError


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


@strawberry.input(description="The owner's notification choices.")
class UpdateNotificationPreferencesInput:
    sms_opt_in: bool = strawberry.field(description="Also get job notifications by SMS on the cell phone.")


@strawberry.input(description="A new custom field for the account's contacts.")
class DefineCustomFieldInput:
    name: str = strawberry.field(description="The field's name, unique in the account.")
    type: CustomFieldType = strawberry.field(description="The kind of value it holds.")
    options: list[str] | None = strawberry.field(default=None, description="The labels of a SELECT field.")
    visible_to_owner: bool = strawberry.field(
        default=False, description="Owners see this field's value on their own contact."
    )


@strawberry.input(description="One custom field value to set or clear.")
class CustomFieldValueInput:
    field_id: relay.GlobalID = strawberry.field(description="The custom field.")
    value: str | None = strawberry.field(description="The value as a string; null or blank clears it.")


@strawberry.input(description="Custom field values of one contact.")
class SetCustomFieldValuesInput:
    contact_id: relay.GlobalID = strawberry.field(description="The contact to change.")
    values: list[CustomFieldValueInput] = strawberry.field(description="Fields not listed keep their values.")


@strawberry.type(description="The answer of a job mutation.")
class JobPayload:
    job: Job | None = strawberry.field(default=None, description="The job as it is now; null when refused.")
    user_errors: list[UserError] = strawberry.field(default_factory=list, description=USER_ERRORS)


@strawberry.type(description="The answer of a lead mutation.")
class LeadPayload:
    lead: Lead | None = strawberry.field(default=None, description="The lead as it is now; null when refused.")
    user_errors: list[UserError] = strawberry.field(default_factory=list, description=USER_ERRORS)


@strawberry.type(description="The answer of `defineCustomField`.")
class CustomFieldPayload:
    custom_field: CustomField | None = strawberry.field(
        default=None, description="The new field; null when refused."
    )
    user_errors: list[UserError] = strawberry.field(default_factory=list, description=USER_ERRORS)

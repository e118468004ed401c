"""Owner Contact mutations: decode ids, run the use case in one unit of work,
commit once, answer with the payload. Who may call them is decided by the
permission classes on the fields."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Annotated

from strawberry import relay
from strawberry.types import Info

from domain.errors import RuleError
from permissions.classes import decode_node_id
from permissions.policy import ActorKind
from repository.uow import UnitOfWork
from resolvers import throttle
from resolvers.support import INPUT, contact_id_or_error, contacts_for_payload, present, violation_payload
from schema import inputs
from schema.payloads import ContactPayload, DeleteContactPayload
from schema.work_inputs import SetCustomFieldValuesInput, UpdateNotificationPreferencesInput
from services import contacts as service
from services import custom_fields, email_changes, notifications, profile_images

INFO_INPUT_FIELDS = ["firstName", "lastName", "phone", "cellPhone", "address", "primaryEmail"]


async def run_contact_change(
    info: Info, work: Callable[[UnitOfWork], Awaitable[service.ChangedContact]]
) -> ContactPayload:
    """Runs `work` in one unit of work and builds the payload: the contact and its
    merge candidates, or the user errors (and the conflicting contact) of a refusal."""
    try:
        async with info.context.unit_of_work() as uow:
            change = await work(uow)
            await uow.commit()
    except RuleError as error:
        conflicting = None
        if error.conflicting_contact_id is not None:
            found = await contacts_for_payload(info, [error.conflicting_contact_id])
            conflicting = found[0] if found else None
        return violation_payload(ContactPayload, error, conflicting_contact=conflicting)
    if change.requested_primary_email:
        info.context.wake_outbox()
    found = await contacts_for_payload(info, [change.contact.id, *change.duplicate_ids])
    return ContactPayload(contact=found[0] if found else None, duplicate_contacts=found[1:])


def _target(info: Info, contact_global_id) -> dict:
    """The arguments every change to an existing contact takes: who, and the version
    the permission check saw (a concurrent change in between is STALE_OBJECT)."""
    contact_id = contact_id_or_error(contact_global_id)
    return {
        "builder_account_id": info.context.actor.builder_account_id,
        "contact_id": contact_id,
        "expected_version": info.context.checked_versions.get(contact_id),
    }


def _by_owner(info: Info) -> bool:
    return info.context.actor.kind is ActorKind.OWNER


async def _request_primary_proof(info: Info, uow: UnitOfWork, change: service.ChangedContact) -> service.ChangedContact:
    """An active owner's new primary email is not applied but asked for (SPEC 12):
    the request is recorded and mailed in the change's own unit of work. It counts
    against the account's reset-mail limit, so a refused count writes nothing."""
    if change.requested_primary_email is not None:
        context = info.context
        await throttle.check_call(info, "requestEmailChange", context.username)
        await email_changes.request_email_change(
            uow, change.contact, change.requested_primary_email, now=context.now(),
            ttl=timedelta(hours=context.settings.EMAIL_CHANGE_TTL_HOURS), app_url=context.settings.APP_URL,
        )
    return change


async def create_contact(info: Info, input: Annotated[inputs.CreateContactInput, INPUT]) -> ContactPayload:
    data = {
        "firstName": input.first_name,
        "lastName": input.last_name,
        "phone": input.phone,
        "cellPhone": input.cell_phone,
        "primaryEmail": input.primary_email,
        "additionalEmails": input.additional_emails or [],
    }
    if input.address is not None:
        data["address"] = present(input.address, ["street", "city", "state", "postalCode"])
    account_id = info.context.actor.builder_account_id
    return await run_contact_change(info, lambda uow: service.create_contact(uow, account_id, data))


async def update_contact_info(
    info: Info, input: Annotated[inputs.UpdateContactInfoInput, INPUT],
) -> ContactPayload:
    changes = present(input, INFO_INPUT_FIELDS)

    async def work(uow: UnitOfWork) -> service.ChangedContact:
        change = await service.update_contact_info(
            uow, changes=changes, by_owner=_by_owner(info), **_target(info, input.contact_id)
        )
        return await _request_primary_proof(info, uow, change)

    return await run_contact_change(info, work)


async def set_additional_emails(
    info: Info, input: Annotated[inputs.SetAdditionalEmailsInput, INPUT],
) -> ContactPayload:
    return await run_contact_change(
        info, lambda uow: service.set_additional_emails(uow, emails=input.emails, **_target(info, input.contact_id))
    )


async def promote_additional_email(
    info: Info, input: Annotated[inputs.PromoteAdditionalEmailInput, INPUT],
) -> ContactPayload:
    async def work(uow: UnitOfWork) -> service.ChangedContact:
        change = await service.promote_additional_email(
            uow, email=input.email, by_owner=_by_owner(info), **_target(info, input.contact_id)
        )
        return await _request_primary_proof(info, uow, change)

    return await run_contact_change(info, work)


async def delete_contact(info: Info, input: Annotated[inputs.ContactIdInput, INPUT]) -> DeleteContactPayload:
    try:
        target = _target(info, input.contact_id)
        async with info.context.unit_of_work() as uow:
            image_key = await service.delete_contact(uow, **target)
            await uow.commit()
    except RuleError as error:
        return violation_payload(DeleteContactPayload, error)
    await profile_images.discard(info.context.media_storage, image_key)
    return DeleteContactPayload(ok=True, deleted_contact_id=relay.GlobalID("Contact", str(target["contact_id"])))


async def set_custom_field_values(
    info: Info, input: Annotated[SetCustomFieldValuesInput, INPUT],
) -> ContactPayload:
    values = [(decode_node_id(v.field_id, "CustomField"), v.value) for v in input.values]
    return await run_contact_change(
        info, lambda uow: custom_fields.set_custom_field_values(uow, values=values, **_target(info, input.contact_id))
    )


async def update_notification_preferences(
    info: Info, input: Annotated[UpdateNotificationPreferencesInput, INPUT],
) -> ContactPayload:
    # The owner's own contact: the permission class admits only the active owner.
    own = info.context.actor.contact_id
    return await run_contact_change(
        info,
        lambda uow: notifications.update_notification_preferences(
            uow, info.context.actor.builder_account_id, own,
            sms_opt_in=input.sms_opt_in, expected_version=info.context.checked_versions.get(own),
        ),
    )

"""`updateNotificationPreferences`: the active owner's own SMS choice (SPEC 2, 6).
The permission class on the field keeps everyone else out."""

from __future__ import annotations

from strawberry.types import Info

from domain.errors import RuleError
from repository.uow import UnitOfWork
from resolvers.support import contacts_for_payload, violation_payload
from schema.payloads import ContactPayload
from schema.work_inputs import UpdateNotificationPreferencesInput
from services import notifications as service


async def update_notification_preferences(info: Info, input: UpdateNotificationPreferencesInput) -> ContactPayload:
    context = info.context
    contact_id = context.actor.contact_id
    try:
        async with UnitOfWork(context.session_factory) as uow:
            await service.update_notification_preferences(
                uow, context.actor.builder_account_id, contact_id,
                sms_opt_in=input.sms_opt_in, expected_version=context.checked_versions.get(contact_id),
            )
            await uow.commit()
    except RuleError as error:
        return violation_payload(ContactPayload, error)
    return ContactPayload(contact=(await contacts_for_payload(info, [contact_id]))[0])

"""Owner Contact mutations: decode ids, run the use case in one unit of work,
commit once, answer with the payload. Who may call them is decided by the
permission classes on the fields."""

from __future__ import annotations

from strawberry.types import Info

from domain.errors import RuleError
from permissions.policy import ActorKind
from repository.uow import UnitOfWork
from resolvers.support import contact_id_or_error, contacts_for_payload, present, violation_payload
from schema import inputs
from schema.payloads import ContactPayload, OkPayload
from services import contacts as service
from services import profile_images

INFO_INPUT_FIELDS = ["firstName", "lastName", "phone", "cellPhone", "address", "primaryEmail"]


async def _contact_payload(info: Info, change: service.ContactChange) -> ContactPayload:
    found = await contacts_for_payload(info, [change.contact.id, *change.duplicate_ids])
    return ContactPayload(contact=found[0] if found else None, duplicate_contacts=found[1:])


async def _refused(info: Info, error: RuleError) -> ContactPayload:
    conflicting = None
    if error.conflicting_contact_id is not None:
        found = await contacts_for_payload(info, [error.conflicting_contact_id])
        conflicting = found[0] if found else None
    return violation_payload(ContactPayload, error, conflicting_contact=conflicting)


def _scope(info: Info) -> tuple[int, bool]:
    actor = info.context.actor
    return actor.builder_account_id, actor.kind is ActorKind.OWNER


async def create_contact(info: Info, input: inputs.CreateContactInput) -> ContactPayload:
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
    try:
        async with UnitOfWork(info.context.session_factory) as uow:
            change = await service.create_contact(uow, info.context.actor.builder_account_id, data)
            await uow.commit()
    except RuleError as error:
        return await _refused(info, error)
    return await _contact_payload(info, change)


async def update_contact_info(info: Info, input: inputs.UpdateContactInfoInput) -> ContactPayload:
    account_id, by_owner = _scope(info)
    try:
        contact_id = contact_id_or_error(input.contact_id)
        async with UnitOfWork(info.context.session_factory) as uow:
            change = await service.update_contact_info(
                uow, account_id, contact_id, present(input, INFO_INPUT_FIELDS),
                by_owner=by_owner, expected_version=info.context.checked_versions.get(contact_id),
            )
            await uow.commit()
    except RuleError as error:
        return await _refused(info, error)
    return await _contact_payload(info, change)


async def set_additional_emails(info: Info, input: inputs.SetAdditionalEmailsInput) -> ContactPayload:
    account_id, _ = _scope(info)
    try:
        contact_id = contact_id_or_error(input.contact_id)
        async with UnitOfWork(info.context.session_factory) as uow:
            change = await service.set_additional_emails(
                uow, account_id, contact_id, input.emails,
                expected_version=info.context.checked_versions.get(contact_id),
            )
            await uow.commit()
    except RuleError as error:
        return await _refused(info, error)
    return await _contact_payload(info, change)


async def promote_additional_email(info: Info, input: inputs.PromoteAdditionalEmailInput) -> ContactPayload:
    account_id, by_owner = _scope(info)
    try:
        contact_id = contact_id_or_error(input.contact_id)
        async with UnitOfWork(info.context.session_factory) as uow:
            change = await service.promote_additional_email(
                uow, account_id, contact_id, input.email,
                by_owner=by_owner, expected_version=info.context.checked_versions.get(contact_id),
            )
            await uow.commit()
    except RuleError as error:
        return await _refused(info, error)
    return await _contact_payload(info, change)


async def delete_contact(info: Info, input: inputs.ContactIdInput) -> OkPayload:
    account_id, _ = _scope(info)
    try:
        contact_id = contact_id_or_error(input.contact_id)
        async with UnitOfWork(info.context.session_factory) as uow:
            image_key = await service.delete_contact(
                uow, account_id, contact_id, expected_version=info.context.checked_versions.get(contact_id)
            )
            await uow.commit()
    except RuleError as error:
        return violation_payload(OkPayload, error)
    await profile_images.discard(info.context.media_storage, image_key)
    return OkPayload(ok=True)

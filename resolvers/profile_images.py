"""Profile image mutations: read the upload, let the service render and store it,
point the contact at it in one unit of work, then delete the files it replaced.
Only the active owner reaches these, for their own contact (permission classes)."""

from __future__ import annotations

from typing import Annotated

from strawberry.types import Info

from domain.errors import RuleError
from resolvers.support import INPUT, contact_id_or_error, contacts_for_payload, violation_payload
from schema.media_inputs import ProfileImagePayload, RemoveProfileImageInput, SetProfileImageInput
from services import profile_images as service


def _target(info: Info, contact_id) -> int:
    if contact_id is None:
        return info.context.actor.contact_id
    return contact_id_or_error(contact_id)


async def _payload(info: Info, contact_id: int) -> ProfileImagePayload:
    found = await contacts_for_payload(info, [contact_id])
    return ProfileImagePayload(contact=found[0] if found else None)


async def set_profile_image(info: Info, input: Annotated[SetProfileImageInput, INPUT]) -> ProfileImagePayload:
    context = info.context
    account_id, storage = context.actor.builder_account_id, context.media_storage
    try:
        contact_id = _target(info, input.contact_id)
        data = await service.read_upload(input.image)
        image = await service.prepare_profile_image(data, contact_id, context.decode_budget)
        try:
            await service.store_renditions(storage, image)
            async with context.unit_of_work() as uow:
                change = await service.set_profile_image(
                    uow, account_id, contact_id, image,
                    expected_version=context.checked_versions.get(contact_id),
                )
                await uow.commit()
        except BaseException:
            await service.discard_unless_current(storage, context.session_factory, account_id, contact_id, image.key)
            raise
    except RuleError as error:
        return violation_payload(ProfileImagePayload, error)
    await service.discard(storage, change.previous_key, keep=image.key)
    return await _payload(info, contact_id)


async def remove_profile_image(
    info: Info, input: Annotated[RemoveProfileImageInput, INPUT],
) -> ProfileImagePayload:
    context = info.context
    account_id = context.actor.builder_account_id
    try:
        contact_id = _target(info, input.contact_id)
        async with context.unit_of_work() as uow:
            change = await service.remove_profile_image(
                uow, account_id, contact_id, expected_version=context.checked_versions.get(contact_id)
            )
            await uow.commit()
    except RuleError as error:
        return violation_payload(ProfileImagePayload, error)
    await service.discard(context.media_storage, change.previous_key)
    return await _payload(info, contact_id)

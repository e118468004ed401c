"""Profile image mutations: read the upload, let the service render and store it,
point the contact at it in one unit of work, then delete the files it replaced.
Only the active owner reaches these, for their own contact (permission classes)."""

from __future__ import annotations

from functools import partial
from typing import Annotated

from strawberry import relay
from strawberry.types import Info

from domain.errors import NotFound, RuleError
from resolvers.contacts import contact_id
from resolvers.runner import on_contact, refused_with, run
from resolvers.support import INPUT, written_contact
from schema.profile_images import ProfileImagePayload, RemoveProfileImageInput, SetProfileImageInput
from services import profile_images as service


def _target(info: Info, global_id: relay.GlobalID | None) -> int | None:
    """The owner's own contact unless the input names one (None: it names none)."""
    return info.context.actor.contact_id if global_id is None else contact_id(global_id)


async def _changed(info: Info, change: service.ProfileImageChange) -> ProfileImagePayload:
    """After the commit: the replaced files go (unless the same bytes came again),
    and the contact as the change left it."""
    await service.discard(info.context.media_storage, change.previous_key, keep=change.contact.profile_image_key)
    return ProfileImagePayload(contact=await written_contact(info, change.contact, change.additional_emails))


async def set_profile_image(info: Info, input: Annotated[SetProfileImageInput, INPUT]) -> ProfileImagePayload:
    context = info.context
    account_id, storage = context.actor.builder_account_id, context.media_storage
    target = _target(info, input.contact_id)
    stored: list[service.ImageChange] = []  # once its files exist, a failure must remove them

    async def rendered_and_stored() -> service.ImageChange:
        """Outside the write transaction: reading, decoding and rendering take time."""
        if target is None:
            raise NotFound(("contact_id",), "contact")
        data = await service.read_upload(input.image)
        command = service.ImageChange(target, await service.prepare_profile_image(data, target, context.decode_budget))
        stored.append(command)
        await service.store_renditions(storage, command.image)
        return command

    async def discard_stored() -> None:
        if stored:
            await service.discard_unless_current(storage, context.session_factory, account_id, target, stored[0].image.key)

    async def refused(error: RuleError) -> ProfileImagePayload:
        await discard_stored()
        return await refused_with(ProfileImagePayload)(error)

    try:
        return await run(
            info, on_contact(info, service.set_profile_image), None, first=rendered_and_stored,
            answer=partial(_changed, info), refused=refused,
        )
    except BaseException:
        await discard_stored()
        raise


async def remove_profile_image(
    info: Info, input: Annotated[RemoveProfileImageInput, INPUT],
) -> ProfileImagePayload:
    return await run(
        info, on_contact(info, service.remove_profile_image), service.ImageRemoval(_target(info, input.contact_id)),
        answer=partial(_changed, info), refused=refused_with(ProfileImagePayload),
    )

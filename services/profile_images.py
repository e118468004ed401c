"""Owner profile images (SPEC 7): process an upload, store its renditions, point the
contact at them, and clean up the files nobody points at any more.

The files and the row cannot change in one transaction, so the order is what keeps
them consistent: new files are written before the row points at them, and old files
are deleted only after the commit that stops pointing at them. A request that fails
in between removes the files it wrote (`discard_unless_current`). The worst a crash
can leave is an orphan file, never a row pointing at a missing file.

Who may call these is decided before, by permissions/ (only the active owner, for
their own contact).
"""

from __future__ import annotations

import functools
import logging
from dataclasses import dataclass
from typing import Any

import anyio

from domain.errors import RuleError, Violation
from domain.timeline import EventKind
from media.decode_budget import DecodeBudget, DecodeBusy
from media.images import (
    MAX_UPLOAD_BYTES,
    InvalidImage,
    ProcessedImage,
    declared_pixels,
    process_profile_image,
    rendition_names,
)
from media.storage import MediaStorage
from models import Contact, utcnow
from observability import tracing
from repository.contacts import ContactRepository, EditedContact
from repository.uow import UnitOfWork

log = logging.getLogger("ownerhub.profile_images")

NOT_A_FILE = "Send the image as a file, in a GraphQL multipart request."
DECODER_BUSY = "The server is busy with other images. Try again in a moment."


@dataclass(frozen=True)
class ImageChange:
    contact_id: int | None
    image: ProcessedImage


@dataclass(frozen=True)
class ImageRemoval:
    contact_id: int | None


@dataclass(frozen=True)
class ProfileImageChange:
    contact: Contact
    additional_emails: list[str]
    previous_key: str | None


async def read_upload(upload: Any) -> bytes:
    """The uploaded bytes. The transport already cut the file off past the cap; one
    byte more lets the image rules say it was too large."""
    if not callable(getattr(upload, "read", None)):
        # `Upload` is a scalar: a JSON request can put a plain string in its place.
        raise RuleError(Violation(("image",), "INVALID_IMAGE", NOT_A_FILE))
    try:
        return await upload.read(MAX_UPLOAD_BYTES + 1)
    finally:
        await upload.close()


async def prepare_profile_image(data: bytes, contact_id: int, budget: DecodeBudget) -> ProcessedImage:
    """Validate and render an upload, off the event loop (decoding a photo takes
    tens to hundreds of milliseconds), within the process's decode budget, so
    parallel uploads cannot take memory without bound. Names are namespaced by
    contact, so deleting one owner's files never removes another's who uploaded
    the same bytes."""
    try:
        with tracing.span("image.process", {"ownerhub.image.bytes": len(data)}):
            return await budget.decode(
                declared_pixels(data), functools.partial(process_profile_image, data, namespace=f"contact-{contact_id}")
            )
    except InvalidImage as error:
        raise RuleError(Violation(("image",), "INVALID_IMAGE", error.message)) from error
    except DecodeBusy:
        raise RuleError(Violation(("image",), "RATE_LIMITED", DECODER_BUSY)) from None


async def store_renditions(storage: MediaStorage, image: ProcessedImage) -> None:
    for rendition in image.renditions.values():
        await storage.save(rendition.name, rendition.data, rendition.content_type)


async def set_profile_image(uow: UnitOfWork, target: EditedContact, command: ImageChange) -> ProfileImageChange:
    contact, image = target.row, command.image
    previous = contact.profile_image_key
    contact.profile_image_key = image.key
    contact.profile_image_width = image.width
    contact.profile_image_height = image.height
    contact.profile_image_updated_at = utcnow()
    ContactRepository(uow.session, contact.builder_account_id).touch(contact)
    await uow.flush()
    uow.timeline.record(contact.builder_account_id, contact.id, EventKind.PROFILE_IMAGE_SET)
    return ProfileImageChange(contact, target.additional_emails, previous)


async def remove_profile_image(uow: UnitOfWork, target: EditedContact, command: ImageRemoval) -> ProfileImageChange:
    contact = target.row
    previous = contact.profile_image_key
    if previous is not None:
        contact.profile_image_key = None
        contact.profile_image_width = None
        contact.profile_image_height = None
        contact.profile_image_updated_at = None
        ContactRepository(uow.session, contact.builder_account_id).touch(contact)
        await uow.flush()
        uow.timeline.record(contact.builder_account_id, contact.id, EventKind.PROFILE_IMAGE_REMOVED)
    return ProfileImageChange(contact, target.additional_emails, previous)


async def discard_unless_current(
    storage: MediaStorage, session_factory, builder_account_id: int, contact_id: int, key: str
) -> None:
    """After a failed change: delete the renditions of `key` unless the contact still
    points at them (it does when the same bytes were uploaded before)."""
    # Shielded: this cleanup also runs when the request was cancelled.
    with anyio.CancelScope(shield=True):
        async with session_factory() as session:
            contact = await ContactRepository(session, builder_account_id).get(contact_id)
        await discard(storage, key, keep=contact.profile_image_key if contact else None)


async def discard(storage: MediaStorage, key: str | None, *, keep: str | None = None) -> None:
    """Delete the renditions of `key`, unless it is `keep` (the same bytes uploaded
    again get the same key, and those files are still in use).

    This runs after the commit, so a storage failure here must not fail the request:
    the change is already made, and an orphan file costs only space. It is logged."""
    if key is None or key == keep:
        return
    for name in rendition_names(key):
        try:
            await storage.delete(name)
        except Exception:  # noqa: BLE001 - any storage failure leaves only an orphan
            log.exception("could not delete profile image rendition %s", name)

"""Inputs and payload of the profile image mutations (SPEC 7, 11)."""

from __future__ import annotations

import strawberry
from strawberry import relay
from strawberry.file_uploads import Upload

from schema.types import Contact, UserError

OWN_CONTACT = "Defaults to the viewer's own contact, the only one an owner may change."


@strawberry.input
class SetProfileImageInput:
    image: Upload = strawberry.field(
        description="A JPEG, PNG or WebP file of at most 5 MB and 25 megapixels, sent as a "
        "GraphQL multipart request."
    )
    contact_id: relay.GlobalID | None = strawberry.field(default=None, description=OWN_CONTACT)


@strawberry.input
class RemoveProfileImageInput:
    contact_id: relay.GlobalID | None = strawberry.field(default=None, description=OWN_CONTACT)


@strawberry.type
class ProfileImagePayload:
    contact: Contact | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)

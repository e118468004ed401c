"""Inputs and payload of the profile image mutations (SPEC 7, 11)."""

from __future__ import annotations

import strawberry
from strawberry import relay
from strawberry.file_uploads import Upload

from schema.types import USER_ERRORS, Contact, UserError

OWN_CONTACT = "Defaults to the viewer's own contact, the only one an owner may change."


@strawberry.input(description="A new profile image.")
class SetProfileImageInput:
    image: Upload = strawberry.field(
        description="A JPEG, PNG or WebP file of at most 5 MB and 25 megapixels, sent as a "
        "GraphQL multipart request."
    )
    contact_id: relay.GlobalID | None = strawberry.field(default=None, description=OWN_CONTACT)


@strawberry.input(description="Whose profile image to remove.")
class RemoveProfileImageInput:
    contact_id: relay.GlobalID | None = strawberry.field(default=None, description=OWN_CONTACT)


@strawberry.type(description="The answer of a profile image mutation.")
class ProfileImagePayload:
    contact: Contact | None = strawberry.field(
        default=None, description="The contact with its image as it is now; null when refused."
    )
    user_errors: list[UserError] = strawberry.field(default_factory=list, description=USER_ERRORS)

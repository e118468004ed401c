"""Profile images (SPEC 7): what clients read about an owner's picture, and the inputs and payload
of setting and removing it. The payload names `Contact` lazily, because schema/types.py embeds
`ProfileImage` in `Contact`."""

from __future__ import annotations

from datetime import datetime
from enum import Enum
from typing import Annotated, TYPE_CHECKING

import strawberry
from strawberry import relay
from strawberry.file_uploads import Upload
from strawberry.types import Info

from media.images import rendition_name
from schema.payloads import USER_ERRORS, UserError

if TYPE_CHECKING:
    from schema.types import Contact


@strawberry.enum(description="Square renditions of a profile image: 64, 256 and 1024 pixels a side.")
class ImageSize(Enum):
    SMALL = strawberry.enum_value("SMALL", description="64 by 64 pixels: lists and avatars.")
    MEDIUM = strawberry.enum_value("MEDIUM", description="256 by 256 pixels: profile headers.")
    LARGE = strawberry.enum_value("LARGE", description="1024 by 1024 pixels: full screen.")


@strawberry.type(description="An owner's profile image, stored as square WebP renditions.")
class ProfileImage:
    width: int = strawberry.field(
        description="Width of the LARGE rendition; smaller sizes are never larger than it."
    )
    height: int = strawberry.field(description="Height of the LARGE rendition (the same as the width).")
    updated_at: datetime = strawberry.field(description="When the image was last set.")
    _key: strawberry.Private[str]

    @classmethod
    def from_columns(cls, row) -> ProfileImage | None:
        if not row.profile_image_key:
            return None
        return cls(
            width=row.profile_image_width,
            height=row.profile_image_height,
            updated_at=row.profile_image_updated_at,
            _key=row.profile_image_key,
        )

    @strawberry.field(
        description="Absolute URL of the rendition, served with long-lived cache headers. "
        "It changes whenever the image changes."
    )
    def url(
        self,
        info: Info,
        size: Annotated[ImageSize, strawberry.argument(description="Which rendition.")] = ImageSize.LARGE,
    ) -> str:
        base = info.context.settings.APP_URL.rstrip("/")
        return f"{base}/media/{rendition_name(self._key, size.value)}"


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
    contact: Annotated[Contact, strawberry.lazy("schema.types")] | None = strawberry.field(
        default=None, description="The contact with its image as it is now; null when refused."
    )
    user_errors: list[UserError] = strawberry.field(default_factory=list, description=USER_ERRORS)

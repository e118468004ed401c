"""Profile image types (SPEC 7): what clients read about an owner's picture."""

from __future__ import annotations

from datetime import datetime
from enum import Enum
from typing import Annotated

import strawberry
from strawberry.types import Info

from media.images import rendition_name


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


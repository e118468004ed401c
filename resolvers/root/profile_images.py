"""Root fields of profile images (SPEC 7), merged into `Mutation` in resolvers/root/build.py."""

from __future__ import annotations

import strawberry

from permissions.classes import CanManageOwnProfile
from resolvers import profile_images
from schema.profile_images import ProfileImagePayload


@strawberry.type
class ProfileImageMutation:
    set_profile_image: ProfileImagePayload | None = strawberry.field(
        resolver=profile_images.set_profile_image,
        permission_classes=[CanManageOwnProfile],
        description="Set the active owner's own profile image (a multipart upload); it replaces the previous one.",
    )
    remove_profile_image: ProfileImagePayload | None = strawberry.field(
        resolver=profile_images.remove_profile_image,
        permission_classes=[CanManageOwnProfile],
        description="Remove the active owner's own profile image; its files are deleted.",
    )

"""Root field of the owner's notification preferences (SPEC 6), merged into `Mutation` in
resolvers/root/build.py."""

from __future__ import annotations

import strawberry

from permissions.classes import CanManageOwnProfile
from resolvers import contacts
from schema.contacts import ContactPayload


@strawberry.type
class NotificationMutation:
    update_notification_preferences: ContactPayload | None = strawberry.field(
        resolver=contacts.update_notification_preferences,
        permission_classes=[CanManageOwnProfile],
        description="The signed-in active owner's own notification choices.",
    )

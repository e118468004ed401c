"""The owner's notification preferences (SPEC 6): the input of `updateNotificationPreferences`."""

from __future__ import annotations

import strawberry


@strawberry.input(description="The owner's notification choices.")
class UpdateNotificationPreferencesInput:
    sms_opt_in: bool = strawberry.field(description="Also get job notifications by SMS on the cell phone.")

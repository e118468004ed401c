"""The contact's timeline (issue 19): what happened to a contact, who did it, and
which messages went to them. Pure rules: the kinds of event, who may see each,
and how a change of values is written down.

An event is written in the same unit of work as the change it describes
(repository/timeline.py), so the timeline can never disagree with the data.
It never holds a token or a password: only the fact that one was issued or used.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import Enum


class EventKind(str, Enum):
    CONTACT_CREATED = "CONTACT_CREATED"
    INFO_CHANGED = "INFO_CHANGED"
    ADDITIONAL_EMAILS_SET = "ADDITIONAL_EMAILS_SET"
    PRIMARY_EMAIL_PROMOTED = "PRIMARY_EMAIL_PROMOTED"
    EMAIL_CHANGE_REQUESTED = "EMAIL_CHANGE_REQUESTED"
    EMAIL_CHANGE_CONFIRMED = "EMAIL_CHANGE_CONFIRMED"
    EMAIL_CHANGE_CANCELLED = "EMAIL_CHANGE_CANCELLED"
    NOTIFICATION_PREFERENCES_CHANGED = "NOTIFICATION_PREFERENCES_CHANGED"
    INVITE_SENT = "INVITE_SENT"
    INVITE_RESENT = "INVITE_RESENT"
    INVITE_CANCELLED = "INVITE_CANCELLED"
    INVITE_ACCEPTED = "INVITE_ACCEPTED"
    INVITE_EXPIRED = "INVITE_EXPIRED"
    OWNER_DEACTIVATED = "OWNER_DEACTIVATED"
    PASSWORD_RESET_REQUESTED = "PASSWORD_RESET_REQUESTED"
    PASSWORD_RESET_COMPLETED = "PASSWORD_RESET_COMPLETED"
    PROFILE_IMAGE_SET = "PROFILE_IMAGE_SET"
    PROFILE_IMAGE_REMOVED = "PROFILE_IMAGE_REMOVED"
    CUSTOM_FIELDS_SET = "CUSTOM_FIELDS_SET"
    ADDED_TO_JOB = "ADDED_TO_JOB"
    REMOVED_FROM_JOB = "REMOVED_FROM_JOB"
    ADDED_TO_LEAD = "ADDED_TO_LEAD"
    REMOVED_FROM_LEAD = "REMOVED_FROM_LEAD"
    MERGED = "MERGED"
    MERGED_INTO = "MERGED_INTO"
    MERGE_UNDONE = "MERGE_UNDONE"
    MESSAGE = "MESSAGE"


# What the owner never sees of their own timeline: the builder's own notes and
# bookkeeping (leads and merges are never shown to owners, SPEC 5 and 4). Custom
# field changes are decided per field (`visibleToOwner`), see `custom_field_events`.
BUILDER_INTERNAL = frozenset({
    EventKind.ADDED_TO_LEAD, EventKind.REMOVED_FROM_LEAD,
    EventKind.MERGED, EventKind.MERGED_INTO, EventKind.MERGE_UNDONE,
})


def owner_visible(kind: EventKind) -> bool:
    return kind not in BUILDER_INTERNAL


class ActorKind(str, Enum):
    BUILDER_USER = "BUILDER_USER"
    OWNER = "OWNER"
    SYSTEM = "SYSTEM"


@dataclass(frozen=True)
class EventActor:
    """Who caused an event: a builder user or the owner (by user id), or the system
    (an anonymous request such as a reset request, or time passing)."""

    kind: ActorKind
    user_id: int | None = None


SYSTEM = EventActor(ActorKind.SYSTEM)


def owner_actor(user_id: int) -> EventActor:
    return EventActor(ActorKind.OWNER, user_id)


class MessageKind(str, Enum):
    """Why a message went out (mail/messages.py has one template per kind)."""

    INVITE = "INVITE"
    PASSWORD_RESET = "PASSWORD_RESET"
    ADDED_TO_JOB = "ADDED_TO_JOB"
    JOB_UPDATED = "JOB_UPDATED"
    EMAIL_CHANGE_CONFIRMATION = "EMAIL_CHANGE_CONFIRMATION"
    EMAIL_CHANGE_NOTICE = "EMAIL_CHANGE_NOTICE"


class DeliveryState(str, Enum):
    QUEUED = "QUEUED"
    RETRYING = "RETRYING"
    SENT = "SENT"
    FAILED = "FAILED"


def delivery_state(*, sent: bool, gave_up: bool, last_error: str | None) -> DeliveryState:
    """Where a message is, from what the sender recorded on its outbox row."""
    if sent:
        return DeliveryState.SENT
    if gave_up:
        return DeliveryState.FAILED
    return DeliveryState.RETRYING if last_error else DeliveryState.QUEUED


def changes(before: Mapping[str, object], after: Mapping[str, object]) -> list[dict]:
    """The fields whose value differs, in `after`'s order, as {field, old, new}
    with values as text (lists of emails joined by ", "); an unchanged field is
    left out."""
    found = []
    for name, new in after.items():
        old = before.get(name)
        if _text(old) != _text(new):
            found.append({"field": name, "old": _text(old), "new": _text(new)})
    return found


def _text(value: object) -> str | None:
    if value is None or value == "" or value == []:
        return None
    if isinstance(value, (list, tuple)):
        return ", ".join(str(v) for v in value)
    return str(value)


@dataclass(frozen=True)
class FieldValueChange:
    name: str
    visible_to_owner: bool
    old: str | None
    new: str | None


def custom_field_events(changed: Sequence[FieldValueChange]) -> list[tuple[list[dict], bool]]:
    """Custom field changes as at most two entries: the fields the owner may read
    (shown to them) and the builder's own fields (never shown), each with its
    changes. A value written again unchanged is no change."""
    groups: dict[bool, list[dict]] = {True: [], False: []}
    for change in changed:
        if change.old != change.new:
            groups[change.visible_to_owner].append({"field": change.name, "old": change.old, "new": change.new})
    return [(found, visible) for visible, found in groups.items() if found]

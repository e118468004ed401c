"""The contact's timeline as GraphQL types (issue 19): `Contact.timeline` is a Relay
connection of `TimelineEvent`s, newest first. Enum values are those of
domain/timeline.py, each with its description here. Nothing here imports
schema.types, so the Contact type's resolver can name these types directly.

A page is one statement on a plain connection (reads/lists.py), and `totalCount`
one more only when selected. Who sees what is the policy's `timeline_view`:
builders everything, the owner their own contact's entries without the builder's
internal ones, anyone else an empty list (a contact of another account is never
reached at all)."""

from __future__ import annotations

from datetime import datetime
from enum import Enum
from typing import Annotated

import strawberry
from strawberry import relay
from strawberry.relay import PageInfo

from domain import timeline as domain
from reads import lists
from repository.contacts import encode_cursor
from schema.paging import page_info, page_request

CURSOR_PREFIX = "timeline"


def _value(member: Enum, description: str):
    return strawberry.enum_value(member.value, description=description)


@strawberry.enum(description="What happened to a contact.")
class TimelineEventKind(Enum):
    CONTACT_CREATED = _value(domain.EventKind.CONTACT_CREATED, "The contact was created; `changes` holds its first values.")
    INFO_CHANGED = _value(domain.EventKind.INFO_CHANGED, "Contact info changed; `changes` names each field with its old and new value.")
    ADDITIONAL_EMAILS_SET = _value(domain.EventKind.ADDITIONAL_EMAILS_SET, "The list of additional emails was replaced.")
    PRIMARY_EMAIL_PROMOTED = _value(domain.EventKind.PRIMARY_EMAIL_PROMOTED, "An additional email became the primary email.")
    EMAIL_CHANGE_REQUESTED = _value(domain.EventKind.EMAIL_CHANGE_REQUESTED, "The owner asked to change their primary email; `changes` names the address waiting for its proof.")
    EMAIL_CHANGE_CONFIRMED = _value(domain.EventKind.EMAIL_CHANGE_CONFIRMED, "The new address proved itself and became the primary email.")
    EMAIL_CHANGE_CANCELLED = _value(domain.EventKind.EMAIL_CHANGE_CANCELLED, "A pending primary email change ended unconfirmed: withdrawn by the owner, or ended by a password reset or a deactivation.")
    NOTIFICATION_PREFERENCES_CHANGED = _value(domain.EventKind.NOTIFICATION_PREFERENCES_CHANGED, "The owner changed their notification preferences.")
    INVITE_SENT = _value(domain.EventKind.INVITE_SENT, "An owner invite was sent (the contact became PENDING).")
    INVITE_RESENT = _value(domain.EventKind.INVITE_RESENT, "The invite was sent again with a fresh link; the earlier link died.")
    INVITE_CANCELLED = _value(domain.EventKind.INVITE_CANCELLED, "The pending invite was cancelled.")
    INVITE_ACCEPTED = _value(domain.EventKind.INVITE_ACCEPTED, "The owner accepted the invite and became ACTIVE.")
    INVITE_EXPIRED = _value(domain.EventKind.INVITE_EXPIRED, "The invite link ran out unused; recorded when the builder next resent or cancelled it, at the time it expired.")
    OWNER_DEACTIVATED = _value(domain.EventKind.OWNER_DEACTIVATED, "The owner was deactivated: their login stopped working.")
    PASSWORD_RESET_REQUESTED = _value(domain.EventKind.PASSWORD_RESET_REQUESTED, "A password reset link was requested for the owner.")
    PASSWORD_RESET_COMPLETED = _value(domain.EventKind.PASSWORD_RESET_COMPLETED, "The owner set a new password with a reset link.")
    PROFILE_IMAGE_SET = _value(domain.EventKind.PROFILE_IMAGE_SET, "The owner set their profile image.")
    PROFILE_IMAGE_REMOVED = _value(domain.EventKind.PROFILE_IMAGE_REMOVED, "The owner removed their profile image.")
    CUSTOM_FIELDS_SET = _value(domain.EventKind.CUSTOM_FIELDS_SET, "Custom field values changed; owners see only fields visible to them.")
    ADDED_TO_JOB = _value(domain.EventKind.ADDED_TO_JOB, "The contact became an owner of the job in `related`.")
    REMOVED_FROM_JOB = _value(domain.EventKind.REMOVED_FROM_JOB, "The contact was removed from the job in `related`.")
    ADDED_TO_LEAD = _value(domain.EventKind.ADDED_TO_LEAD, "The contact was added to the lead in `related` (builders only).")
    REMOVED_FROM_LEAD = _value(domain.EventKind.REMOVED_FROM_LEAD, "The contact was removed from the lead in `related` (builders only).")
    MERGED = _value(domain.EventKind.MERGED, "The contacts in `related` were merged into this one (builders only).")
    MERGED_INTO = _value(domain.EventKind.MERGED_INTO, "This contact was merged into the contact in `related` (builders only).")
    MERGE_UNDONE = _value(domain.EventKind.MERGE_UNDONE, "A merge was undone; `related` names the other side (builders only).")
    MESSAGE = _value(domain.EventKind.MESSAGE, "A message went to the contact; `message` tells which and how its delivery went.")


@strawberry.enum(description="The kinds of actor: builder staff, the owner, the system.")
class TimelineActorKind(Enum):
    BUILDER_USER = _value(domain.ActorKind.BUILDER_USER, "A member of the builder's staff.")
    OWNER = _value(domain.ActorKind.OWNER, "The owner, signed in (or proving it with their invite or reset link).")
    SYSTEM = _value(domain.ActorKind.SYSTEM, "The server itself: time passing, or an anonymous request such as a reset request.")


@strawberry.enum(description="Why a message went to a contact.")
class MessageKind(Enum):
    INVITE = _value(domain.MessageKind.INVITE, "An owner invite, with its link.")
    PASSWORD_RESET = _value(domain.MessageKind.PASSWORD_RESET, "A password reset link.")
    ADDED_TO_JOB = _value(domain.MessageKind.ADDED_TO_JOB, "The owner was added to a job.")
    JOB_UPDATED = _value(domain.MessageKind.JOB_UPDATED, "A job of the owner changed.")
    EMAIL_CHANGE_CONFIRMATION = _value(domain.MessageKind.EMAIL_CHANGE_CONFIRMATION, "The link that confirms a new primary email, sent to that address.")
    EMAIL_CHANGE_NOTICE = _value(domain.MessageKind.EMAIL_CHANGE_NOTICE, "The notice to the current primary email that a change was asked for.")


@strawberry.enum(description="How a message travels.")
class MessageChannel(Enum):
    EMAIL = strawberry.enum_value("EMAIL", description="An email.")
    SMS = strawberry.enum_value("SMS", description="A text message to the cell phone.")


@strawberry.enum(description="Where a message is on its way to the contact.")
class DeliveryState(Enum):
    QUEUED = _value(domain.DeliveryState.QUEUED, "Waiting for the sender.")
    RETRYING = _value(domain.DeliveryState.RETRYING, "An attempt failed (see `lastError`); the sender will try again.")
    SENT = _value(domain.DeliveryState.SENT, "Handed to the mail (or SMS) server.")
    FAILED = _value(domain.DeliveryState.FAILED, "The sender gave up after its last attempt; `lastError` says why.")


@strawberry.type(description="Who made an event happen.")
class TimelineActor:
    kind: TimelineActorKind = strawberry.field(description="A builder user, the owner, or the system.")
    name: str | None = strawberry.field(
        description=(
            "For builder staff, their username (as `ContactMerge.mergedBy` gives it), for builders only. "
            "Null for the owner (an owner's login name is theirs alone), for the system, and whenever the owner reads."
        )
    )


@strawberry.type(description="One field's change: its value before and after, as text.")
class TimelineChange:
    field: str = strawberry.field(description="The field's name in the API (`firstName`, `address.city`, a custom field's name).")
    old_value: str | None = strawberry.field(description="The value before; null when it was empty.")
    new_value: str | None = strawberry.field(description="The value after; null when it was cleared.")


@strawberry.type(description="A record an event refers to, named as it was when the event happened.")
class TimelineReference:
    type_name: str = strawberry.field(description="`Job`, `Lead` or `Contact`.")
    id: relay.GlobalID = strawberry.field(description="The record's global id (a merged contact's resolves to its survivor).")
    name: str | None = strawberry.field(description="Its name (a job's name, a lead's title, a contact's) at the time.")


@strawberry.type(description="A message to the contact, from the outbox, with its delivery state as the sender last recorded it.")
class TimelineMessage:
    kind: MessageKind = strawberry.field(description="Why it was sent.")
    channel: MessageChannel = strawberry.field(description="Email or SMS.")
    recipient: str = strawberry.field(description="The email address or phone number it went to.")
    subject: str | None = strawberry.field(description="The email's subject; null for SMS. The body is never shown (it may hold a link).")
    state: DeliveryState = strawberry.field(description="Queued, retrying, sent or failed.")
    attempts: int = strawberry.field(description="Delivery attempts so far.")
    last_error: str | None = strawberry.field(description="Why the last attempt failed; null when it did not, and for owners.")
    sent_at: datetime | None = strawberry.field(description="When the server accepted it.")


@strawberry.type(description="One entry of a contact's timeline.")
class TimelineEvent:
    kind: TimelineEventKind = strawberry.field(description="What happened.")
    occurred_at: datetime = strawberry.field(description="When it happened.")
    actor: TimelineActor = strawberry.field(description="Who made it happen.")
    contact_id: relay.GlobalID = strawberry.field(
        description="The contact it happened to: this one, or a contact merged into it."
    )
    changes: list[TimelineChange] = strawberry.field(description="Fields that changed, with old and new values.")
    related: list[TimelineReference] = strawberry.field(description="The job, lead or contacts the event concerns.")
    message: TimelineMessage | None = strawberry.field(description="For a MESSAGE: the message and its delivery state.")


@strawberry.type(description="An event of a page of a contact's timeline, with its cursor.")
class TimelineEdge:
    cursor: str = strawberry.field(description="Pass as `after` to read the events older than this one.")
    node: TimelineEvent = strawberry.field(description="The event.")


@strawberry.type(description="A page of a contact's timeline, newest first.")
class TimelineConnection:
    edges: list[TimelineEdge] = strawberry.field(description="The page's events, newest first.")
    page_info: PageInfo = strawberry.field(description="Where this page is in the timeline.")
    _total: strawberry.Private[object]

    @strawberry.field(description="How many events the timeline holds for this viewer and these kinds, across all pages.")
    async def total_count(self) -> int:
        return await self._total()


Kinds = Annotated[
    list[TimelineEventKind] | None,
    strawberry.argument(description="Only events of these kinds; all kinds when absent."),
]


def _event_id(cursor: tuple[str, int] | None) -> tuple[str, int] | None:
    """A timeline cursor, or None for anything else (which bounds nothing)."""
    return cursor if cursor and cursor[0] == CURSOR_PREFIX else None


async def contact_timeline(context, contact_id: int, page_args: tuple, kinds: list | None) -> TimelineConnection:
    """`Contact.timeline`: one page of the contact's events as the viewer may read them."""
    page = page_request(*page_args, key=_event_id)
    query = lists.timeline_query(context, contact_id, tuple(kind.value for kind in kinds) if kinds is not None else None)
    rows = await lists.timeline_page(context, query, page)
    listed = rows[: page.size]
    if page.backward:
        listed.reverse()
    owner_view = query is not None and query.owner_view
    edges = [
        TimelineEdge(cursor=encode_cursor(CURSOR_PREFIX, row.id), node=_event(row, owner_view)) for row in listed
    ]

    async def total() -> int:
        return await lists.timeline_count(context, query)

    return TimelineConnection(edges=edges, page_info=page_info(edges, page, len(rows) > page.size), _total=total)


def _event(row, owner_view: bool) -> TimelineEvent:
    data = row.data or {}
    # Builders see which of their staff acted; an owner learns only that the builder
    # did. An owner's username is half of their credentials: nobody else reads it.
    named = not owner_view and row.actor_kind == domain.ActorKind.BUILDER_USER.value
    return TimelineEvent(
        kind=TimelineEventKind(row.kind),
        occurred_at=row.occurred_at,
        actor=TimelineActor(kind=TimelineActorKind(row.actor_kind), name=row.actor_username if named else None),
        contact_id=relay.GlobalID("Contact", str(row.contact_id)),
        changes=[
            TimelineChange(field=c["field"], old_value=c["old"], new_value=c["new"]) for c in data.get("changes", ())
        ],
        related=[
            TimelineReference(type_name=r["type"], id=relay.GlobalID(r["type"], str(r["id"])), name=r["name"])
            for r in data.get("related", ())
        ],
        message=_message(row, owner_view) if row.message_id is not None else None,
    )


def _message(row, owner_view: bool) -> TimelineMessage:
    return TimelineMessage(
        kind=MessageKind(row.message_kind),
        channel=MessageChannel(row.channel),
        recipient=row.recipient,
        subject=row.subject,
        state=DeliveryState(
            domain.delivery_state(
                sent=row.sent_at is not None, gave_up=row.failed_at is not None, last_error=row.last_error
            ).value
        ),
        attempts=row.attempts,
        # The mail server's words are for the builder's staff to act on.
        last_error=None if owner_view else row.last_error,
        sent_at=row.sent_at,
    )

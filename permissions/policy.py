"""Who may do what to an Owner Contact, by actor and activation status (SPEC 2, 2.1).

Pure functions over plain values: the Strawberry permission classes, `viewerCan`
and any other caller ask these, so each rule lives in exactly one place.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum

from domain.activation import ActivationStatus
from domain.errors import TopLevelErrorCode
from domain.read_scope import ReadScope


class ActorKind(str, Enum):
    ANONYMOUS = "ANONYMOUS"
    BUILDER = "BUILDER"
    OWNER = "OWNER"


@dataclass(frozen=True)
class Actor:
    kind: ActorKind
    builder_account_id: int | None = None
    role: str | None = None  # ADMIN or STAFF for builder users
    contact_id: int | None = None  # the owner's own contact


ANONYMOUS = Actor(ActorKind.ANONYMOUS)


@dataclass(frozen=True)
class PolicyContact:
    """A contact as the policy sees it: which one (an owner may act on their own
    only) and where it is in the activation flow (which decides who edits it)."""

    id: int
    status: ActivationStatus


@dataclass(frozen=True)
class Decision:
    allowed: bool
    code: TopLevelErrorCode | None = None  # UNAUTHENTICATED, FORBIDDEN or CONTACT_LOCKED
    message: str | None = None


ALLOW = Decision(True)
UNAUTHENTICATED = Decision(False, TopLevelErrorCode.UNAUTHENTICATED, "Sign in to do this.")
FORBIDDEN = Decision(False, TopLevelErrorCode.FORBIDDEN, "You are not allowed to do this.")

LOCKED_PENDING = Decision(
    False,
    TopLevelErrorCode.CONTACT_LOCKED,
    "This contact has a pending owner invite, so the owner's contact info is locked. "
    "Cancel the invite, make the change, then send the invite again.",
)
LOCKED_ACTIVE = Decision(
    False,
    TopLevelErrorCode.CONTACT_LOCKED,
    "This owner is active and manages their own contact info. "
    "Ask the owner to make the change, or deactivate the owner, edit, and invite them again.",
)


def _is_own_active_contact(actor: Actor, contact: PolicyContact) -> bool:
    return actor.kind is ActorKind.OWNER and actor.contact_id == contact.id and contact.status == ActivationStatus.ACTIVE


def _signed_in(actor: Actor) -> Decision | None:
    return UNAUTHENTICATED if actor.kind is ActorKind.ANONYMOUS else None


def is_builder(actor: Actor) -> Decision:
    return _signed_in(actor) or (ALLOW if actor.kind is ActorKind.BUILDER else FORBIDDEN)


def is_builder_admin(actor: Actor) -> Decision:
    decision = is_builder(actor)
    if decision.allowed and actor.role != "ADMIN":
        return Decision(False, TopLevelErrorCode.FORBIDDEN, "Only a builder admin can do this.")
    return decision


def is_signed_in(actor: Actor) -> Decision:
    return _signed_in(actor) or ALLOW


ContactRule = Callable[[Actor, PolicyContact], Decision]


def decide_for_contact(rule: ContactRule, actor: Actor, contact: PolicyContact | None) -> Decision:
    """`rule` for a contact the actor names; None is a contact that does not exist
    (or is another account's): a builder passes, so that the mutation reports it as
    NOT_FOUND exactly like a missing id, and anyone else is FORBIDDEN."""
    if contact is None:
        return is_builder(actor) if actor.kind is ActorKind.BUILDER else FORBIDDEN
    return rule(actor, contact)


def decision_without_row(rule: ContactRule, actor: Actor, contact_id: int) -> Decision | None:
    """The decision when it is the same whatever the row holds (missing, or in any
    activation status), so nobody needs to read it; None when the row decides."""
    possible = {decide_for_contact(rule, actor, None)} | {
        rule(actor, PolicyContact(contact_id, status)) for status in ActivationStatus
    }
    return possible.pop() if len(possible) == 1 else None


def can_edit_contact_info(actor: Actor, contact: PolicyContact) -> Decision:
    """Names, phones, address and primary email: the builder while INACTIVE, the
    owner while ACTIVE, nobody while PENDING (SPEC 2)."""
    if denied := _signed_in(actor):
        return denied
    if actor.kind is ActorKind.BUILDER:
        if contact.status == ActivationStatus.PENDING:
            return LOCKED_PENDING
        if contact.status == ActivationStatus.ACTIVE:
            return LOCKED_ACTIVE
        return ALLOW
    return ALLOW if _is_own_active_contact(actor, contact) else FORBIDDEN


def can_edit_additional_emails(actor: Actor, contact: PolicyContact) -> Decision:
    if denied := _signed_in(actor):
        return denied
    if actor.kind is ActorKind.BUILDER or _is_own_active_contact(actor, contact):
        return ALLOW
    return FORBIDDEN


def can_edit_custom_fields(actor: Actor, contact: PolicyContact) -> Decision:
    return is_builder(actor)


def sees_only_owner_visible_fields(actor: Actor) -> bool:
    """Owners read the values of custom fields marked `visibleToOwner` and no
    others; the builder's other fields are their own notes (SPEC 8)."""
    return actor.kind is not ActorKind.BUILDER


class TimelineView(str, Enum):
    """How much of a contact's timeline the viewer reads (issue 19)."""

    NONE = "NONE"  # another owner's contact: nothing at all
    OWNER = "OWNER"  # the owner's own: without the builder's internal entries
    FULL = "FULL"  # builders of the account


def timeline_view(actor: Actor, contact_id: int) -> TimelineView:
    """A builder reads every entry; the owner reads their own contact's, filtered;
    anyone else nothing (another account never reaches the contact at all)."""
    if actor.kind is ActorKind.BUILDER:
        return TimelineView.FULL
    if actor.kind is ActorKind.OWNER and actor.contact_id == contact_id:
        return TimelineView.OWNER
    return TimelineView.NONE


def sees_pending_email_change(actor: Actor, contact_id: int) -> bool:
    """A new primary email waiting for its proof is the owner's alone (SPEC 12):
    it is unproven (a typo, or an intruder's), and a builder can do nothing with it."""
    return actor.kind is ActorKind.OWNER and actor.contact_id == contact_id


def sees_leads(actor: Actor) -> bool:
    """Leads are the builder's pipeline: owners never see them (SPEC 5)."""
    return actor.kind is ActorKind.BUILDER


def sees_merge_audit(actor: Actor) -> bool:
    """Merges and their undoing are the builder's bookkeeping: a contact's `merges`
    and a ContactMerge by id are for builders only."""
    return actor.kind is ActorKind.BUILDER


def sees_invites(actor: Actor) -> bool:
    """A contact's live invite (`pendingInvite`) is the builder's to manage: builders only."""
    return actor.kind is ActorKind.BUILDER


def read_scope(actor: Actor) -> ReadScope | None:
    """What of their builder account the actor reads (None: nothing), which the
    repository turns into the WHERE clauses of every read (repository/read_scope.py).

    Builders read every contact, job and lead of their account. An owner reads
    their own contact in full and finds no other contact by id; the other owners
    on their jobs they see by name only: no contact details, and not their jobs,
    leads or custom fields. An owner finds only the jobs they are an owner of
    (SPEC 5), never a lead, and only custom fields marked visibleToOwner (SPEC 8)."""
    if actor.kind is ActorKind.BUILDER:
        return ReadScope(actor.builder_account_id)
    if actor.kind is ActorKind.OWNER:
        return ReadScope(
            actor.builder_account_id,
            contact_id=actor.contact_id,
            jobs_of=actor.contact_id,
            leads=sees_leads(actor),
            owner_visible_fields_only=sees_only_owner_visible_fields(actor),
        )
    return None


def sees_user(actor: Actor, kind: str, contact_id: int | None) -> bool:
    """Which user of their own account the actor finds by id (`node`): a builder
    finds the account's staff; an owner finds only themself. An owner's sign-in
    name is the owner's own (SPEC 3): staff do not look owners' users up."""
    if actor.kind is ActorKind.BUILDER:
        return kind == "BUILDER"
    if actor.kind is ActorKind.OWNER:
        return kind == "OWNER" and contact_id == actor.contact_id
    return False


def sees_account(actor: Actor, builder_account_id: int) -> bool:
    """Anyone signed in finds their own builder account, and no other."""
    return actor.kind is not ActorKind.ANONYMOUS and actor.builder_account_id == builder_account_id


def can_manage_own_profile(actor: Actor, contact: PolicyContact) -> Decision:
    """Profile image, notification preferences and a pending primary email change:
    only the active owner, for themself."""
    if denied := _signed_in(actor):
        return denied
    return ALLOW if _is_own_active_contact(actor, contact) else FORBIDDEN


def can_delete_contact(actor: Actor, contact: PolicyContact) -> Decision:
    """Deleting would destroy an owner's identity, so it is locked like contact info."""
    return can_edit_contact_info(actor, contact) if actor.kind is ActorKind.BUILDER else is_builder(actor)


def can_set_credentials(actor: Actor, contact: PolicyContact) -> Decision:
    """Username and password: only the owner, for themself (SPEC 3). A builder
    never sets or resets an owner's credentials; the owner's first credentials
    come through the invite token, later ones through a reset token or
    `changePassword`, neither of which names a contact."""
    if denied := _signed_in(actor):
        return denied
    return ALLOW if _is_own_active_contact(actor, contact) else FORBIDDEN


def can_manage_invites(actor: Actor, contact: PolicyContact) -> Decision:
    """Invite, cancel, deactivate, merge: builder staff only. Whether the contact's
    status allows the step is a business rule (INVALID_STATUS), not a permission."""
    return is_builder(actor)


class FieldGroup(str, Enum):
    """The groups of SPEC 2's table: who may change a field depends on its group."""

    CONTACT_INFO = "CONTACT_INFO"
    ADDITIONAL_EMAILS = "ADDITIONAL_EMAILS"
    CUSTOM_FIELDS = "CUSTOM_FIELDS"
    PROFILE_IMAGE = "PROFILE_IMAGE"
    NOTIFICATION_PREFERENCES = "NOTIFICATION_PREFERENCES"
    CREDENTIALS = "CREDENTIALS"


_GROUP_RULES = {
    FieldGroup.CONTACT_INFO: can_edit_contact_info,
    FieldGroup.ADDITIONAL_EMAILS: can_edit_additional_emails,
    FieldGroup.CUSTOM_FIELDS: can_edit_custom_fields,
    FieldGroup.PROFILE_IMAGE: can_manage_own_profile,
    FieldGroup.NOTIFICATION_PREFERENCES: can_manage_own_profile,
    FieldGroup.CREDENTIALS: can_set_credentials,
}


def can_change(actor: Actor, contact: PolicyContact, group: FieldGroup) -> Decision:
    """The one question behind every field group: may `actor` change `group` of `contact`?"""
    return _GROUP_RULES[group](actor, contact)


@dataclass(frozen=True)
class ViewerCan:
    edit_info: bool
    edit_additional_emails: bool
    edit_custom_fields: bool
    set_profile_image: bool
    invite: bool
    cancel_invite: bool
    deactivate: bool
    merge: bool
    delete: bool
    locked_reason: str | None


def viewer_can(actor: Actor, contact: PolicyContact) -> ViewerCan:
    """Everything a user interface needs to show or hide actions, from the same rules."""
    info = can_change(actor, contact, FieldGroup.CONTACT_INFO)
    manage = can_manage_invites(actor, contact).allowed
    return ViewerCan(
        edit_info=info.allowed,
        edit_additional_emails=can_change(actor, contact, FieldGroup.ADDITIONAL_EMAILS).allowed,
        edit_custom_fields=can_change(actor, contact, FieldGroup.CUSTOM_FIELDS).allowed,
        set_profile_image=can_change(actor, contact, FieldGroup.PROFILE_IMAGE).allowed,
        invite=manage and contact.status in (ActivationStatus.INACTIVE, ActivationStatus.PENDING),
        cancel_invite=manage and contact.status == ActivationStatus.PENDING,
        deactivate=manage and contact.status == ActivationStatus.ACTIVE,
        merge=manage,
        delete=can_delete_contact(actor, contact).allowed,
        locked_reason=info.message if info.code == TopLevelErrorCode.CONTACT_LOCKED else None,
    )

"""Strawberry permission classes. Each asks one policy function of
permissions/policy.py and, on refusal, raises a top-level GraphQL error whose
`extensions.code` is the policy's code. Permission checks run before the
resolver, so nothing is written when one fails."""

from __future__ import annotations

from typing import Any, Callable

from strawberry import relay
from strawberry.exceptions import StrawberryGraphQLError
from strawberry.permission import BasePermission
from strawberry.types import Info

from domain.activation import ActivationStatus
from domain.ids import record_id
from permissions import policy
from permissions.policy import PolicyContact, Decision
from repository.contacts import ContactRepository


class PolicyPermission(BasePermission):
    """Base: subclasses decide with `decide`, which returns a policy Decision."""

    message = "You are not allowed to do this."

    async def has_permission(self, source: Any, info: Info, **kwargs: Any) -> bool:
        decision = await self.decide(source, info, **kwargs)
        if not decision.allowed:
            # Raised here rather than through shared instance attributes: one
            # permission instance serves every request of its field.
            raise StrawberryGraphQLError(decision.message, extensions={"code": decision.code})
        return True

    async def decide(self, source: Any, info: Info, **kwargs: Any) -> Decision:
        raise NotImplementedError


def _actor_rule(rule: Callable[[policy.Actor], Decision], name: str) -> type[PolicyPermission]:
    class ActorPermission(PolicyPermission):
        async def decide(self, source, info, **kwargs):
            return rule(info.context.actor)

    ActorPermission.__name__ = ActorPermission.__qualname__ = name
    return ActorPermission


IsSignedIn = _actor_rule(policy.is_signed_in, "IsSignedIn")
IsBuilder = _actor_rule(policy.is_builder, "IsBuilder")
IsBuilderAdmin = _actor_rule(policy.is_builder_admin, "IsBuilderAdmin")


def decode_node_id(value: Any, type_name: str) -> int | None:
    """The database id behind a global id of `type_name`, or None if it is not one."""
    if isinstance(value, relay.GlobalID):
        gid = value
    else:
        try:
            gid = relay.GlobalID.from_id(str(value))
        except Exception:  # noqa: BLE001 - any malformed id is simply "not one of these"
            return None
    if gid.type_name != type_name:
        return None
    return record_id(gid.node_id)


def decode_contact_id(value: Any) -> int | None:
    return decode_node_id(value, "Contact")


def _contact_rule(rule: Callable[[policy.Actor, PolicyContact], Decision], name: str) -> type[PolicyPermission]:
    """A permission that loads the contact named by `input.contactId` and asks `rule`.

    A contact that does not exist (or belongs to another builder account) passes
    here, and the mutation reports it as NOT_FOUND, exactly like a missing id.
    For an owner the target must be their own contact. The version seen is kept so
    the mutation can refuse to write if the contact changed meanwhile.
    """

    class ContactPermission(PolicyPermission):
        async def decide(self, source, info, **kwargs):
            context = info.context
            actor = context.actor
            if actor.kind is policy.ActorKind.ANONYMOUS:
                return policy.UNAUTHENTICATED
            target = kwargs.get("input")
            contact_id = decode_contact_id(getattr(target, "contact_id", None)) if target is not None else None
            if actor.kind is policy.ActorKind.OWNER and contact_id is None:
                contact_id = actor.contact_id
            if contact_id is None:
                return rule(actor, PolicyContact(-1, ActivationStatus.INACTIVE)) if actor.kind is policy.ActorKind.BUILDER else policy.FORBIDDEN
            async with context.session_factory() as session:
                contact = await ContactRepository(session, actor.builder_account_id).get(contact_id)
            if contact is None:
                return policy.is_builder(actor) if actor.kind is policy.ActorKind.BUILDER else policy.FORBIDDEN
            context.checked_versions[contact.id] = contact.version
            return rule(actor, PolicyContact(contact.id, contact.activation_status))

    ContactPermission.__name__ = ContactPermission.__qualname__ = name
    return ContactPermission


CanEditContactInfo = _contact_rule(policy.can_edit_contact_info, "CanEditContactInfo")
CanEditAdditionalEmails = _contact_rule(policy.can_edit_additional_emails, "CanEditAdditionalEmails")
CanEditCustomFields = _contact_rule(policy.can_edit_custom_fields, "CanEditCustomFields")
CanManageOwnProfile = _contact_rule(policy.can_manage_own_profile, "CanManageOwnProfile")
CanDeleteContact = _contact_rule(policy.can_delete_contact, "CanDeleteContact")
CanManageInvites = _contact_rule(policy.can_manage_invites, "CanManageInvites")

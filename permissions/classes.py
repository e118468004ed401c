"""Strawberry permission classes. Each asks one policy function of
permissions/policy.py and, on refusal, raises a top-level GraphQL error whose
`extensions.code` is the policy's code. Permission checks run before the
resolver, so nothing is written when one fails."""

from __future__ import annotations

import functools
from typing import Any, Callable, ClassVar

from strawberry.exceptions import StrawberryGraphQLError
from strawberry.permission import BasePermission
from strawberry.schema import Schema
from strawberry.types import Info

from domain.activation import ActivationStatus
from domain.ids import global_record_id
from models import Contact
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


def _named_contact(actor: policy.Actor, input: Any) -> int | None:
    """The contact the mutation's input names (`contactId`); an owner who names
    none, or one that is not a contact id, is asked about as their own."""
    named = global_record_id(getattr(input, "contact_id", None), "Contact")
    if named is None and actor.kind is policy.ActorKind.OWNER:
        return actor.contact_id
    return named


class ContactPermission(PolicyPermission):
    """Base of the permissions that ask a policy rule (`rule`) about the contact
    named by `input.contactId` (an owner's own when it names none).

    The row is read only when the decision depends on it, and the read leaves
    nothing behind: the mutation loads its target again, under the row lock, and
    asks the same rule of that row (`still_allows`). A contact that does not exist
    (or is another account's) passes for a builder, and the mutation reports it as
    NOT_FOUND, exactly like a missing id; for an owner it is FORBIDDEN.
    """

    rule: ClassVar[policy.ContactRule]

    async def decide(self, source, info, **kwargs):
        actor = info.context.actor
        if actor.kind is policy.ActorKind.ANONYMOUS:
            return policy.UNAUTHENTICATED
        contact_id = _named_contact(actor, kwargs.get("input"))
        if contact_id is None:  # a builder's id that names no contact: NOT_FOUND follows
            return self.rule(actor, PolicyContact(-1, ActivationStatus.INACTIVE))
        decided = policy.decision_without_row(self.rule, actor, contact_id)
        if decided is not None:
            return decided
        async with info.context.session_factory() as session:
            row = await ContactRepository(session, actor.builder_account_id).get(contact_id)
        return self.decide_on(actor, row)

    @classmethod
    def decide_on(cls, actor: policy.Actor, row: Contact | None) -> Decision:
        """The rule's decision on the contact as `row` holds it (None: no such contact)."""
        facts = None if row is None else PolicyContact(row.id, row.activation_status)
        return policy.decide_for_contact(cls.rule, actor, facts)


def _contact_rule(rule: policy.ContactRule, name: str) -> type[ContactPermission]:
    return type(name, (ContactPermission,), {"rule": staticmethod(rule), "__qualname__": name})


def still_allows(info: Info, row: Contact) -> bool:
    """Whether every contact permission on the field being resolved allows the
    request on `row`, the target as the mutation locked it for its write. They
    allowed it before the resolver ran; False means a commit in between changed
    what they decided on (the contact became PENDING, ACTIVE, ...)."""
    permissions = _contact_permissions(info.schema, info.path.typename, info.field_name)
    return all(cls.decide_on(info.context.actor, row).allowed for cls in permissions)


@functools.lru_cache(maxsize=256)
def _contact_permissions(schema: Schema, type_name: str, field_name: str) -> tuple[type[ContactPermission], ...]:
    """The contact permissions of a field, looked up once per schema and field
    (the schema finds a field by scanning its type's fields)."""
    field = schema.get_field_for_type(field_name, type_name)
    return tuple(cls for cls in field.permission_classes if issubclass(cls, ContactPermission))


CanEditContactInfo = _contact_rule(policy.can_edit_contact_info, "CanEditContactInfo")
CanEditAdditionalEmails = _contact_rule(policy.can_edit_additional_emails, "CanEditAdditionalEmails")
CanEditCustomFields = _contact_rule(policy.can_edit_custom_fields, "CanEditCustomFields")
CanManageOwnProfile = _contact_rule(policy.can_manage_own_profile, "CanManageOwnProfile")
CanDeleteContact = _contact_rule(policy.can_delete_contact, "CanDeleteContact")
CanManageInvites = _contact_rule(policy.can_manage_invites, "CanManageInvites")

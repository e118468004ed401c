"""Root fields of custom fields (SPEC 8), merged into `Query` and `Mutation` in
resolvers/root/build.py."""

from __future__ import annotations

import strawberry

from permissions.classes import CanEditCustomFields, IsBuilderAdmin, IsSignedIn
from resolvers import contacts, custom_fields
from schema.contacts import ContactPayload
from schema.custom_fields import CustomField, CustomFieldPayload


@strawberry.type
class CustomFieldQuery:
    custom_field_definitions: list[CustomField] | None = strawberry.field(
        resolver=custom_fields.custom_field_definitions,
        permission_classes=[IsSignedIn],
        description="The account's custom fields; an owner sees only those marked visibleToOwner.",
    )


@strawberry.type
class CustomFieldMutation:
    define_custom_field: CustomFieldPayload | None = strawberry.field(
        resolver=custom_fields.define_custom_field,
        permission_classes=[IsBuilderAdmin],
        description="Define a contact field (builder admins).",
    )
    set_custom_field_values: ContactPayload | None = strawberry.field(
        resolver=contacts.set_custom_field_values,
        permission_classes=[CanEditCustomFields],
        description="Set or clear custom field values of a contact, at any activation status (builders).",
    )

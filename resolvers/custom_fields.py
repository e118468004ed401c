"""Custom field root fields (SPEC 8): the definitions list and `defineCustomField`
(`setCustomFieldValues` is a contact mutation, in resolvers/contacts.py). Who may
call them is decided by the permission classes on the fields; an owner's list
holds only the fields marked `visibleToOwner`."""

from __future__ import annotations

from typing import Annotated

from strawberry.types import Info

import schema.custom_fields as field_types
from reads import lists
from resolvers.runner import refused_with, run
from resolvers.support import INPUT
from schema.custom_fields import CustomFieldPayload, DefineCustomFieldInput
from services import custom_fields as service


async def custom_field_definitions(info: Info) -> list[field_types.CustomField]:
    return [field_types.CustomField.from_model(row) for row in await lists.custom_field_definitions(info.context)]


async def _defined(definition) -> CustomFieldPayload:
    return CustomFieldPayload(custom_field=field_types.CustomField.from_model(definition))


async def define_custom_field(info: Info, input: Annotated[DefineCustomFieldInput, INPUT]) -> CustomFieldPayload:
    command = service.FieldDefinition(
        info.context.actor.builder_account_id, name=input.name, field_type=input.type.value,
        options=input.options, visible_to_owner=input.visible_to_owner,
    )
    return await run(
        info, service.define_custom_field, command, answer=_defined, refused=refused_with(CustomFieldPayload)
    )

"""Custom fields (SPEC 8, 11): the definition and value types, and the inputs and payload of
defining fields and setting values. Nothing here imports schema/types.py, which embeds these
types in `Contact`."""

from __future__ import annotations

from enum import Enum
from typing import Iterable

import strawberry
from strawberry import relay
from strawberry.types import Info

from reads import nodes
from schema.nodes import answer_nodes, record_ids
from schema.payloads import USER_ERRORS, UserError


@strawberry.enum(description="The kind of value a custom field holds; values travel as strings.")
class CustomFieldType(Enum):
    TEXT = strawberry.enum_value("TEXT", description='Any text: "Blue door".')
    NUMBER = strawberry.enum_value("NUMBER", description='A decimal number: "42.5".')
    DATE = strawberry.enum_value("DATE", description='A calendar date, ISO 8601: "2026-03-01".')
    BOOLEAN = strawberry.enum_value("BOOLEAN", description='"true" or "false".')
    SELECT = strawberry.enum_value("SELECT", description="One of the field's `options`, by its label.")


@strawberry.type(description="A field the builder defined for contacts.")
class CustomField(relay.Node):
    id: relay.NodeID[int]
    name: str = strawberry.field(description="The field's name, unique in the account.")
    type: CustomFieldType = strawberry.field(description="The kind of value it holds.")
    options: list[str] = strawberry.field(description="The labels a SELECT field accepts; empty for other types.")
    visible_to_owner: bool = strawberry.field(description="Owners see this field's value on their own contact.")

    @classmethod
    def from_model(cls, row) -> CustomField:
        return cls(
            id=row.id, name=row.name, type=CustomFieldType(row.type),
            options=list(row.options or []), visible_to_owner=row.visible_to_owner,
        )

    @classmethod
    async def resolve_nodes(cls, *, info: Info, node_ids: Iterable[str], required: bool = False):
        node_ids = list(node_ids)
        found = await nodes.custom_fields(info.context, record_ids(node_ids))
        return answer_nodes(node_ids, found, required, cls.from_model)


@strawberry.type(description="A contact's value of one custom field.")
class CustomFieldValue:
    field: CustomField = strawberry.field(description="The field this is a value of.")
    value: str = strawberry.field(
        description='As a string: "42.5", "2026-03-01", "true", or an option\'s label.'
    )

    @classmethod
    def from_model(cls, definition, value: str) -> CustomFieldValue:
        return cls(field=CustomField.from_model(definition), value=value)


@strawberry.input(description="A new custom field for the account's contacts.")
class DefineCustomFieldInput:
    name: str = strawberry.field(description="The field's name, unique in the account.")
    type: CustomFieldType = strawberry.field(description="The kind of value it holds.")
    options: list[str] | None = strawberry.field(default=None, description="The labels of a SELECT field.")
    visible_to_owner: bool = strawberry.field(
        default=False, description="Owners see this field's value on their own contact."
    )


@strawberry.input(description="One custom field value to set or clear.")
class CustomFieldValueInput:
    field_id: relay.GlobalID = strawberry.field(description="The custom field.")
    value: str | None = strawberry.field(description="The value as a string; null or blank clears it.")


@strawberry.input(description="Custom field values of one contact.")
class SetCustomFieldValuesInput:
    contact_id: relay.GlobalID = strawberry.field(description="The contact to change.")
    values: list[CustomFieldValueInput] = strawberry.field(description="Fields not listed keep their values.")


@strawberry.type(description="The answer of `defineCustomField`.")
class CustomFieldPayload:
    custom_field: CustomField | None = strawberry.field(
        default=None, description="The new field; null when refused."
    )
    user_errors: list[UserError] = strawberry.field(default_factory=list, description=USER_ERRORS)

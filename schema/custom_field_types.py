"""Custom field types (SPEC 8, 11), kept apart from the root fields so that
`Contact.customFields` in schema/types.py can use them without an import cycle;
and `answer_nodes`, how every type answers lookups by global id."""

from __future__ import annotations

from enum import Enum
from collections.abc import Callable, Sequence
from typing import Any, Iterable

import strawberry
from strawberry import relay
from strawberry.types import Info

from domain.ids import record_id
from reads import nodes


def record_ids(node_ids: Iterable[str]) -> list[int | None]:
    """The database ids behind the node ids of global ids; None for a malformed one."""
    return [record_id(i) for i in node_ids]


def answer_nodes(node_ids: Sequence[str], found: Sequence[Any], required: bool, build: Callable[[Any], Any]) -> list:
    """One answer per id asked: `build(rows)` where the read layer found rows, else
    null (or, when `required`, the error Strawberry's relay turns into one)."""
    answers = []
    for node_id, rows in zip(node_ids, found):
        if rows is None and required:
            raise ValueError(f"No object with id {node_id}.")
        answers.append(None if rows is None else build(rows))
    return answers


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

"""The execution context the schema runs with: graphql-core's, with a short path
for plain leaf fields.

Most fields of a list page are plain values on an object a root resolver built
(`displayName`, `emails`, `activationStatus`, a cursor): no resolver, no
permission, no argument. graphql-core still builds a resolve info, looks for
arguments and calls Strawberry's resolver wrapper for each of them, which is
most of a 50-contact page's execution time (shared/PERF-NOTES.md). For such a
field this context reads the attribute and coerces it as graphql-core would.
The relay `id` of a type that keeps Strawberry's default `resolve_id` and
`resolve_typename` is one too: the global id of the type's name and its
`NodeID` attribute, built by the same `GlobalID`. Anything unusual (a null where the schema says non-null, a value the scalar
refuses, an attribute that is missing) goes down graphql-core's own path, which
computes the same value again and raises the located error it always raised.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any

from graphql import (
    GraphQLLeafType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLSchema,
    is_leaf_type,
)
from graphql.execution.executor import Executor
from strawberry import relay
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext
from strawberry.schema.schema_converter import GraphQLCoreConverter

_complete_leaf = Executor.complete_leaf_value


class _Refused(Exception):
    """A value the short path leaves to graphql-core (which raises the real error)."""


@dataclass(frozen=True, slots=True)
class PlainLeaf:
    """How to complete one plain leaf field (or list of leaves) of one object type."""

    attribute: str
    leaf_type: GraphQLLeafType
    non_null: bool
    is_list: bool = False
    items_non_null: bool = False
    # Set for a relay `id`: `attribute` is then the NodeID attribute.
    node_type_name: str | None = None

    def complete(self, source: Any) -> Any:
        value = getattr(source, self.attribute)
        if self.node_type_name is not None and value is not None:
            value = relay.GlobalID(type_name=self.node_type_name, node_id=str(value))
        if value is None:
            if self.non_null:
                raise _Refused
            return None
        if not self.is_list:
            return _complete_leaf(self.leaf_type, value)
        completed = []
        for item in value:
            if item is None:
                if self.items_non_null:
                    raise _Refused
                completed.append(None)
            else:
                completed.append(_complete_leaf(self.leaf_type, item))
        return completed


def _unwrap(type_: Any) -> tuple[Any, bool]:
    if isinstance(type_, GraphQLNonNull):
        return type_.of_type, True
    return type_, False


def _node_id(object_type: GraphQLObjectType, field: Any, definition: Any) -> PlainLeaf | None:
    resolver = definition.base_resolver
    if definition.origin is not relay.Node or getattr(resolver.wrapped_func, "__func__", None) is not relay.Node._id.__func__:
        return None
    origin = object_type.extensions[GraphQLCoreConverter.DEFINITION_BACKREF].origin
    if (origin.resolve_id.__func__ is not relay.Node.resolve_id.__func__
            or origin.resolve_typename.__func__ is not relay.Node.resolve_typename.__func__):
        return None
    type_, non_null = _unwrap(field.type)
    return PlainLeaf(origin.resolve_id_attr(), type_, non_null, node_type_name=object_type.name)


def _plain_leaf(object_type: GraphQLObjectType, field: Any) -> PlainLeaf | None:
    definition = field.extensions.get(GraphQLCoreConverter.DEFINITION_BACKREF)
    if definition is None or field.args:
        return None
    if definition.base_resolver is not None and not definition.extensions:
        return _node_id(object_type, field, definition)
    if not definition.is_basic_field:
        return None
    type_, non_null = _unwrap(field.type)
    if is_leaf_type(type_):
        return PlainLeaf(definition.python_name, type_, non_null)
    if isinstance(type_, GraphQLList):
        item_type, items_non_null = _unwrap(type_.of_type)
        if is_leaf_type(item_type):
            return PlainLeaf(definition.python_name, item_type, non_null, True, items_non_null)
    return None


@functools.cache
def plain_leaves(schema: GraphQLSchema) -> dict[tuple[str, str], PlainLeaf]:
    """(type name, field name) -> PlainLeaf, for every plain leaf field of the schema."""
    found = {}
    for type_ in schema.type_map.values():
        if isinstance(type_, GraphQLObjectType) and not type_.name.startswith("__"):
            for name, field in type_.fields.items():
                leaf = _plain_leaf(type_, field)
                if leaf is not None:
                    found[(type_.name, name)] = leaf
    return found


class PlainLeafExecutionContext(StrawberryGraphQLCoreExecutionContext):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The short path reads attributes the way Strawberry's default resolver
        # does (getattr). Strawberry always passes a middleware manager; when an
        # extension puts field middleware in it, every field takes the long path.
        wraps_fields = self.middleware_manager is not None and self.middleware_manager.middlewares
        self._plain_leaves = {} if wraps_fields else plain_leaves(self.schema)

    def execute_field(self, parent_type, source, field_details_list, path, position_context):
        leaf = self._plain_leaves.get((parent_type.name, field_details_list[0].node.name.value))
        if leaf is not None:
            try:
                return leaf.complete(source)
            except Exception:  # noqa: BLE001 - graphql-core's path below raises the real error
                pass
        return super().execute_field(parent_type, source, field_details_list, path, position_context)

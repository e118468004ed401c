"""The fields a selection asks of one concrete object type: graphql-core's
CollectFields (GraphQL spec 6.3.2), done once when a plan is built.

Fields are merged by response key in the order of their first appearance,
fragments and inline fragments are expanded where their type condition holds
for the concrete type, and `@skip`/`@include` are applied with the request's
coerced variables (which is why a plan is keyed by the values of the variables
that directives read)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLIncludeDirective,
    GraphQLSchema,
    GraphQLSkipDirective,
    InlineFragmentNode,
    Node,
    SelectionSetNode,
    VariableNode,
    is_abstract_type,
)
from graphql.execution import VariableValues, get_directive_values


def included(node: Node, variables: VariableValues) -> bool:
    """False when `@skip(if: true)` or `@include(if: false)` leaves the node out."""
    if not node.directives:
        return True
    skip = get_directive_values(GraphQLSkipDirective, node, variables)
    if skip is not None and skip["if"] is True:
        return False
    include = get_directive_values(GraphQLIncludeDirective, node, variables)
    return not (include is not None and include["if"] is False)


def directive_variables(document: DocumentNode) -> tuple[str, ...]:
    """Names of the variables that any `@skip`/`@include` of the document reads."""
    names: list[str] = []

    def walk(node: object) -> None:
        for directive in getattr(node, "directives", None) or ():
            if directive.name.value in ("skip", "include"):
                for argument in directive.arguments:
                    if isinstance(argument.value, VariableNode) and argument.value.name.value not in names:
                        names.append(argument.value.name.value)
        selection_set = getattr(node, "selection_set", None)
        if selection_set is not None:
            for selection in selection_set.selections:
                walk(selection)

    for definition in document.definitions:
        walk(definition)
    return tuple(names)


class Collector:
    """Collects fields of one operation's document for given variables."""

    def __init__(self, schema: GraphQLSchema, document: DocumentNode, variables: VariableValues):
        self.schema = schema
        self.variables = variables
        self.fragments = {
            definition.name.value: definition
            for definition in document.definitions
            if isinstance(definition, FragmentDefinitionNode)
        }

    def applies(self, condition: str, type_name: str) -> bool:
        if condition == type_name:
            return True
        abstract = self.schema.get_type(condition)
        return is_abstract_type(abstract) and self.schema.is_sub_type(abstract, self.schema.get_type(type_name))

    def fields(self, selection_sets: Iterable[SelectionSetNode], type_name: str) -> dict[str, list[FieldNode]]:
        """Response key -> the field nodes merged under it, for an object of `type_name`."""
        found: dict[str, list[FieldNode]] = {}
        visited: set[str] = set()
        for selection_set in selection_sets:
            for field in self._walk(selection_set, type_name, visited):
                key = field.alias.value if field.alias else field.name.value
                found.setdefault(key, []).append(field)
        return found

    def subfields(self, nodes: list[FieldNode], type_name: str) -> dict[str, list[FieldNode]]:
        """The fields asked of the value of `nodes` (one response key), an object of `type_name`."""
        return self.fields([node.selection_set for node in nodes if node.selection_set], type_name)

    def _walk(self, selection_set: SelectionSetNode, type_name: str, visited: set[str]) -> Iterator[FieldNode]:
        for selection in selection_set.selections:
            if not included(selection, self.variables):
                continue
            if isinstance(selection, FieldNode):
                yield selection
            elif isinstance(selection, InlineFragmentNode):
                condition = selection.type_condition
                if condition is None or self.applies(condition.name.value, type_name):
                    yield from self._walk(selection.selection_set, type_name, visited)
            elif isinstance(selection, FragmentSpreadNode):
                name = selection.name.value
                if name in visited:
                    continue
                visited.add(name)
                fragment = self.fragments.get(name)
                if fragment is not None and self.applies(fragment.type_condition.name.value, type_name):
                    yield from self._walk(fragment.selection_set, type_name, visited)

"""The query cost rule (SPEC 9, "overall cost is limited"): a validation rule of
our own, so it runs once per distinct document and is cached with the others.

Cost model, per operation:

* every field costs 1 (introspection fields cost nothing: the schema is static);
* an object field adds the cost of its selection once;
* a list field adds the cost of its selection once per expected item: `first`
  items for the `edges`/`nodes` of a paginated field (a literal `first` or
  `last`; the variable's default, or the maximum page size 100 when a variable
  has none; 20 when neither is given), `ids` items for `nodes(ids:)` (100 for a
  variable), and `NESTED_LIST_ITEMS` (5) for a plain list inside an object, such
  as `Contact.jobs` or `Job.owners`.

So `contacts(first: 100) { edges { node { displayName jobs { name owners {
displayName } } } } }` costs 3,802, and one more level of jobs and owners costs
over 90,000, far past the default cap of 10,000 (setting `MAX_QUERY_COST`).
"""

from __future__ import annotations

from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLNamedType,
    InlineFragmentNode,
    IntValueNode,
    ListValueNode,
    OperationDefinitionNode,
    SelectionSetNode,
    ValidationContext,
    ValidationRule,
    VariableNode,
    get_named_type,
    get_nullable_type,
    is_list_type,
)

from domain.errors import TopLevelErrorCode
from domain.paging import DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE

NESTED_LIST_ITEMS = 5


def operation_cost(context: ValidationContext, operation: OperationDefinitionNode) -> int:
    schema = context.schema
    fragments = {
        d.name.value: d for d in context.document.definitions if isinstance(d, FragmentDefinitionNode)
    }
    variable_defaults = {
        v.variable.name.value: v.default_value for v in operation.variable_definitions or ()
    }
    memo: dict[tuple[str, int | None], int] = {}
    in_progress: set[str] = set()

    def page_size(field: FieldNode, field_def) -> int | None:
        if "first" not in field_def.args:
            return None
        given = {argument.name.value: argument.value for argument in field.arguments or ()}
        for name in ("first", "last"):
            if name not in given:
                continue
            value = given[name]
            if isinstance(value, VariableNode):
                value = variable_defaults.get(value.name.value)
            if isinstance(value, IntValueNode):
                return max(int(value.value), 0)
            return MAX_PAGE_SIZE
        default = field_def.args["first"].default_value
        return default if isinstance(default, int) else DEFAULT_PAGE_SIZE

    def id_count(field: FieldNode, field_def) -> int:
        """The items of a list field: as many as its literal `ids` (`nodes`), else
        the nested-list estimate."""
        if "ids" not in field_def.args:
            return NESTED_LIST_ITEMS
        for argument in field.arguments or ():
            if argument.name.value == "ids":
                value = argument.value
                if isinstance(value, VariableNode):
                    value = variable_defaults.get(value.name.value)
                if isinstance(value, ListValueNode):
                    return len(value.values)
        return MAX_PAGE_SIZE

    def selection_cost(parent: GraphQLNamedType | None, selection_set: SelectionSetNode | None, page: int | None) -> int:
        if parent is None or selection_set is None:
            return 0
        total = 0
        for selection in selection_set.selections:
            if isinstance(selection, FieldNode):
                total += field_cost(parent, selection, page)
            elif isinstance(selection, InlineFragmentNode):
                condition = selection.type_condition
                target = schema.get_type(condition.name.value) if condition else parent
                total += selection_cost(target, selection.selection_set, page)
            elif isinstance(selection, FragmentSpreadNode):
                total += fragment_cost(selection.name.value, page)
        return total

    def fragment_cost(name: str, page: int | None) -> int:
        fragment = fragments.get(name)
        if fragment is None or name in in_progress:
            return 0  # unknown fragments and cycles are reported by other rules
        key = (name, page)
        if key not in memo:
            in_progress.add(name)
            target = schema.get_type(fragment.type_condition.name.value)
            memo[key] = selection_cost(target, fragment.selection_set, page)
            in_progress.discard(name)
        return memo[key]

    def field_cost(parent: GraphQLNamedType, field: FieldNode, page: int | None) -> int:
        name = field.name.value
        if name.startswith("__"):
            return 0
        field_def = getattr(parent, "fields", {}).get(name)
        if field_def is None:
            return 0
        items = 1
        if is_list_type(get_nullable_type(field_def.type)):
            items = page if page is not None else id_count(field, field_def)
        children = selection_cost(get_named_type(field_def.type), field.selection_set, page_size(field, field_def))
        return 1 + items * children

    root = schema.get_root_type(operation.operation)
    return selection_cost(root, operation.selection_set, None)


def make_cost_rule(max_cost: int) -> type[ValidationRule]:
    class QueryCostRule(ValidationRule):
        def __init__(self, context: ValidationContext) -> None:
            super().__init__(context)
            for definition in context.document.definitions:
                if not isinstance(definition, OperationDefinitionNode):
                    continue
                cost = operation_cost(context, definition)
                if cost > max_cost:
                    name = definition.name.value if definition.name else "anonymous"
                    context.report_error(
                        GraphQLError(
                            f"Operation '{name}' costs {cost:,}; the limit is {max_cost:,}. "
                            "Ask for smaller pages or fewer nested lists.",
                            definition,
                            extensions={"code": TopLevelErrorCode.QUERY_TOO_COSTLY, "cost": cost, "maxCost": max_cost},
                        )
                    )

    QueryCostRule.__qualname__ = f"QueryCostRule[{max_cost}]"
    return QueryCostRule

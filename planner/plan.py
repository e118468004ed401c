"""Plans, built once per document and operation and kept with the document.

The parser cache hands every request of the same text the same `DocumentNode`,
so plans are found by the document's identity (the entry keeps the document
alive, so its id cannot be reused while cached). Within a document, an
operation's plan depends only on the values of the variables its `@skip` and
`@include` read; every other variable (a page size, a cursor) is read when the
plan runs."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from graphql import (
    DocumentNode,
    GraphQLError,
    GraphQLSchema,
    OperationDefinitionNode,
    OperationType,
    get_named_type,
    get_operation_ast,
    is_enum_type,
    type_from_ast,
)
from graphql.execution import VariableValues, get_variable_values

from planner import jobs_leads, nodes, roots
from planner.selection import Collector, directive_variables
from planner.shapes import Compiler, ContactNeeds, Declined, Env, NotCovered

# Variables of these types coerce the same against the exported schema as against
# the running one; custom scalars (DateTime, Upload) and input objects do not. An
# `ID` is a global id: the plan reads the value as sent and declines what
# Strawberry's `GlobalID` refuses (planner/roots.decode_global_id).
COERCED_ALIKE = {"Int", "Float", "String", "Boolean", "ID"}
DOCUMENTS_CACHED = 512
# The root fields a plan covers, each with how to build its run.
QUERY = {**roots.QUERY, **jobs_leads.QUERY, **nodes.QUERY}


@dataclass(frozen=True, slots=True)
class Plan:
    """The root fields of one operation, each a coroutine of the request's `Env`."""

    root_fields: tuple[tuple[str, Callable[[Env], Awaitable[Any]]], ...]

    async def run(self, env: Env) -> dict[str, Any]:
        data = {}
        for key, run in self.root_fields:
            data[key] = await run(env)
        return data


@dataclass
class OperationPlans:
    operation: OperationDefinitionNode
    directive_variables: tuple[str, ...]
    plans: dict[tuple, Plan | None] = field(default_factory=dict)


_documents: dict[int, tuple[DocumentNode, dict[str | None, OperationPlans | None]]] = {}


async def _typename(env: Env) -> str:
    return "Query"


def compile_plan(
    schema: GraphQLSchema, document: DocumentNode, operation: OperationDefinitionNode, variables: VariableValues
) -> Plan | None:
    """The plan of `operation` for these directive values; None when it asks for
    anything the planner does not cover."""
    collector = Collector(schema, document, variables)
    compiler = Compiler(collector)
    root_fields = []
    try:
        for key, nodes in collector.fields([operation.selection_set], "Query").items():
            name = nodes[0].name.value
            if name == "__typename":
                root_fields.append((key, _typename))
                continue
            build = QUERY.get(name)
            if build is None:
                raise NotCovered(f"Query.{name}")
            compiler.needs = ContactNeeds()
            root_fields.append((key, build(compiler, nodes)))
    except NotCovered:
        return None
    return Plan(tuple(root_fields))


def _plannable(schema: GraphQLSchema, operation: OperationDefinitionNode | None) -> bool:
    if operation is None or operation.operation is not OperationType.QUERY:
        return False
    for definition in operation.variable_definitions or ():
        named = get_named_type(type_from_ast(schema, definition.type))
        if named is None or not (named.name in COERCED_ALIKE or is_enum_type(named)):
            return False
    return True


def _operation_plans(schema: GraphQLSchema, document: DocumentNode, operation_name: str | None) -> OperationPlans | None:
    entry = _documents.get(id(document))
    if entry is None or entry[0] is not document:
        if len(_documents) >= DOCUMENTS_CACHED:
            _documents.clear()
        entry = _documents[id(document)] = (document, {})
    operations = entry[1]
    if operation_name not in operations:
        operation = get_operation_ast(document, operation_name)
        operations[operation_name] = (
            OperationPlans(operation, directive_variables(document)) if _plannable(schema, operation) else None
        )
    return operations[operation_name]


def plan_for(
    schema: GraphQLSchema, document: DocumentNode, operation_name: str | None, raw_variables: dict | None
) -> tuple[Plan, VariableValues] | None:
    """The plan of the request's operation and its coerced variables; None when
    graphql-core must run it (not covered, or variables it will refuse)."""
    operations = _operation_plans(schema, document, operation_name)
    if operations is None:
        return None
    variables = get_variable_values(schema, operations.operation.variable_definitions or (), raw_variables or {})
    if isinstance(variables, list):
        return None
    key = tuple(variables.coerced.get(name) for name in operations.directive_variables)
    if key not in operations.plans:
        operations.plans[key] = compile_plan(schema, document, operations.operation, variables)
    plan = operations.plans[key]
    return None if plan is None else (plan, variables)


async def answer(
    schema: GraphQLSchema, document: DocumentNode, operation_name: str | None, raw_variables: dict | None, context
) -> tuple[str, dict[str, Any] | None]:
    """(outcome, data) of the request run by its plan. The outcome is `planned`
    with the data, or `not_covered` or `declined` with None: graphql-core must run it."""
    found = plan_for(schema, document, operation_name, raw_variables)
    if found is None:
        return "not_covered", None
    plan, variables = found
    try:
        return "planned", await plan.run(Env(context, schema, variables))
    except (Declined, GraphQLError):
        return "declined", None

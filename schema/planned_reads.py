"""Runs a covered query by its plan (planner/, issue 15), through Strawberry's
documented extension hook: an extension that sets `execution_context.result`
in `on_execute` before yielding makes Strawberry skip graphql-core's execution
(strawberry.rocks, "Schema extensions": the in-memory cache example).

Validation has run by then. This extension comes before the viewer lookup of
`ResolveViewerBeforeExecution`: a plan looks the viewer up on the connection it
reads with (one read scope for the request), and when graphql-core runs the
request instead, that lookup follows as before. When the
planner does not cover the document, or a planned run meets a case it does not
reproduce (an error to report), nothing is set and graphql-core runs the
request as before; reads have no side effects, so running them again is safe.
A planner that raises is a bug: it is logged with its trace and counted
(`ownerhub_graphql_planned_reads_total{outcome="failed"}`), and graphql-core
answers. `PLANNED_READS=false` turns the plans off (the differential test
compares the two)."""

from __future__ import annotations

import functools
import logging
from collections.abc import AsyncIterator

import strawberry
from graphql import ExecutionResult, GraphQLSchema, build_schema
from strawberry.extensions import SchemaExtension
from strawberry.types.graphql import OperationType

from observability.metrics import PLANNED_READS
from planner.plan import answer

log = logging.getLogger("ownerhub.planner")


@functools.cache
def planner_schema(schema: strawberry.Schema) -> GraphQLSchema:
    """The schema's types as graphql-core builds them from the exported SDL: what
    the planner reads of field types, arguments and interfaces, from public API only."""
    return build_schema(schema.as_str())


class PlannedReads(SchemaExtension):
    async def on_execute(self) -> AsyncIterator[None]:
        execution_context = self.execution_context
        context = execution_context.context
        settings = getattr(context, "settings", None)
        if (
            settings is not None
            and settings.PLANNED_READS
            and execution_context.operation_type is OperationType.QUERY
            and execution_context.graphql_document is not None
        ):
            try:
                outcome, data = await answer(
                    planner_schema(execution_context.schema),
                    execution_context.graphql_document,
                    execution_context.operation_name,
                    execution_context.variables,
                    context,
                )
            except Exception:  # noqa: BLE001 - a planner bug must not cost the client the answer
                log.exception("the planner failed; graphql-core runs the query")
                outcome, data = "failed", None
            PLANNED_READS.labels(outcome).inc()
            if data is not None:
                execution_context.result = ExecutionResult(data=data)
        yield

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
import time
from collections.abc import AsyncIterator

import strawberry
from graphql import DocumentNode, ExecutionResult, GraphQLSchema, OperationDefinitionNode, build_schema
from strawberry.extensions import SchemaExtension
from strawberry.types import ExecutionResult as StrawberryResult
from strawberry.types.graphql import OperationType

from hardening.persisted import runs_as_sent
from observability import tracing
from observability.metrics import PLANNED_READS, child, data_outcome, record_operation
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
            child(PLANNED_READS, outcome).inc()
            if data is not None:
                execution_context.result = ExecutionResult(data=data)
                context.planned_document = execution_context.graphql_document
        yield


KNOWN_DOCUMENTS = 256


class KnownDocuments:
    """(text, operation name sent) -> (the parsed document, the operation's name in
    the metrics), for the documents a plan answered after every check passed;
    bounded like the parser cache (emptied when full), one per server, since the
    checks depend on its settings."""

    def __init__(self, limit: int = KNOWN_DOCUMENTS) -> None:
        self.limit = limit
        self.documents: dict[tuple[str, str | None], tuple[DocumentNode, str | None]] = {}

    def get(self, text: str | None, operation_name: str | None) -> tuple[DocumentNode, str | None] | None:
        return self.documents.get((text, operation_name)) if text is not None else None

    def remember(self, text: str, operation_name: str | None, document: DocumentNode) -> None:
        if len(self.documents) >= self.limit:
            self.documents.clear()
        self.documents[text, operation_name] = (document, operation_name or first_operation_name(document))


def first_operation_name(document: DocumentNode) -> str | None:
    """The name the metrics give an operation sent without one (Strawberry's rule: the first operation's)."""
    for definition in document.definitions:
        if isinstance(definition, OperationDefinitionNode):
            return definition.name.value if definition.name is not None else None
    return None


def known_documents(context) -> KnownDocuments | None:
    """The server's registry when the short way may run: planned reads on, tracing off."""
    settings = getattr(context, "settings", None)
    if settings is None or not settings.PLANNED_READS or tracing.tracer() is not None:
        return None
    return getattr(context, "known_documents", None)


async def answer_known_document(
    schema: strawberry.Schema, query: str | None, operation_name: str | None, variables, context
) -> StrawberryResult | None:
    """The answer by the plan of a known document, or None (unknown, no longer in
    the manifest of `registered` persisted-query mode, or the plan declined or
    failed): the caller then runs the full way, which checks, counts and logs what
    happened."""
    known = known_documents(context)
    entry = known.get(query, operation_name) if known is not None else None
    if entry is None or not runs_as_sent(context.settings, query):
        return None
    document, metrics_name = entry
    started = time.perf_counter()
    try:
        outcome, data = await answer(planner_schema(schema), document, operation_name, variables, context)
    except Exception:  # noqa: BLE001 - the full way runs it again, and logs and counts the failure
        return None
    if data is None:
        return None
    child(PLANNED_READS, outcome).inc()
    record_operation(context, metrics_name, "query", data_outcome(data), time.perf_counter() - started)
    return StrawberryResult(data=data, errors=None)


def remember_if_planned(query: str | None, operation_name: str | None, operation_extensions, context, result) -> None:
    """After the full way: remembers a plain-text document its plan answered
    without errors or extension results."""
    document = getattr(context, "planned_document", None)
    known = known_documents(context)
    if (document is not None and known is not None and query is not None and not operation_extensions
            and not result.errors and not result.extensions):
        known.remember(query, operation_name, document)

"""The GraphQL operation's span (observability/tracing.py), as a Strawberry schema
extension: kept apart so that the layers below the schema can open spans without
knowing GraphQL."""

from __future__ import annotations

from collections.abc import Iterator

from strawberry.extensions import SchemaExtension

from observability import tracing


class TracedOperation(SchemaExtension):
    """A span for the GraphQL operation, named like OpenTelemetry's GraphQL
    conventions (`mutation Login`), with its name and type: never its document
    or its variables, which carry passwords, tokens and personal data."""

    def on_operation(self) -> Iterator[None]:
        current_tracer = tracing.tracer()
        if current_tracer is None:
            yield
            return
        with current_tracer.start_as_current_span("graphql.operation") as current:
            yield
            context = self.execution_context
            operation_type = context.operation_type.value if context.operation_type else None
            name = context.operation_name
            if operation_type:
                current.set_attribute("graphql.operation.type", operation_type)
                current.update_name(f"{operation_type} {name}" if name else operation_type)
            if name:
                current.set_attribute("graphql.operation.name", name)

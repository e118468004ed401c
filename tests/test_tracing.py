"""Tracing with OpenTelemetry (issue 17): one mutation makes one trace, the HTTP
request holding the GraphQL operation (its name and type, never its variables)
holding its SQL statements; the outbox send and the image processing have spans of
their own; JSON log lines carry the trace id. Spans are read from the SDK's
in-memory exporter."""

from __future__ import annotations

import io
import json

import httpx
import pytest
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind
from PIL import Image

from conftest import TEST_HASHING, make_active_owner, make_builder
from mail.sender import OutboxSender
from mail.transports import FileEmailTransport
from observability import tracing
from repository import outbox
from repository.uow import UnitOfWork
from server import create_app, dispose_engines

CREATE = """
mutation CreateNamedContact($input: CreateContactInput!) {
  createContact(input: $input) { contact { id } userErrors { code } }
}
"""
SECRET_NAME = "Zebulon-Private-Value"


@pytest.fixture
async def traced(settings):
    """An app with tracing on, into an in-memory exporter; tracing off again after."""
    exporter = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    app = create_app(settings, password_hashing=TEST_HASHING, tracer_provider=provider)
    try:
        yield app, exporter
    finally:
        tracing.stop()
        await dispose_engines(app)


@pytest.fixture
async def traced_client(traced):
    app, _exporter = traced
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver") as http:
        yield http


def children_of(spans, parent) -> list:
    return [span for span in spans if span.parent is not None and span.parent.span_id == parent.context.span_id]


def statement_of(span) -> str:
    return span.attributes.get("db.statement") or span.attributes.get("db.query.text") or ""


def every_attribute_value(spans) -> list[str]:
    return [str(value) for span in spans for value in span.attributes.values()]


async def test_one_mutation_is_one_trace_http_then_graphql_then_sql(traced, traced_client, capsys):
    app, exporter = traced
    builder = await make_builder(app, traced_client, "Traced Homes")
    exporter.clear()
    capsys.readouterr()

    body = await builder.gql(CREATE, {"input": {"firstName": SECRET_NAME}})
    assert body["data"]["createContact"]["userErrors"] == []

    spans = exporter.get_finished_spans()
    [http] = [span for span in spans if span.parent is None]
    assert (http.kind, http.name) == (SpanKind.SERVER, "POST /graphql")
    assert http.attributes["http.response.status_code" if "http.response.status_code" in http.attributes
                           else "http.status_code"] == 200
    [operation] = children_of(spans, http)
    assert operation.name == "mutation CreateNamedContact"
    assert dict(operation.attributes) == {"graphql.operation.type": "mutation",
                                          "graphql.operation.name": "CreateNamedContact"}
    statements = [span for span in spans if span.parent is not None and span.parent.span_id == operation.context.span_id
                  and span.kind is SpanKind.CLIENT]
    assert statements, [span.name for span in spans]
    texts = [statement_of(span) for span in statements]
    assert any(text.startswith("INSERT INTO contacts") for text in texts), texts
    # Every span of the request is in one trace, and no variable value is anywhere in it.
    assert {span.context.trace_id for span in spans} == {http.context.trace_id}
    assert not any(SECRET_NAME in value for value in every_attribute_value(spans))

    # The request's JSON log line carries the trace id.
    records = [json.loads(line) for line in capsys.readouterr().err.splitlines() if line.startswith("{")]
    [request] = [record for record in records if record.get("event") == "request"]
    assert request["trace_id"] == format(http.context.trace_id, "032x")


async def test_the_outbox_send_is_a_span_with_its_sql(traced, tmp_path):
    app, exporter = traced
    async with UnitOfWork(app.state.session_factory) as uow:
        message_id = await outbox.enqueue_email(uow.session, builder_account_id=None, to="dana@example.com",
                                             subject="Invite", text="Hello", html=None)
        await uow.commit()
    exporter.clear()
    sender = OutboxSender(app.state.session_factory, FileEmailTransport(tmp_path), FileEmailTransport(tmp_path))
    assert await sender.drain_once() == 1

    spans = exporter.get_finished_spans()
    [send] = [span for span in spans if span.name == "outbox.send"]
    assert send.attributes["ownerhub.outbox.message_id"] == message_id
    assert send.attributes["ownerhub.outbox.channel"] == "EMAIL"
    marked = [span for span in children_of(spans, send) if span.kind is SpanKind.CLIENT]
    assert any(statement_of(span).startswith("UPDATE outbox_messages") for span in marked), [
        statement_of(span) for span in spans]


async def test_image_processing_is_a_span_inside_the_upload_mutation(traced, traced_client):
    from test_profile_images import set_image

    app, exporter = traced
    builder = await make_builder(app, traced_client, "Traced Homes")
    owner, _contact_id = await make_active_owner(app, traced_client, builder)
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), (10, 120, 30)).save(buffer, format="PNG")
    exporter.clear()

    result = await set_image(owner, buffer.getvalue(), filename="me.png", content_type="image/png")
    assert result["userErrors"] == []

    spans = exporter.get_finished_spans()
    [processing] = [span for span in spans if span.name == "image.process"]
    [operation] = [span for span in spans if span.name.startswith("mutation")]
    assert processing.parent.span_id == operation.context.span_id
    assert processing.attributes["ownerhub.image.bytes"] == len(buffer.getvalue())


def test_tracing_is_off_unless_the_otel_settings_ask_for_it():
    assert not tracing.requested({})
    assert tracing.requested({"OTEL_EXPORTER_OTLP_ENDPOINT": "http://collector:4318"})
    assert tracing.requested({"OTEL_TRACES_EXPORTER": "console"})
    assert not tracing.requested({"OTEL_TRACES_EXPORTER": "none", "OTEL_EXPORTER_OTLP_ENDPOINT": "http://c:4318"})
    assert not tracing.requested({"OTEL_SDK_DISABLED": "true", "OTEL_EXPORTER_OTLP_ENDPOINT": "http://c:4318"})


def test_otel_settings_that_cannot_work_are_one_line_at_start(tmp_path):
    from operations_support import command_env, ownerhub

    env = command_env(f"sqlite+aiosqlite:///{tmp_path / 'x.sqlite3'}", tmp_path, OTEL_TRACES_EXPORTER="zipkin")
    run = ownerhub(env, "migrate")
    assert (run.returncode, run.stderr) == (
        2, "error: OTEL_TRACES_EXPORTER: unsupported exporter 'zipkin' (use otlp, console or none)\n")


async def test_off_by_default_nothing_is_instrumented(app):
    from opentelemetry.instrumentation.sqlalchemy import SQLAlchemyInstrumentor

    assert not tracing.is_on()
    assert tracing.span("anything") is tracing.span("else")  # one shared no-op
    assert not SQLAlchemyInstrumentor().is_instrumented_by_opentelemetry
    assert [middleware.cls for middleware in app.user_middleware][0].__name__ == "ObservabilityMiddleware"

"""Tracing with OpenTelemetry (issue 17), opt-in through the standard `OTEL_*`
environment variables: on when `OTEL_EXPORTER_OTLP_ENDPOINT` (or
`OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`) or `OTEL_TRACES_EXPORTER` (`otlp`, `console`)
is set, unless `OTEL_SDK_DISABLED=true` or `OTEL_TRACES_EXPORTER=none`. The SDK reads
the rest itself (`OTEL_SERVICE_NAME`, `OTEL_RESOURCE_ATTRIBUTES`, `OTEL_TRACES_SAMPLER`,
the exporter's headers and timeouts); OTLP goes over HTTP/protobuf.

One request gives one trace: the HTTP request (the ASGI instrumentation), the GraphQL
operation below it (its name and type, never its document or variables), each SQL
statement (SQLAlchemy's instrumentation: the statement text, never its parameters),
and the image processing; the outbox sender makes one trace per message sent. JSON
log lines written inside a span carry its `trace_id` and `span_id`.

Off (the default) it costs nothing measurable: nothing is instrumented, `span()`
hands back one shared no-op context manager, and the `opentelemetry` packages (the
`otel` extra) need not be installed at all.
"""

from __future__ import annotations

import contextlib
import importlib.util
import os
from collections.abc import Mapping

SERVICE_NAME = "ownerhub"
QUIET_PATHS = "healthz,readyz,metrics"  # probes and scrapes make no traces

_OFF = contextlib.nullcontext()
_tracer = None  # an opentelemetry Tracer while tracing is on
_provider = None


def requested(environ: Mapping[str, str] = os.environ) -> bool:
    """Whether the standard OTEL_* variables ask for traces."""
    if environ.get("OTEL_SDK_DISABLED", "").strip().lower() == "true":
        return False
    exporters = environ.get("OTEL_TRACES_EXPORTER", "").strip().lower()
    if exporters == "none":
        return False
    return bool(
        exporters
        or environ.get("OTEL_EXPORTER_OTLP_ENDPOINT", "").strip()
        or environ.get("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "").strip()
    )


EXPORTERS = ("otlp", "console", "none")


def configuration_problem(environ: Mapping[str, str] = os.environ) -> str | None:
    """One line about OTEL_* settings that cannot work, checked at start like the
    other settings; None when they can (or tracing is off)."""
    if not requested(environ):
        return None
    for name in (environ.get("OTEL_TRACES_EXPORTER") or "otlp").split(","):
        if name.strip().lower() not in (*EXPORTERS, ""):
            return f"OTEL_TRACES_EXPORTER: unsupported exporter {name.strip()!r} (use otlp, console or none)"
    if importlib.util.find_spec("opentelemetry.sdk") is None:
        return "OTEL_*: tracing is asked for, but the `otel` extra is not installed (pip install 'ownerhub[otel]')"
    return None


def provider_from_environment(environ: Mapping[str, str] = os.environ):
    """A TracerProvider exporting where OTEL_TRACES_EXPORTER says (default `otlp`)."""
    from opentelemetry.sdk.resources import Resource
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import BatchSpanProcessor, ConsoleSpanExporter

    # OTEL_SERVICE_NAME, when set, names the service instead (the SDK reads it).
    attributes = {} if environ.get("OTEL_SERVICE_NAME") else {"service.name": SERVICE_NAME}
    provider = TracerProvider(resource=Resource.create(attributes))
    for name in (environ.get("OTEL_TRACES_EXPORTER") or "otlp").split(","):
        name = name.strip().lower()
        if name == "otlp":
            from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

            provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter()))
        elif name == "console":
            provider.add_span_processor(BatchSpanProcessor(ConsoleSpanExporter()))
    return provider


def start(provider=None) -> bool:
    """Turns tracing on with `provider`, or with one built from the environment when
    the OTEL_* variables ask for it. Returns whether tracing is on."""
    global _tracer, _provider
    if provider is None:
        if not requested():
            return False
        provider = provider_from_environment()
    _provider = provider
    _tracer = provider.get_tracer("ownerhub")
    return True


def stop() -> None:
    """Turns tracing off again and removes the SQL instrumentation."""
    global _tracer, _provider
    if _tracer is None:
        return
    from opentelemetry.instrumentation.sqlalchemy import SQLAlchemyInstrumentor

    instrumentor = SQLAlchemyInstrumentor()
    if instrumentor.is_instrumented_by_opentelemetry:
        instrumentor.uninstrument()
    _tracer = _provider = None


def is_on() -> bool:
    return _tracer is not None


def tracer():
    """The tracer while tracing is on, else None."""
    return _tracer


def instrument_engines(*engines) -> None:
    """A span per SQL statement of `engines` (AsyncEngines; one given twice counts once), while tracing is on."""
    if _tracer is None:
        return
    from opentelemetry.instrumentation.sqlalchemy import SQLAlchemyInstrumentor

    # Its declared range stops below SQLAlchemy 2.1, which only adds to the event API
    # it uses (tests/test_tracing.py checks the statement spans on the version installed).
    distinct = list(dict.fromkeys(engine.sync_engine for engine in engines))
    SQLAlchemyInstrumentor().instrument(engines=distinct, tracer_provider=_provider, skip_dep_check=True)


def instrument_asgi(app):
    """`app` inside a span per HTTP request (probes and scrapes excepted)."""
    if _tracer is None:
        return app
    from opentelemetry.instrumentation.asgi import OpenTelemetryMiddleware

    return OpenTelemetryMiddleware(
        app, excluded_urls=QUIET_PATHS, tracer_provider=_provider, exclude_spans=["receive", "send"]
    )


def span(name: str, attributes: Mapping[str, str | int] | None = None):
    """A context manager: a child span of the current one while tracing is on, a
    shared no-op otherwise."""
    if _tracer is None:
        return _OFF
    return _tracer.start_as_current_span(name, attributes=attributes)


def add_trace_ids(_logger, _name, event: dict) -> dict:
    """structlog processor: the current span's ids on a log line, while tracing is on."""
    if _tracer is None:
        return event
    from opentelemetry import trace

    context = trace.get_current_span().get_span_context()
    if context.is_valid:
        event.setdefault("trace_id", format(context.trace_id, "032x"))
        event.setdefault("span_id", format(context.span_id, "016x"))
    return event

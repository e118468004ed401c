"""Prometheus metrics at `/metrics` (prometheus-client, the default registry).

Per process (counters start at zero when the process starts):

* `ownerhub_graphql_operations_total{operation, type, outcome}` and
  `ownerhub_graphql_operation_duration_seconds{operation, type}`: one sample per
  GraphQL operation. `outcome` is `ok`, `user_error` (a payload carried
  `userErrors`), `error` (a top-level error: permission, or a bug) or `invalid`
  (the document did not parse or validate).
* `ownerhub_graphql_planned_reads_total{outcome}`: how each query ran (planner/,
  issue 15): `planned` (by its plan), `not_covered` (the planner does not cover
  the document), `declined` (the plan met an error to report, graphql-core ran
  it) or `failed` (the planner raised: a bug, logged with its trace; graphql-core
  ran it).
* `ownerhub_http_requests_total{method, route, status}`,
  `ownerhub_http_request_duration_seconds{route}` and
  `ownerhub_http_requests_in_progress{route}`.
* `ownerhub_outbox_sent_total{channel}` and `ownerhub_outbox_send_failures_total{channel}`
  from an outbox sender running in this process.

Read from the database at each scrape, so every process reports the same value
(aggregate them with `max`, not `sum`): `ownerhub_outbox_backlog` (messages
still to send), `ownerhub_outbox_failing` (waiting for a retry after a failed
send), `ownerhub_outbox_dead_letters` (given up after the last attempt) and
`ownerhub_outbox_oldest_unsent_age_seconds`.

Operation names come from clients, so they are not trusted as label values: a
name that is not a plain GraphQL name becomes `invalid_name`, and once
`MAX_OPERATION_NAMES` distinct names were seen, new ones count as `other`; a
client can therefore not grow the process's memory through labels.
"""

from __future__ import annotations

import logging
import re
import threading
import time
from collections.abc import Iterator

from prometheus_client import CONTENT_TYPE_LATEST, Counter, Gauge, Histogram, generate_latest
from sqlalchemy import func, select
from starlette.requests import Request
from starlette.responses import Response
from strawberry.extensions import SchemaExtension

log = logging.getLogger("ownerhub.metrics")

MAX_OPERATION_NAMES = 200
_NAME = re.compile(r"^[_A-Za-z][_0-9A-Za-z]{0,99}$")
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)
KNOWN_ROUTES = frozenset({"/graphql", "/healthz", "/readyz", "/metrics"})

GRAPHQL_OPERATIONS = Counter(
    "ownerhub_graphql_operations",
    "GraphQL operations by operation name, type and outcome.",
    ["operation", "type", "outcome"],
)
GRAPHQL_DURATION = Histogram(
    "ownerhub_graphql_operation_duration_seconds",
    "Time to parse, validate and execute one GraphQL operation.",
    ["operation", "type"],
    buckets=LATENCY_BUCKETS,
)
PLANNED_READS = Counter(
    "ownerhub_graphql_planned_reads", "Queries by how they ran: by their plan or on graphql-core.", ["outcome"]
)
HTTP_REQUESTS = Counter(
    "ownerhub_http_requests", "HTTP requests by method, route and status.", ["method", "route", "status"]
)
HTTP_IN_PROGRESS = Gauge("ownerhub_http_requests_in_progress", "HTTP requests being handled now.", ["route"])
HTTP_DURATION = Histogram(
    "ownerhub_http_request_duration_seconds", "HTTP request latency.", ["route"], buckets=LATENCY_BUCKETS
)
OUTBOX_SENT = Counter("ownerhub_outbox_sent", "Outbox messages delivered by this process.", ["channel"])
OUTBOX_SEND_FAILURES = Counter(
    "ownerhub_outbox_send_failures", "Failed outbox delivery attempts in this process.", ["channel"]
)
OUTBOX_BACKLOG = Gauge("ownerhub_outbox_backlog", "Outbox messages not yet sent that will still be tried.")
OUTBOX_FAILING = Gauge(
    "ownerhub_outbox_failing", "Unsent outbox messages whose last attempt failed (waiting for a retry)."
)
OUTBOX_DEAD = Gauge("ownerhub_outbox_dead_letters", "Outbox messages given up after their last attempt.")
OUTBOX_OLDEST_AGE = Gauge(
    "ownerhub_outbox_oldest_unsent_age_seconds", "Age of the oldest outbox message still to send (0 when none)."
)


class _OperationNames:
    """The bounded set of operation names used as label values."""

    def __init__(self, limit: int):
        self._limit = limit
        self._seen: set[str] = set()
        self._lock = threading.Lock()

    def label(self, name: str | None) -> str:
        if not name:
            return "anonymous"
        if not _NAME.match(name):
            return "invalid_name"
        with self._lock:
            if name in self._seen:
                return name
            if len(self._seen) < self._limit:
                self._seen.add(name)
                return name
        return "other"


operation_names = _OperationNames(MAX_OPERATION_NAMES)


_children: dict = {}


def child(metric, *values: str):
    """`metric.labels(*values)`, from a plain dict after the first time: on every
    call prometheus-client checks the arguments, converts each value and takes a
    lock, which the request path (three metrics per request, three per operation)
    need not pay again. Children are never removed, as with `labels`."""
    found = _children.get((metric, values))
    if found is None:
        found = _children[metric, values] = metric.labels(*values)
    return found


def route_label(path: str) -> str:
    if path in KNOWN_ROUTES:
        return path
    if path.startswith("/media/"):
        return "/media"
    return "other"


class GraphQLMetrics(SchemaExtension):
    """Counts and times every operation; also tells the request log which
    operation the request ran (`request.state.graphql_operation`)."""

    def on_operation(self) -> Iterator[None]:
        started = time.perf_counter()
        failed = True
        try:
            yield
            failed = False
        finally:
            context = self.execution_context
            if failed:
                # A syntax error surfaces as an exception, before any document exists.
                outcome = "invalid" if context.graphql_document is None else "error"
            else:
                outcome = _outcome(context)
            record_operation(
                context.context, _operation_name(context), _operation_type(context), outcome,
                time.perf_counter() - started,
            )


def record_operation(request_context, name: str | None, kind: str, outcome: str, seconds: float) -> None:
    """One operation's samples, and its name and outcome for the request log: by
    `GraphQLMetrics`, and by the planned reads' short way (schema/planned_reads.py)."""
    label = operation_names.label(name)
    child(GRAPHQL_OPERATIONS, label, kind, outcome).inc()
    child(GRAPHQL_DURATION, label, kind).observe(seconds)
    request = getattr(request_context, "request", None)
    if request is not None:
        request.state.graphql_operation = label
        request.state.graphql_outcome = outcome


def _operation_name(context) -> str | None:
    try:
        return context.operation_name
    except Exception:  # noqa: BLE001 - an unparsable document has no name
        return None


def _operation_type(context) -> str:
    try:
        return context.operation_type.value
    except Exception:  # noqa: BLE001 - no document, or no such operation
        return "unknown"


def _outcome(context) -> str:
    if context.pre_execution_errors:
        return "invalid"
    result = context.result
    if result is None:
        return "invalid"
    if result.errors:
        return "error"
    return data_outcome(result.data)


def data_outcome(data: dict | None) -> str:
    """The outcome of an answer without errors: `user_error` when a payload carries `userErrors`."""
    for value in (data or {}).values():
        if isinstance(value, dict) and value.get("userErrors"):
            return "user_error"
    return "ok"


async def refresh_outbox_gauges(session_factory, max_attempts: int) -> None:
    """Reads the outbox's state; the database is the one truth across processes."""
    from models import OutboxMessage, utcnow

    unsent = OutboxMessage.sent_at.is_(None)
    live = OutboxMessage.attempts < max_attempts
    async with session_factory() as session:
        row = (
            await session.execute(
                select(
                    func.count().filter(live),
                    func.count().filter(live, OutboxMessage.last_error.is_not(None)),
                    func.count().filter(OutboxMessage.attempts >= max_attempts),
                    func.min(OutboxMessage.created_at).filter(live),
                ).where(unsent)
            )
        ).one()
    backlog, failing, dead, oldest = row
    OUTBOX_BACKLOG.set(backlog)
    OUTBOX_FAILING.set(failing)
    OUTBOX_DEAD.set(dead)
    OUTBOX_OLDEST_AGE.set(max((utcnow() - oldest).total_seconds(), 0.0) if oldest else 0.0)


def metrics_endpoint(session_factory, max_attempts: int):
    async def metrics(_request: Request) -> Response:
        try:
            await refresh_outbox_gauges(session_factory, max_attempts)
        except Exception:  # noqa: BLE001 - the other metrics are still worth serving
            log.warning("could not read the outbox state for /metrics", exc_info=True)
        return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)

    return metrics

"""The request id: one per HTTP request, chosen by `observability.middleware`
(a well-formed incoming `X-Request-ID`, or a fresh one), echoed in the response,
and attached to every log record written while the request is handled, ours
and the libraries' (SPEC 10). Error answers quote it (`extensions.requestId`)
so support can find the request's log lines from what a client shows them."""

from __future__ import annotations

import contextvars
import logging
import re
import uuid

from starlette.types import Scope

HEADER = b"x-request-id"
# Anything else (too long, spaces, control characters) could forge log lines or
# blow up the log: such an id is replaced, not echoed.
WELL_FORMED = re.compile(r"^[A-Za-z0-9._:-]{8,128}$")
OUTSIDE_A_REQUEST = "-"

current: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default=OUTSIDE_A_REQUEST)


def current_request_id() -> str:
    return current.get()


def request_id_from(scope: Scope) -> str:
    for name, value in scope.get("headers", ()):
        if name == HEADER:
            candidate = value.decode("latin-1")
            if WELL_FORMED.match(candidate):
                return candidate
            break
    return uuid.uuid4().hex


def add_request_id(_logger, _name, event: dict) -> dict:
    """structlog processor: the JSON log line's `request_id`."""
    request_id = current.get()
    if request_id != OUTSIDE_A_REQUEST:
        event.setdefault("request_id", request_id)
    return event


_record_factory_installed = False


def install_on_log_records() -> None:
    """Idempotent: every stdlib `LogRecord` carries `record.request_id`, for
    handlers and formatters that are not ours."""
    global _record_factory_installed
    if _record_factory_installed:
        return
    previous = logging.getLogRecordFactory()

    def factory(*args, **kwargs) -> logging.LogRecord:
        record = previous(*args, **kwargs)
        record.request_id = current.get()
        return record

    logging.setLogRecordFactory(factory)
    _record_factory_installed = True

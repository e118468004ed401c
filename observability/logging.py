"""Structured logs on standard error, through structlog: readable, coloured lines
for a person at a terminal (`LOG_FORMAT=console`), one JSON object per line for
machines (`LOG_FORMAT=json`); unset, the format follows whether standard error is
a terminal.

Every record, ours (`logging.getLogger("ownerhub...")` or `structlog.get_logger()`)
and the libraries' (uvicorn, Strawberry, SQLAlchemy), goes through the same
renderer, and carries the `request_id` of the request being handled (set by
`observability.middleware`), so one grep on an id from an `X-Request-ID` response
header finds everything that request logged, including full tracebacks.

Tokens never belong in a log: nothing here logs request bodies or headers.
"""

from __future__ import annotations

import json
import logging
import sys

import structlog

from observability.request_id import OUTSIDE_A_REQUEST, add_request_id, install_on_log_records
from observability.tracing import add_trace_ids

HANDLER_NAME = "ownerhub-log"
CONSOLE = "console"
JSON = "json"
OWN_LOGGERS = ("ownerhub", "uvicorn", "alembic.runtime.migration")

_SHARED_PROCESSORS = [
    add_request_id,
    add_trace_ids,
    structlog.stdlib.add_log_level,
    structlog.stdlib.add_logger_name,
    structlog.processors.TimeStamper(fmt="iso", utc=True),
]


class _StandardErrorHandler(logging.StreamHandler):
    """Writes to whatever `sys.stderr` is at the time of the record (pytest swaps
    it per test; a handler that kept the first one would write to a closed file)."""

    def __init__(self) -> None:
        super().__init__()

    @property
    def stream(self):
        return sys.stderr

    @stream.setter
    def stream(self, _value) -> None:
        pass


def _drop_copies_of_the_message(_logger, _name, event: dict) -> dict:
    event.pop("color_message", None)  # uvicorn's ANSI-coloured copy
    event.pop("message", None)  # set on the record by any handler that formatted it first
    return event


def _drop_empty_request_id(_logger, _name, event: dict) -> dict:
    # Outside a request (start-up, the outbox sender) a console line needs no "request_id=-".
    if event.get("request_id") in (None, OUTSIDE_A_REQUEST):
        event.pop("request_id", None)
    return event


ACCESS_LOGGER = "ownerhub.access"
_access = logging.getLogger(ACCESS_LOGGER)
_access_structlog = structlog.get_logger(ACCESS_LOGGER)
_ACCESS_EVENT = "ownerhub_access_event"  # on the access line's record: its event, processed and plain


def log_request(**fields) -> None:
    """The access log's one `request` line per request, with `fields`: the line the
    structlog logger of `ownerhub.access` would write, field for field and in the
    same order, for about a third of the instructions. The shared processors run
    here. When our JSON handler is the one handler the line reaches (a served
    process), the line goes to it directly, under its lock; otherwise (a test's log
    capture, a handler added by someone) one record carries the processed event and
    what structlog's records carry, so every formatter renders it as one of those
    and ours writes it with one `json.dumps`."""
    if not _access.isEnabledFor(logging.INFO):
        return
    event = {**fields, "event": "request"}
    for processor in _SHARED_PROCESSORS:
        event = processor(_access, "info", event)
    handler = _sole_json_handler()
    if handler is not None:
        handler.acquire()
        try:
            handler.stream.write(json.dumps(event) + handler.terminator)
            handler.stream.flush()
            return
        except RecursionError:  # as StreamHandler.emit
            raise
        except Exception:  # noqa: BLE001 - as StreamHandler.emit: reported by the handler, not raised
            handler.handleError(_access_record(event))
            return
        finally:
            handler.release()
    _access.handle(_access_record(event))


def _access_record(event: dict) -> logging.LogRecord:
    return _access.makeRecord(ACCESS_LOGGER, logging.INFO, "(unknown file)", 0, event, (), None,
                              extra={"_logger": _access, "_name": "info", _ACCESS_EVENT: True})


def _sole_json_handler() -> logging.Handler | None:
    """Our handler in the JSON format when it is the only one an access record
    would reach, with no filter on the way: what it would write, written directly."""
    if _access.filters:
        return None
    found = None
    logger = _access
    while logger is not None:
        for handler in logger.handlers:
            if (found is not None or handler.get_name() != HANDLER_NAME or handler.filters
                    or handler.level > logging.INFO or not isinstance(handler.formatter, _JSONFormatter)):
                return None
            found = handler
        logger = logger.parent if logger.propagate else None
    return found


class _JSONFormatter(structlog.stdlib.ProcessorFormatter):
    def format(self, record: logging.LogRecord) -> str:
        if getattr(record, _ACCESS_EVENT, False):
            return json.dumps(record.msg)  # strings, numbers and None: as the JSON renderer writes them
        return super().format(record)


def formatter(log_format: str) -> logging.Formatter:
    if log_format == CONSOLE:
        final = [
            structlog.stdlib.ProcessorFormatter.remove_processors_meta,
            _drop_empty_request_id,
            # It renders tracebacks itself (format_exc_info would flatten them first).
            structlog.dev.ConsoleRenderer(colors=sys.stderr.isatty()),
        ]
    else:
        final = [
            structlog.stdlib.ProcessorFormatter.remove_processors_meta,
            structlog.processors.format_exc_info,
            structlog.processors.JSONRenderer(sort_keys=False),
        ]
    return (structlog.stdlib.ProcessorFormatter if log_format == CONSOLE else _JSONFormatter)(
        foreign_pre_chain=[*_SHARED_PROCESSORS, structlog.stdlib.ExtraAdder(),
                           _drop_copies_of_the_message],
        processors=final,
    )


def default_format() -> str:
    """Console for a person at a terminal, JSON for a log collector."""
    return CONSOLE if sys.stderr.isatty() else JSON


def configure_logging(log_format: str | None = None, level: int | str = logging.INFO) -> None:
    """Idempotent: installs the handler on the root logger once per process, in
    `log_format` (LOG_FORMAT; None: by whether standard error is a terminal)."""
    install_on_log_records()
    structlog.configure(
        processors=[*_SHARED_PROCESSORS, structlog.stdlib.ProcessorFormatter.wrap_for_formatter],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=True,
    )
    root = logging.getLogger()
    handler = next((handler for handler in root.handlers if handler.get_name() == HANDLER_NAME), None)
    if handler is None:
        handler = _StandardErrorHandler()
        handler.set_name(HANDLER_NAME)
        root.addHandler(handler)
    handler.setFormatter(formatter(log_format or default_format()))
    # Our loggers, uvicorn's and the migrations' at `level`; the root logger (and
    # with it every other library's chatter) stays at its WARNING default.
    for name in OWN_LOGGERS:
        logger = logging.getLogger(name)
        if logger.level == logging.NOTSET:
            logger.setLevel(level)
    # uvicorn's own handlers would print a second, plain-text copy: let its
    # records reach the root logger's handler instead. Its access log is
    # replaced by the one `request` line per request of observability/middleware.py.
    for name in ("uvicorn", "uvicorn.error"):
        logger = logging.getLogger(name)
        logger.handlers.clear()
        logger.propagate = True
    access = logging.getLogger("uvicorn.access")
    access.handlers.clear()
    access.propagate = False

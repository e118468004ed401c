"""A request id for every HTTP request: taken from a well-formed incoming
`X-Request-ID` (a proxy's) or made up, echoed in the response, and attached to
every log record written while the request is handled (SPEC 10)."""

from __future__ import annotations

import contextvars
import logging
import re
import uuid

from starlette.types import ASGIApp, Message, Receive, Scope, Send

HEADER = "x-request-id"
_current: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="-")
_WELL_FORMED = re.compile(r"^[A-Za-z0-9._:-]{8,128}$")

LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s request_id=%(request_id)s %(message)s"


def current_request_id() -> str:
    return _current.get()


class RequestIdMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        incoming = dict(scope["headers"]).get(HEADER.encode(), b"").decode("latin-1")
        request_id = incoming if _WELL_FORMED.match(incoming) else uuid.uuid4().hex
        token = _current.set(request_id)

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = [(k, v) for k, v in message.get("headers", []) if k.lower() != HEADER.encode()]
                headers.append((HEADER.encode(), request_id.encode()))
                message = {**message, "headers": headers}
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            _current.reset(token)


class RequestIdFilter(logging.Filter):
    """Adds `record.request_id`; attached to our loggers and Strawberry's."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            record.request_id = _current.get()
        return True


_FILTER = RequestIdFilter()
LOGGERS = ("ownerhub", "strawberry.execution")


def install_request_id_logging() -> None:
    """Idempotent. Every record of our loggers (and of Strawberry's, which logs the
    full trace of each error) carries the request id; when nothing configured
    logging, a stderr handler prints it."""
    for name in LOGGERS:
        logger = logging.getLogger(name)
        if _FILTER not in logger.filters:
            logger.addFilter(_FILTER)
    root = logging.getLogger()
    if not root.handlers:
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter(LOG_FORMAT))
        handler.addFilter(_FILTER)
        root.addHandler(handler)
        root.setLevel(logging.INFO)

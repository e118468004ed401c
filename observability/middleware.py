"""The request id and the per-request log line and HTTP metrics.

A request id comes in as `X-Request-ID` (set by the load balancer, e.g. nginx's
`$request_id`) when it is well formed, and is made up otherwise
(observability/request_id.py); it goes back out in the response's `X-Request-ID`
and is on every log record written while the request is handled. This is the
only layer that chooses it: the error answers below quote the same id. Pure ASGI, so streaming responses and uploads pass
through untouched.
"""

from __future__ import annotations

import time

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from observability import request_id as request_ids
from observability.logging import log_request
from observability.metrics import HTTP_DURATION, HTTP_IN_PROGRESS, HTTP_REQUESTS, child, route_label

# Probes and scrapes would drown the log: they are counted, not logged.
QUIET_PATHS = frozenset({"/healthz", "/readyz", "/metrics"})


class ObservabilityMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = request_ids.request_id_from(scope)
        header = (request_ids.HEADER, request_id.encode("latin-1"))
        started = time.perf_counter()
        status = 500

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                headers = [(k, v) for k, v in message.get("headers", ()) if k.lower() != request_ids.HEADER]
                headers.append(header)
                message = {**message, "headers": headers}
            await send(message)

        path = scope.get("path", "")
        route = route_label(path)
        in_progress = child(HTTP_IN_PROGRESS, route)
        in_progress.inc()
        token = request_ids.current.set(request_id)
        try:
            await self.app(scope, receive, send_with_id)
        finally:
            in_progress.dec()
            elapsed = time.perf_counter() - started
            child(HTTP_REQUESTS, scope.get("method", ""), route, str(status)).inc()
            child(HTTP_DURATION, route).observe(elapsed)
            if path not in QUIET_PATHS:
                state = scope.get("state") or {}
                log_request(
                    method=scope.get("method"),
                    path=route if route == "other" else path,
                    status=status,
                    duration_ms=round(elapsed * 1000, 1),
                    operation=state.get("graphql_operation"),
                    outcome=state.get("graphql_outcome"),
                )
            request_ids.current.reset(token)

"""App-wide middleware: the request id, and CORS from the `CORS_ORIGINS`
allowlist (SECURITY-CASES 14).

Sessions travel in the `Authorization` header, never in cookies, so the API
never allows credentialed CORS requests: `*` in `CORS_ORIGINS` can therefore
never be combined with credentials, and an origin off the list gets no
`Access-Control-Allow-Origin` at all."""

from __future__ import annotations

from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware

from hardening.request_id import RequestIdMiddleware, install_request_id_logging

ALLOWED_HEADERS = ["Authorization", "Content-Type", "Accept", "Apollo-Require-Preflight", "X-GraphQL-CSRF", "X-Request-ID"]


def hardening_middleware(settings) -> list[Middleware]:
    install_request_id_logging()
    return [
        Middleware(RequestIdMiddleware),
        Middleware(
            CORSMiddleware,
            allow_origins=[origin.rstrip("/") for origin in settings.CORS_ORIGINS],
            allow_methods=["GET", "POST"],
            allow_headers=ALLOWED_HEADERS,
            allow_credentials=False,
            expose_headers=["X-Request-ID"],
            max_age=600,
        ),
    ]

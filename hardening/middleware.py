"""App-wide middleware: CORS from the `CORS_ORIGINS` allowlist (SECURITY-CASES 14),
plus, in development, any `http://localhost:*` or `http://127.0.0.1:*` origin, so
that a single-page app's dev server works with no set-up (`CORS_ALLOW_LOCALHOST`).
The request id is observability's (observability/middleware.py).

Sessions travel in the `Authorization` header; the only cookie, the owner pages'
(owner_pages/session.py), is SameSite=Strict and counts only same-site with a
CSRF header. So the API never allows credentialed CORS requests: `*` in
`CORS_ORIGINS` can never be combined with credentials, and an origin off the
list gets no `Access-Control-Allow-Origin` at all."""

from __future__ import annotations

from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware

from hardening.persisted import load_manifest

ALLOWED_HEADERS = ["Authorization", "Content-Type", "Accept", "Apollo-Require-Preflight", "X-GraphQL-CSRF", "X-Request-ID"]


def hardening_middleware(settings) -> list[Middleware]:
    """The middleware for `create_app`. Also, in `registered` persisted-query mode, loads the manifest so that a missing or
    broken one stops the server at start-up rather than failing every request."""
    if settings.PERSISTED_QUERIES == "registered":
        load_manifest(settings.PERSISTED_QUERIES_MANIFEST)
    return [
        Middleware(
            CORSMiddleware,
            allow_origins=[origin.rstrip("/") for origin in settings.CORS_ORIGINS],
            allow_origin_regex=settings.cors_origin_pattern,
            allow_methods=["GET", "POST"],
            allow_headers=ALLOWED_HEADERS,
            allow_credentials=False,
            expose_headers=["X-Request-ID"],
            max_age=600,
        ),
    ]

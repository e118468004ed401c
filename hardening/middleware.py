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
from starlette.types import Message, Receive, Scope, Send

from hardening.persisted import load_manifest

ALLOWED_HEADERS = ["Authorization", "Content-Type", "Accept", "Apollo-Require-Preflight", "X-GraphQL-CSRF", "X-Request-ID"]


class CORS(CORSMiddleware):
    """Starlette's CORS middleware, which on a request without `Origin` (a mobile
    app's, a server's: most of the API's) only adds `Origin` to the answer's `Vary`:
    that is done here directly, the same header in the same place, without parsing
    the request's headers again for every message sent."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or any(name == b"origin" for name, _ in scope["headers"]):
            await super().__call__(scope, receive, send)
            return

        async def send_varying_on_origin(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = vary_on_origin(list(message.get("headers", ())))
            await send(message)

        await self.app(scope, receive, send_varying_on_origin)


def vary_on_origin(headers: list[tuple[bytes, bytes]]) -> list[tuple[bytes, bytes]]:
    """`Origin` added to `Vary` as Starlette's `MutableHeaders` writes it: the values
    joined into the first `vary` header, later ones removed, or one appended."""
    found = [index for index, (name, _) in enumerate(headers) if name == b"vary"]
    value = b", ".join([*(headers[index][1] for index in found), b"Origin"])
    for index in reversed(found[1:]):
        del headers[index]
    if found:
        headers[found[0]] = (b"vary", value)
    else:
        headers.append((b"vary", value))
    return headers


def hardening_middleware(settings) -> list[Middleware]:
    """The middleware for `create_app`. Also, in `registered` persisted-query mode, loads the manifest so that a missing or
    broken one stops the server at start-up rather than failing every request."""
    if settings.PERSISTED_QUERIES == "registered":
        load_manifest(settings.PERSISTED_QUERIES_MANIFEST)
    return [
        Middleware(
            CORS,
            allow_origins=[origin.rstrip("/") for origin in settings.CORS_ORIGINS],
            allow_origin_regex=settings.cors_origin_pattern,
            allow_methods=["GET", "POST"],
            allow_headers=ALLOWED_HEADERS,
            allow_credentials=False,
            expose_headers=["X-Request-ID"],
            max_age=600,
        ),
    ]

"""The owner pages' session cookie, and when `/graphql` may take a session from it.

Scripts can read `localStorage`, and an address bar leaks through history and
referrers, so the pages keep the session token in a cookie that no script can read
(HttpOnly) and that the browser sends only with requests started on this site
(SameSite=Strict). A browser sends a cookie on its own, which is what makes
cross-site request forgery possible, so a cookie counts only under the CSRF rules
that SPEC 9 sets for uploads (media/transport.py): the request carries a non-simple
header (`X-GraphQL-CSRF` or `Apollo-Require-Preflight`, which another site cannot
send without a CORS preflight, and our preflights never allow credentials), and
its `Origin`, when the browser sends one, is an allowed one (`CORS_ORIGINS`, the
origin of `APP_URL`, where these pages live, or localhost in development).
Otherwise the cookie is ignored and the request is anonymous. An `Authorization` header always wins over the cookie.

`/owner-session` sets and clears the cookie: `POST {"token": ...}` for a live owner
session (a builder's session is refused: these pages are the owner's), `DELETE` to
sign out of the browser. Both follow the same header and origin rule, so another
site can neither sign a visitor in to an account of its choosing nor out."""

from __future__ import annotations

import json
from collections.abc import Mapping

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from db.engine import ReadConnection
from media.transport import CSRF_HEADERS, AllowedOrigins, origin_of
from services.accounts import viewer_for_token
from settings import Settings

COOKIE = "ownerhub_session"
PATH = "/owner-session"
MAX_BODY_BYTES = 4096  # {"token": "<43 characters>"} with room to spare


def csrf_refusal(headers: Mapping[str, str], allowed_origins: AllowedOrigins) -> str | None:
    """Why a cookie must not count for this request, or None when it may."""
    if not any(headers.get(name, "").strip() for name in CSRF_HEADERS):
        return "Send an `X-GraphQL-CSRF` header with a request that relies on the session cookie."
    origin = headers.get("origin")
    if origin is not None and origin_of(origin) not in allowed_origins:
        return "The session cookie is not accepted from this origin: open the pages at APP_URL."
    return None


def cookie_session_token(request: Request, allowed_origins: AllowedOrigins) -> str | None:
    """The session token of the cookie, when the request may use it."""
    token = request.cookies.get(COOKIE)
    if not token or csrf_refusal(request.headers, allowed_origins) is not None:
        return None
    return token


def session_endpoint(settings: Settings, allowed_origins: AllowedOrigins):
    """`/owner-session`: POST sets the cookie for a live owner session, DELETE clears it."""
    max_age = settings.SESSION_TTL_HOURS * 3600
    secure_app = settings.APP_URL.lower().startswith("https:")

    async def endpoint(request: Request) -> Response:
        refusal = csrf_refusal(request.headers, allowed_origins)
        if refusal is not None:
            return _error(403, refusal)
        secure = secure_app or request.url.scheme == "https"
        if request.method == "DELETE":
            response = Response(status_code=204, headers={"cache-control": "no-store"})
            response.delete_cookie(COOKIE, path="/", secure=secure, httponly=True, samesite="strict")
            return response
        token = await _token_of(request)
        if token is None:
            return _error(400, 'Send {"token": "<session token>"} as application/json.')
        async with ReadConnection(request.app.state.read_engine) as connection:
            viewer = await viewer_for_token(connection, token)
        if viewer is None:
            return _error(401, "This session has ended. Sign in again.")
        if viewer.kind != "OWNER":
            return _error(403, "These pages are for homeowners. Builder staff use their own app or GraphiQL.")
        response = Response(status_code=204, headers={"cache-control": "no-store"})
        response.set_cookie(
            COOKIE, token, max_age=max_age, path="/", secure=secure, httponly=True, samesite="strict"
        )
        return response

    return endpoint


async def _token_of(request: Request) -> str | None:
    if request.headers.get("content-type", "").split(";")[0].strip().lower() != "application/json":
        return None
    body = b""
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_BODY_BYTES:
            return None
    try:
        token = json.loads(body).get("token")
    except (ValueError, AttributeError):
        return None
    return token if isinstance(token, str) and token.strip() else None


def _error(status: int, message: str) -> Response:
    return JSONResponse({"error": message}, status_code=status, headers={"cache-control": "no-store"})

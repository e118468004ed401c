"""The routes of the owner pages: one HTML shell per page (`PAGES`), the ES modules and the
stylesheet under `/owner-assets/`, the session cookie endpoint, and `/` (the link
in job notifications) leading to `/me`. None of them exists when `OWNER_PAGES` is
off: deployments whose `APP_URL` is a separate web app answer 404 there, as before.

A page is `pages/layout.html` around `pages/<name>.html`, put together once at
start-up. Its script is `static/<name>.js`, an ES module that talks to `/graphql`
like any other client."""

from __future__ import annotations

from pathlib import Path

from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles

from hardening.graphiql import CONTENT_SECURITY_POLICY
from media.transport import AllowedOrigins
from owner_pages.session import PATH as SESSION_PATH
from owner_pages.session import session_endpoint
from settings import Settings

HERE = Path(__file__).resolve().parent
ASSETS_PREFIX = "/owner-assets"

# path -> (page name, title)
PAGES = {
    "/accept-invite": ("accept-invite", "Accept your invite"),
    "/reset-password": ("reset-password", "Choose a new password"),
    "/forgot-password": ("forgot-password", "Forgot your password"),
    "/sign-in": ("sign-in", "Sign in"),
    "/me": ("me", "Your profile"),
    "/confirm-email": ("confirm-email", "Confirm your new email address"),
}

PAGE_HEADERS = {
    "content-security-policy": CONTENT_SECURITY_POLICY,
    "x-content-type-options": "nosniff",
    # The invite and reset pages carry a token in their address: no referrer leaks it.
    "referrer-policy": "no-referrer",
    "cache-control": "no-store",
    "x-frame-options": "DENY",
}


class OwnerAssets(StaticFiles):
    """The pages' modules and stylesheet: revalidated on every load (their names
    carry no version), never sniffed as another type."""

    def file_response(self, *args, **kwargs) -> Response:
        response = super().file_response(*args, **kwargs)
        response.headers["x-content-type-options"] = "nosniff"
        response.headers["cache-control"] = "no-cache"
        return response


def render_page(name: str, title: str) -> str:
    layout = (HERE / "pages" / "layout.html").read_text(encoding="utf-8")
    main = (HERE / "pages" / f"{name}.html").read_text(encoding="utf-8")
    return (
        layout.replace("{{title}}", title)
        .replace("{{assets}}", ASSETS_PREFIX)
        .replace("{{script}}", f"{ASSETS_PREFIX}/{name}.js")
        .replace("{{main}}", main.strip())
    )


def _page_endpoint(html: str):
    async def page(_request: Request) -> Response:
        return HTMLResponse(html, headers=PAGE_HEADERS)

    return page


async def _home(_request: Request) -> Response:
    return RedirectResponse("/me", status_code=302)


def owner_page_routes(settings: Settings, allowed_origins: AllowedOrigins) -> list[BaseRoute]:
    """The routes for `create_app`; none when `OWNER_PAGES` is off."""
    if not settings.OWNER_PAGES:
        return []
    pages: list[BaseRoute] = [
        Route(path, _page_endpoint(render_page(name, title)), methods=["GET", "HEAD"])
        for path, (name, title) in PAGES.items()
    ]
    return [
        *pages,
        Route("/", _home, methods=["GET", "HEAD"]),
        Route(SESSION_PATH, session_endpoint(settings, allowed_origins), methods=["POST", "DELETE"]),
        Mount(ASSETS_PREFIX, OwnerAssets(directory=HERE / "static"), name="owner-assets"),
    ]

"""GraphiQL served by the server itself, with no CDN at run time (SPEC 10).

Its assets (GraphiQL 3's UMD build and React 18) come from the npm registry at
setup time (`make assets`, `tools/setup_node.sh`) into `static/graphiql/`, which
is not committed; the page's own script is `hardening/static/graphiql-init.js`.
The page opens with the Headers pane, where an `Authorization: Bearer <token>`
header is typed. A strict Content-Security-Policy proves nothing else loads."""

from __future__ import annotations

from pathlib import Path

from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles

ROOT = Path(__file__).resolve().parent.parent
ASSETS_DIR = ROOT / "static" / "graphiql"
INIT_SCRIPT = Path(__file__).resolve().parent / "static" / "graphiql-init.js"
PREFIX = "/graphiql"

CONTENT_SECURITY_POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; font-src 'self' data:; connect-src 'self'; "
    "base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
)

PAGE = """<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>OwnerHub GraphiQL</title>
  <link rel="stylesheet" href="{prefix}/assets/graphiql.min.css">
  <style>html, body, #graphiql {{ height: 100%; margin: 0; }}</style>
</head>
<body>
  <div id="graphiql" data-endpoint="{endpoint}">Loading GraphiQL…</div>
  <script src="{prefix}/assets/react.production.min.js"></script>
  <script src="{prefix}/assets/react-dom.production.min.js"></script>
  <script src="{prefix}/assets/graphiql.min.js"></script>
  <script src="{prefix}/init.js"></script>
</body>
</html>
"""


def graphiql_page(request: Request) -> Response:
    html = PAGE.format(prefix=PREFIX, endpoint=request.url.path)
    return HTMLResponse(
        html,
        headers={
            "content-security-policy": CONTENT_SECURITY_POLICY,
            "x-content-type-options": "nosniff",
            "referrer-policy": "no-referrer",
            "cache-control": "no-store",
        },
    )


async def _init_script(_request: Request) -> Response:
    return FileResponse(INIT_SCRIPT, media_type="text/javascript", headers={"x-content-type-options": "nosniff"})


def graphiql_routes(enabled: bool) -> list[BaseRoute]:
    """The asset routes, only when GraphiQL is on."""
    if not enabled:
        return []
    return [
        Route(f"{PREFIX}/init.js", _init_script, methods=["GET", "HEAD"]),
        Mount(f"{PREFIX}/assets", StaticFiles(directory=ASSETS_DIR, check_dir=False), name="graphiql-assets"),
    ]

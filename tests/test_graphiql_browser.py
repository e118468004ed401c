"""GraphiQL works offline in a real browser (SPEC 10): headless Chromium opens
/graphql on a live `ownerhub serve`, types a Bearer header in the Headers pane,
runs a query and sees the signed-in user. Every asset comes from the server
itself: the page's Content-Security-Policy allows no other origin, and the test
records any request that leaves 127.0.0.1."""

from __future__ import annotations

import json
import os
import shutil
from urllib.parse import urlparse

import pytest

from hardening_support import start_live_server, stop_live_server

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
QUERY = "query WhoAmI { me { ... on BuilderUser { username role } } }"


@pytest.fixture(scope="module")
def live_server(settings, tmp_path_factory):
    server = start_live_server(settings, tmp_path_factory.mktemp("browser"))
    yield server
    stop_live_server(server)


def chromium_or_fail() -> str:
    # CI installs Debian's chromium (.ci/run); a missing browser fails the test.
    path = CHROMIUM if os.path.exists(CHROMIUM) else shutil.which("chromium")
    assert path, f"Chromium not found at {CHROMIUM}: apt-get install -y chromium"
    return path


async def test_graphiql_runs_a_query_with_a_bearer_header_typed_in_the_headers_pane(live_server, builder):
    from playwright.async_api import async_playwright

    executable = chromium_or_fail()
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=executable, args=["--no-sandbox"])
        try:
            page = await browser.new_page()
            foreign, console_errors = [], []
            page.on("request", lambda r: foreign.append(r.url) if urlparse(r.url).hostname != "127.0.0.1" else None)
            page.on("console", lambda m: console_errors.append(m.text) if m.type == "error" else None)

            response = await page.goto(live_server.graphql_url)
            assert response.status == 200
            assert "default-src 'none'" in response.headers["content-security-policy"]
            await page.wait_for_selector(".graphiql-container", timeout=30_000)

            # The Headers pane is open: type the header as a person would.
            headers_editor = page.locator(".graphiql-editor-tool .graphiql-editor").last
            await headers_editor.click()
            await page.keyboard.type(json.dumps({"Authorization": f"Bearer {builder.token}"}))
            typed = await page.evaluate(
                "() => [...document.querySelectorAll('.graphiql-editor-tool .CodeMirror')].pop().CodeMirror.getValue()"
            )
            assert json.loads(typed) == {"Authorization": f"Bearer {builder.token}"}

            # The query editor's own API, so that auto-closed brackets do not double.
            await page.evaluate(
                "(q) => document.querySelector('.graphiql-query-editor .CodeMirror').CodeMirror.setValue(q)", QUERY
            )
            await page.click(".graphiql-execute-button")
            result = page.locator(".graphiql-response")
            await result.get_by_text(builder.username).wait_for(timeout=30_000)
            shown = await page.evaluate(
                "() => document.querySelector('.graphiql-response .CodeMirror').CodeMirror.getValue()"
            )
            assert json.loads(shown) == {"data": {"me": {"username": builder.username, "role": "ADMIN"}}}
            assert foreign == []
            assert not [e for e in console_errors if "favicon" not in e and "404" not in e]
        finally:
            await browser.close()


async def test_graphiql_assets_are_served_by_the_server(live_server):
    import httpx

    async with httpx.AsyncClient(base_url=live_server.url) as http:
        for path in ("/graphiql/init.js", "/graphiql/assets/graphiql.min.js", "/graphiql/assets/graphiql.min.css",
                     "/graphiql/assets/react.production.min.js", "/graphiql/assets/react-dom.production.min.js"):
            response = await http.get(path)
            assert response.status_code == 200, f"{path}: run tools/setup_node.sh (make assets)"

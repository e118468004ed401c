"""The owner pages over HTTP (their browser test is test_owner_pages_browser.py):
every page under GraphiQL's Content-Security-Policy with no inline script and only
its own assets; `OWNER_PAGES=off` answering 404 as before; the session cookie set
by `/owner-session` (HttpOnly, SameSite=Strict) and counted by /graphql only under
the CSRF rules of SPEC 9 (a non-simple header, an allowed origin)."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest

from conftest import gql
from hardening.graphiql import CONTENT_SECURITY_POLICY
from hardening_support import app_client
from owner_pages.routes import PAGES
from owner_pages.session import COOKIE
from settings import Settings

ME = "{ me { __typename } }"
CSRF = {"X-GraphQL-CSRF": "1"}
APP_ORIGIN = "https://app.example.test"  # the origin of APP_URL in the test settings


class Tags(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags: list[tuple[str, dict]] = []
        self.script_text = ""
        self._in_script = False

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        self._in_script = tag == "script"

    def handle_endtag(self, tag):
        self._in_script = False

    def handle_data(self, data):
        if self._in_script:
            self.script_text += data.strip()


def cookie_header(token: str) -> dict:
    return {"Cookie": f"{COOKIE}={token}"}


async def me_typename(client, headers: dict) -> str | None:
    body = (await client.post("/graphql", json={"query": ME}, headers=headers)).json()
    me = body["data"]["me"]
    return me and me["__typename"]


@pytest.mark.parametrize("path", list(PAGES))
async def test_each_page_loads_only_its_own_files_under_the_strict_policy(client, path):
    response = await client.get(path)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert response.headers["content-security-policy"] == CONTENT_SECURITY_POLICY
    assert response.headers["referrer-policy"] == "no-referrer"
    assert response.headers["cache-control"] == "no-store"

    page = Tags()
    page.feed(response.text)
    assert page.script_text == ""  # no inline script
    assert not [attrs for _, attrs in page.tags if any(name.startswith("on") or name == "style" for name in attrs)]
    scripts = [attrs for tag, attrs in page.tags if tag == "script"]
    assert [s.get("type") for s in scripts] == ["module"]
    files = [attrs.get("src") or attrs.get("href") for tag, attrs in page.tags if tag in ("script", "link")]
    for file in files:
        if file.startswith("data:"):
            continue  # the empty favicon, so the browser asks for no /favicon.ico
        assert file.startswith("/owner-assets/"), file
        asset = await client.get(file)
        assert asset.status_code == 200, file
        assert asset.headers["x-content-type-options"] == "nosniff"
        expected = "text/javascript" if file.endswith(".js") else "text/css"
        assert asset.headers["content-type"].startswith(expected)


async def test_the_modules_import_only_each_other(client):
    for name in ("api", "forms", "session-form", "confirm-email", "accept-invite", "sign-in", "forgot-password", "reset-password", "me"):
        source = (await client.get(f"/owner-assets/{name}.js")).text
        for specifier in re.findall(r"^import .* from '([^']+)';$", source, flags=re.M):
            assert specifier.startswith("./"), (name, specifier)
            assert (await client.get(f"/owner-assets/{specifier[2:]}")).status_code == 200


async def test_the_link_of_job_notifications_leads_to_the_profile(client):
    response = await client.get("/", follow_redirects=False)
    assert response.status_code == 302
    assert response.headers["location"] == "/me"


async def test_with_owner_pages_off_the_paths_answer_404_and_the_cookie_counts_for_nothing(settings, owner):
    async with app_client(settings, OWNER_PAGES=False) as http:
        for path in [*PAGES, "/", "/owner-assets/me.js", "/owner-assets/owner.css"]:
            assert (await http.get(path)).status_code == 404, path
        refused = await http.post("/owner-session", json={"token": owner.token}, headers=CSRF)
        assert refused.status_code == 404
        assert "set-cookie" not in refused.headers
        assert await me_typename(http, {**CSRF, **cookie_header(owner.token)}) is None


def test_owner_pages_setting_reads_off_from_the_environment(monkeypatch):
    monkeypatch.setenv("OWNER_PAGES", "off")
    assert Settings(_env_file=None).OWNER_PAGES is False
    monkeypatch.delenv("OWNER_PAGES")
    assert Settings(_env_file=None).OWNER_PAGES is True


async def test_an_owner_session_goes_into_an_httponly_strict_cookie(client, owner):
    response = await client.post("/owner-session", json={"token": owner.token}, headers={**CSRF, "Origin": APP_ORIGIN})
    assert response.status_code == 204
    assert response.content == b""
    cookie = response.headers["set-cookie"]
    attributes = {part.strip().split("=")[0].lower() for part in cookie.split(";")}
    assert cookie.startswith(f"{COOKIE}={owner.token};")
    assert {"httponly", "secure", "path", "max-age"} <= attributes
    assert "samesite=strict" in cookie.lower()
    assert "path=/;" in cookie.lower() + ";"


@pytest.mark.parametrize(
    ("headers", "status"),
    [
        ({}, 403),  # no non-simple header: a cross-site form could have sent it
        ({**CSRF, "Origin": "https://evil.example"}, 403),
        ({**CSRF, "Origin": "null"}, 403),
    ],
    ids=["no-csrf-header", "foreign-origin", "null-origin"],
)
async def test_the_session_endpoint_follows_the_csrf_rules(client, owner, headers, status):
    response = await client.post("/owner-session", json={"token": owner.token}, headers=headers)
    assert response.status_code == status
    assert "set-cookie" not in response.headers
    deleted = await client.delete("/owner-session", headers=headers)
    assert deleted.status_code == status
    assert "set-cookie" not in deleted.headers


async def test_the_session_endpoint_keeps_only_live_owner_sessions(client, owner, builder):
    cases = [
        ({"token": "not-a-session"}, 401),
        ({"token": builder.token}, 403),  # these pages are the owner's
        ({"token": ""}, 400),
        ({"nothing": 1}, 400),
    ]
    for body, status in cases:
        response = await client.post("/owner-session", json=body, headers=CSRF)
        assert response.status_code == status, body
        assert "error" in response.json()
        assert "set-cookie" not in response.headers
    text = await client.post("/owner-session", content=owner.token, headers={**CSRF, "Content-Type": "text/plain"})
    assert text.status_code == 400


async def test_signing_out_clears_the_cookie(client):
    response = await client.delete("/owner-session", headers=CSRF)
    assert response.status_code == 204
    cookie = response.headers["set-cookie"].lower()
    assert cookie.startswith(f"{COOKIE}=") and "max-age=0" in cookie and "httponly" in cookie


@pytest.mark.parametrize(
    ("extra", "viewer"),
    [
        ({**CSRF}, "OwnerUser"),
        ({"Apollo-Require-Preflight": "true", "Origin": APP_ORIGIN}, "OwnerUser"),
        ({}, None),  # the cookie alone is never enough
        ({**CSRF, "Origin": "https://evil.example"}, None),
    ],
    ids=["csrf-header", "preflight-header-app-origin", "cookie-alone", "foreign-origin"],
)
async def test_graphql_counts_the_cookie_only_under_the_csrf_rules(client, owner, extra, viewer):
    assert await me_typename(client, {**cookie_header(owner.token), **extra}) == viewer


async def test_an_authorization_header_wins_over_the_cookie(client, owner, builder):
    headers = {**CSRF, **cookie_header(owner.token), "Authorization": f"Bearer {builder.token}"}
    assert await me_typename(client, headers) == "BuilderUser"


async def test_a_mutation_through_the_cookie_acts_as_the_owner(client, owner):
    body = (await client.post(
        "/graphql",
        json={"query": "mutation { updateNotificationPreferences(input: {smsOptIn: true}) { contact { smsOptIn } userErrors { code } } }"},
        headers={**CSRF, **cookie_header(owner.token)},
    )).json()
    assert body["data"]["updateNotificationPreferences"] == {"contact": {"smsOptIn": True}, "userErrors": []}
    # Without the header the same cookie is anonymous, and nothing is written.
    refused = (await client.post(
        "/graphql",
        json={"query": "mutation { updateNotificationPreferences(input: {smsOptIn: false}) { contact { smsOptIn } } }"},
        headers=cookie_header(owner.token),
    )).json()
    assert refused["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    me = await gql(client, "{ me { ... on OwnerUser { contact { smsOptIn } } } }", token=owner.token)
    assert me["data"]["me"]["contact"]["smsOptIn"] is True

"""GraphQL over HTTP, CSRF, CORS and the transport limits (SPEC 9;
SECURITY-CASES 6, 10-12, 14, 15)."""

from __future__ import annotations

import asyncio
import sqlite3
import time

import httpx
import pytest
from sqlalchemy import func, select, text
from starlette.middleware.cors import CORSMiddleware
from sqlalchemy.engine import make_url

from db.engine import is_sqlite
from conftest import wait_until_ready
from hardening.middleware import CORS
from hardening_support import app_client, post
from models import Contact

CREATE = """mutation($input: CreateContactInput!) {
  createContact(input: $input) { contact { id } userErrors { code } } }"""
GRAPHQL_RESPONSE = "application/graphql-response+json"


async def contact_count(app) -> int:
    async with app.state.session_factory() as session:
        return (await session.execute(select(func.count()).select_from(Contact))).scalar_one()


def create_body(name="Dana") -> bytes:
    import json

    return json.dumps({"query": CREATE, "variables": {"input": {"firstName": name}}}).encode()


# -- Content negotiation and status codes -------------------------------------


@pytest.mark.parametrize(
    ("accept", "media_type"),
    [
        (None, "application/json"),
        ("*/*", "application/json"),
        ("application/json", "application/json"),
        (GRAPHQL_RESPONSE, GRAPHQL_RESPONSE),
        (f"application/json;q=0.9, {GRAPHQL_RESPONSE}", GRAPHQL_RESPONSE),
        (f"{GRAPHQL_RESPONSE};q=0.5, application/json", "application/json"),
    ],
)
async def test_response_media_type_follows_accept(client, accept, media_type):
    headers = {"accept": accept} if accept else {}
    response = await post(client, "{ __typename }", headers=headers)
    assert response.status_code == 200
    assert response.headers["content-type"] == f"{media_type}; charset=utf-8"
    assert response.json() == {"data": {"__typename": "Query"}}


@pytest.mark.parametrize("document", ["{", "{ noSuchField }"])
async def test_request_errors_are_400_without_data_under_graphql_response_json(client, document):
    response = await post(client, document, headers={"accept": GRAPHQL_RESPONSE})
    assert response.status_code == 400
    assert response.headers["content-type"].startswith(GRAPHQL_RESPONSE)
    assert "data" not in response.json() and response.json()["errors"]


@pytest.mark.parametrize("document", ["{", "{ noSuchField }"])
async def test_request_errors_are_200_without_data_under_application_json(client, document):
    response = await post(client, document, headers={"accept": "application/json"})
    assert response.status_code == 200
    assert "data" not in response.json() and response.json()["errors"]


async def test_variable_coercion_failure_is_a_request_error(client):
    response = await post(client, "query($id: ID!) { __typename }", {"id": None}, headers={"accept": GRAPHQL_RESPONSE})
    assert response.status_code == 400
    assert "data" not in response.json()


async def test_a_field_error_keeps_data_and_status_200(client):
    # A permission error during execution is not a request error.
    response = await post(client, "{ contacts(first: 1) { totalCount } }", headers={"accept": GRAPHQL_RESPONSE})
    assert response.status_code == 200
    body = response.json()
    assert "data" in body and body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


async def test_queries_work_with_get(client, builder):
    response = await client.get(
        "/graphql", params={"query": "{ me { __typename } }"}, headers={"authorization": f"Bearer {builder.token}"}
    )
    assert response.json() == {"data": {"me": {"__typename": "BuilderUser"}}}


async def test_every_response_has_a_request_id(client):
    response = await post(client, "{ __typename }")
    assert len(response.headers["x-request-id"]) >= 16
    echoed = await post(client, "{ __typename }", headers={"x-request-id": "lb-0123456789abcdef"})
    assert echoed.headers["x-request-id"] == "lb-0123456789abcdef"
    forged = await post(client, "{ __typename }", headers={"x-request-id": "bad id\nwith newline"})
    assert forged.headers["x-request-id"] != "bad id\nwith newline"


# -- CSRF (cases 11 and 12) ----------------------------------------------------


@pytest.mark.parametrize("content_type", ["text/plain", "application/x-www-form-urlencoded", None])
async def test_case_11_a_mutation_posted_without_a_json_content_type_is_refused(app, client, builder, content_type):
    headers = {"authorization": f"Bearer {builder.token}"}
    if content_type:
        headers["content-type"] = content_type
    response = await client.post("/graphql", content=create_body(), headers=headers)
    assert response.status_code in (400, 415)
    assert await contact_count(app) == 0


async def test_case_11_a_form_encoded_mutation_is_refused(app, client, builder):
    response = await client.post(
        "/graphql", data={"query": CREATE, "variables": '{"input": {"firstName": "Dana"}}'},
        headers={"authorization": f"Bearer {builder.token}"},
    )
    assert response.status_code == 415
    assert await contact_count(app) == 0


async def test_case_12_a_mutation_sent_with_get_is_refused(app, client, builder):
    response = await client.get(
        "/graphql",
        params={"query": CREATE, "variables": '{"input": {"firstName": "Dana"}}'},
        headers={"authorization": f"Bearer {builder.token}"},
    )
    assert response.status_code == 405
    assert "POST" in response.headers["allow"]
    assert await contact_count(app) == 0


async def test_a_mutation_with_post_and_json_is_accepted(app, builder):
    body = await builder.gql(CREATE, {"input": {"firstName": "Dana"}})
    assert body["data"]["createContact"]["contact"]["id"]
    assert await contact_count(app) == 1


# -- Case 6 (batching) is in test_hardening_limits.py. Body cap ---------------


async def test_a_body_over_the_cap_is_refused_while_reading(settings, client):
    async with app_client(settings, MAX_BODY_BYTES=1_000) as small:
        padding = "x" * 2_000
        response = await post(small, "{ __typename }", {"padding": padding})
        assert response.status_code == 413

        async def chunks():
            # No Content-Length: the cap holds while the body streams in.
            yield b'{"query": "{ __typename }", "variables": {"padding": "'
            for _ in range(10):
                yield b"y" * 500
            yield b'"}}'

        streamed = await small.post("/graphql", content=chunks(), headers={"content-type": "application/json"})
        assert streamed.status_code == 413
        assert "content-length" not in {k.lower() for k in streamed.request.headers}
        assert (await post(small, "{ __typename }")).status_code == 200


async def test_a_lying_content_length_does_not_lift_the_cap(settings):
    async with app_client(settings, MAX_BODY_BYTES=1_000) as small:
        body = create_body("x" * 3_000)
        sent = []

        async def receive_app(scope, receive, send):  # the ASGI app, fed by hand
            await small.app(scope, receive, send)

        scope = {
            "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "POST",
            "scheme": "http", "path": "/graphql", "raw_path": b"/graphql", "query_string": b"",
            "root_path": "", "server": ("testserver", 80), "client": ("127.0.0.1", 1234),
            "headers": [(b"content-type", b"application/json"), (b"content-length", b"10"), (b"host", b"testserver")],
        }
        messages = iter([{"type": "http.request", "body": body[i : i + 500], "more_body": i + 500 < len(body)}
                         for i in range(0, len(body), 500)])

        async def receive():
            return next(messages, {"type": "http.disconnect"})

        async def send(message):
            sent.append(message)

        await receive_app(scope, receive, send)
        assert sent[0]["status"] == 413


# -- Case 10: the request timeout ---------------------------------------------


CUT_OFF_SECONDS = 2.0


async def test_case_10_a_request_slower_than_the_timeout_is_cut_off(app, settings, builder):
    """A mutation stuck behind a lock held by someone else is cut off after the
    timeout; nothing is written and the process answers the next requests.

    The timeout leaves a loaded machine time for the requests that must get
    through (the next ones); the stuck one is answered no earlier than it (so it
    is this timeout that cut it off), and the test gives up on an answer long
    after it (none comes without a timeout: the lock is never released). On
    SQLite the stuck BEGIN IMMEDIATE holds the driver's thread until the busy
    timeout (db/engine.py, 30 s) gives up; the answer must not wait for that."""
    url = make_url(settings.DATABASE_URL)
    async with app_client(settings, REQUEST_TIMEOUT_SECONDS=CUT_OFF_SECONDS) as impatient:
        await wait_until_ready(impatient)
        if is_sqlite(settings.DATABASE_URL):
            blocker = sqlite3.connect(url.database, timeout=30, isolation_level=None)
            blocker.execute("BEGIN IMMEDIATE")
            release = blocker.rollback
        else:
            connection = await app.state.engine.connect()
            transaction = await connection.begin()
            await connection.execute(text("LOCK TABLE contacts IN EXCLUSIVE MODE"))

            async def release_pg():
                await transaction.rollback()
                await connection.close()

            release = release_pg
        try:
            sent_at = time.monotonic()
            response = await asyncio.wait_for(impatient.post(
                "/graphql", content=create_body(), headers={
                    "content-type": "application/json", "authorization": f"Bearer {builder.token}"},
            ), 60)
            waited = time.monotonic() - sent_at
        finally:
            result = release()
            if asyncio.iscoroutine(result):
                await result
            if is_sqlite(settings.DATABASE_URL):
                blocker.close()
        assert response.status_code == 503
        assert response.json()["errors"][0]["extensions"]["code"] == "TIMEOUT"
        assert "may or may not have been saved" in response.json()["errors"][0]["message"]
        assert CUT_OFF_SECONDS <= waited < CUT_OFF_SECONDS + 15
        assert (await post(impatient, "{ __typename }")).json() == {"data": {"__typename": "Query"}}
        after = await post(impatient, CREATE, {"input": {"firstName": "Later"}}, token=builder.token)
        assert after.json()["data"]["createContact"]["contact"]["id"]
    async with app.state.session_factory() as session:
        names = (await session.execute(select(Contact.first_name))).scalars().all()
    assert names == ["Later"]


# -- Case 14: CORS -------------------------------------------------------------


async def test_case_14_cors_allows_only_listed_origins_and_never_credentials(settings):
    async with app_client(settings, CORS_ORIGINS=["https://app.example.test"]) as client:
        preflight = await client.options("/graphql", headers={
            "origin": "https://app.example.test", "access-control-request-method": "POST",
            "access-control-request-headers": "authorization, content-type"})
        assert preflight.status_code == 200
        assert preflight.headers["access-control-allow-origin"] == "https://app.example.test"
        assert "access-control-allow-credentials" not in preflight.headers
        assert "authorization" in preflight.headers["access-control-allow-headers"].lower()

        simple = await post(client, "{ __typename }", headers={"origin": "https://app.example.test"})
        assert simple.headers["access-control-allow-origin"] == "https://app.example.test"

        foreign = await post(client, "{ __typename }", headers={"origin": "https://evil.example"})
        assert "access-control-allow-origin" not in foreign.headers
        foreign_preflight = await client.options("/graphql", headers={
            "origin": "https://evil.example", "access-control-request-method": "POST"})
        assert "access-control-allow-origin" not in foreign_preflight.headers
        assert foreign_preflight.status_code == 400


async def test_case_14_a_wildcard_is_never_combined_with_credentials(settings):
    async with app_client(settings, CORS_ORIGINS=["*"]) as client:
        response = await post(client, "{ __typename }", headers={"origin": "https://anywhere.example", "cookie": "a=b"})
        assert response.headers["access-control-allow-origin"] == "*"
        assert "access-control-allow-credentials" not in response.headers
        preflight = await client.options("/graphql", headers={
            "origin": "https://anywhere.example", "access-control-request-method": "POST"})
        assert preflight.headers.get("access-control-allow-credentials") is None


@pytest.mark.parametrize("varies", [[], [b"Accept"], [b"Authorization, Cookie", b"Accept"]])
@pytest.mark.parametrize("origin", [None, "https://app.example.test", "https://evil.example"])
async def test_case_14_cors_headers_are_starlettes_to_the_byte(varies, origin):
    """hardening/middleware.py answers a request without `Origin` itself: with the
    headers Starlette's CORS middleware gives, in the same order."""

    async def endpoint(scope, receive, send):
        headers = [(b"content-type", b"text/plain"), *((b"vary", value) for value in varies), (b"x-other", b"1")]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": b"ok"})

    answers = []
    for middleware in (CORS, CORSMiddleware):
        app = middleware(endpoint, allow_origins=["https://app.example.test"], expose_headers=["X-Request-ID"])
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test") as http:
            answer = await http.post("/", headers={"origin": origin} if origin else {})
            answers.append((answer.status_code, answer.headers.raw, answer.content))
    assert answers[0] == answers[1]


async def test_no_cors_headers_by_default(client):
    response = await post(client, "{ __typename }", headers={"origin": "https://app.example.test"})
    assert "access-control-allow-origin" not in response.headers


# -- Case 15: subscriptions ----------------------------------------------------


async def test_case_15_there_is_no_subscription_endpoint(app, client):
    """The schema has no subscriptions, so no WebSocket endpoint exists: a
    handshake on /graphql, with either protocol, is closed without being accepted."""
    body = (await post(client, "{ __schema { subscriptionType { name } } }")).json()
    assert body == {"data": {"__schema": {"subscriptionType": None}}}
    for protocol in ("graphql-transport-ws", "graphql-ws"):
        sent = []
        scope = {
            "type": "websocket", "asgi": {"version": "3.0"}, "scheme": "ws", "path": "/graphql",
            "raw_path": b"/graphql", "query_string": b"", "root_path": "", "server": ("testserver", 80),
            "client": ("127.0.0.1", 1234), "subprotocols": [protocol],
            "headers": [(b"host", b"testserver"), (b"sec-websocket-protocol", protocol.encode())],
        }
        incoming = iter([{"type": "websocket.connect"}])

        async def receive():
            return next(incoming, {"type": "websocket.disconnect", "code": 1000})

        async def send(message):
            sent.append(message)

        await app(scope, receive, send)
        assert sent and sent[0]["type"] == "websocket.close"
        assert not any(m["type"] == "websocket.accept" for m in sent)

"""Production mode (SPEC 9; SECURITY-CASES 7-9): introspection, suggestions and
GraphiQL off unless switched on; bugs masked, typed errors never; the log keeps
the full trace with the request id."""

from __future__ import annotations

import asyncio
import logging
import sqlite3

import pytest

from conftest import ADMIN_PASSWORD, LOGIN
from db.migrate import upgrade_to_head
from hardening_support import app_client, post

CONTACTS = "query($first: Int!) { contacts(first: $first) { totalCount } }"


@pytest.fixture
async def production(settings):
    async with app_client(settings, ENVIRONMENT="production") as client:
        yield client


async def test_case_7_production_refuses_schema_and_type_introspection(production):
    for document in ("{ __schema { queryType { name } } }", '{ __type(name: "Contact") { name } }'):
        body = (await post(production, document)).json()
        assert "data" not in body
        assert "introspection has been disabled" in body["errors"][0]["message"]


async def test_case_7_production_answers_typename(production):
    response = await post(production, "{ __typename }")
    assert response.json() == {"data": {"__typename": "Query"}}


async def test_case_7_production_gives_no_suggestions(production, builder):
    body = (await post(production, "{ contact { firstNam } mee }")).json()
    assert body["errors"]
    assert not any("Did you mean" in e["message"] for e in body["errors"])
    # Also for the errors found while coercing variables, during execution.
    body = (await post(
        production,
        "query($s: [ActivationStatus!]) { contacts(first: 1, status: $s) { totalCount } }",
        {"s": ["ACTIV"]}, token=builder.token,
    )).json()
    assert body["errors"] and not any("Did you mean" in e["message"] for e in body["errors"])


async def test_development_keeps_suggestions(client):
    body = (await post(client, "{ mee }")).json()
    assert "Did you mean 'me'?" in body["errors"][0]["message"]


async def test_case_7_production_serves_no_graphiql(production):
    response = await production.get("/graphql", headers={"accept": "text/html"})
    assert response.status_code == 404
    assert "<html" not in response.text.lower()
    assert (await production.get("/graphiql/init.js")).status_code == 404


async def test_production_switches_turn_introspection_and_graphiql_back_on(settings):
    async with app_client(settings, ENVIRONMENT="production", INTROSPECTION=True, GRAPHIQL=True) as client:
        body = (await post(client, "{ __schema { queryType { name } } }")).json()
        assert body == {"data": {"__schema": {"queryType": {"name": "Query"}}}}
        page = await client.get("/graphql", headers={"accept": "text/html"})
        assert page.status_code == 200 and "graphiql" in page.text.lower()


@pytest.fixture
async def broken_database_url(tmp_path) -> str:
    """A migrated database whose users table is gone: the login query fails with an
    OperationalError whose text holds SQL and table names. (A database that was never
    migrated is refused before any query: tests/test_readiness.py.)"""
    path = tmp_path / "never-migrated.sqlite3"
    url = f"sqlite+aiosqlite:///{path}"
    await asyncio.to_thread(upgrade_to_head, url)
    with sqlite3.connect(path) as connection:
        connection.execute("DROP TABLE users")
    return url


@pytest.fixture
async def production_with_a_broken_database(settings, broken_database_url):
    async with app_client(settings, ENVIRONMENT="production", DATABASE_URL=broken_database_url) as client:
        yield client


async def test_case_8_an_unexpected_exception_is_masked_and_logged_with_the_request_id(
    production_with_a_broken_database, caplog
):
    caplog.set_level(logging.ERROR)
    response = await post(
        production_with_a_broken_database, LOGIN, {"input": {"username": "someone", "password": ADMIN_PASSWORD}}
    )
    assert response.status_code == 200
    body = response.json()
    [error] = body["errors"]
    assert error["message"] == "Unexpected error."
    assert error["extensions"]["code"] == "INTERNAL_SERVER_ERROR"
    text = response.text.lower()
    for leak in ("select", "sqlite", "no such table", "traceback", ".py", "never-migrated", "operationalerror"):
        assert leak not in text
    request_id = response.headers["x-request-id"]
    assert error["extensions"]["requestId"] == request_id
    logged = [r for r in caplog.records if r.name == "ownerhub.errors"]
    assert logged, "the masked error must be logged"
    record = logged[0]
    assert record.request_id == request_id
    assert record.exc_info is not None and "no such table" in str(record.exc_info[1])
    assert "Traceback" in caplog.text or record.exc_text or record.exc_info[2] is not None


async def test_development_shows_the_error_message(settings, broken_database_url):
    async with app_client(settings, DATABASE_URL=broken_database_url) as client:
        body = (await post(client, LOGIN, {"input": {"username": "x", "password": ADMIN_PASSWORD}})).json()
    assert "no such table" in body["errors"][0]["message"]


async def test_case_9_permission_errors_are_never_masked(production, builder, owner):
    anonymous = (await post(production, CONTACTS, {"first": 5})).json()
    assert anonymous["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    as_owner = (await post(production, CONTACTS, {"first": 5}, token=owner.token)).json()
    assert as_owner["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert as_owner["errors"][0]["message"] != "Unexpected error."


async def test_case_9_user_errors_and_input_errors_are_never_masked(production, builder):
    bad_login = (await post(production, LOGIN, {"input": {"username": builder.username, "password": "wrong password!"}})).json()
    assert bad_login["data"]["login"]["userErrors"][0]["message"] == "The username or password is not correct."
    page = (await post(production, CONTACTS, {"first": 101}, token=builder.token)).json()
    assert page["errors"][0]["extensions"]["code"] == "INVALID_INPUT"
    assert "between 1 and 100" in page["errors"][0]["message"]
    create = (await post(
        production,
        "mutation($input: CreateContactInput!) { createContact(input: $input) { userErrors { code field } } }",
        {"input": {"primaryEmail": "not an email"}}, token=builder.token,
    )).json()
    assert create["data"]["createContact"]["userErrors"][0]["code"] == "INVALID_EMAIL"
    bad_id = (await post(production, '{ node(id: "garbage") { id } }', token=builder.token)).json()
    assert all(e["message"] != "Unexpected error." for e in bad_id.get("errors", []))

"""Every error has a code (SPEC 12): a client tells a broken document, a bad
variable, an unknown persisted query and a refused introspection apart from a
server failure by `extensions.code` alone, with the names Apollo clients know."""

from __future__ import annotations

import hashlib

import pytest

from hardening_support import app_client, post

CONTACTS = "query($first: Int!) { contacts(first: $first) { totalCount } }"


def _codes(body: dict) -> list[str]:
    return [error["extensions"]["code"] for error in body["errors"]]


def _persisted(document: str) -> dict:
    return {"persistedQuery": {"version": 1, "sha256Hash": hashlib.sha256(document.encode()).hexdigest()}}


@pytest.fixture
async def production(settings):
    async with app_client(settings, ENVIRONMENT="production") as client:
        yield client


@pytest.mark.parametrize("document", ["{ contacts(", "query { me { __typename }", "{ me } }", "mutation"])
async def test_a_document_that_does_not_parse_is_graphql_parse_failed(client, document):
    body = (await post(client, document)).json()

    assert "data" not in body
    assert _codes(body) == ["GRAPHQL_PARSE_FAILED"]


async def test_a_document_over_the_token_limit_is_graphql_parse_failed(client):
    body = (await post(client, "{ " + "__typename " * 2_001 + "}")).json()

    assert _codes(body) == ["GRAPHQL_PARSE_FAILED"]


@pytest.mark.parametrize("document", [
    "{ nope }",
    "{ contacts(first: 1) { edges { node { id nope } } } }",
    '{ contacts(first: "ten") { totalCount } }',
    "query($x: Int) { me { __typename } }",
    "{ contact { id } }",
])
async def test_a_document_that_does_not_validate_is_graphql_validation_failed(client, builder, document):
    body = (await post(client, document, token=builder.token)).json()

    assert "data" not in body
    assert set(_codes(body)) == {"GRAPHQL_VALIDATION_FAILED"}


@pytest.mark.parametrize("variables", [{"first": "ten"}, {}, {"first": None}, {"first": 2**40}])
async def test_variables_that_do_not_coerce_are_bad_user_input(client, builder, variables):
    body = (await post(client, CONTACTS, variables, token=builder.token)).json()

    assert "data" not in body
    assert set(_codes(body)) == {"BAD_USER_INPUT"}


async def test_a_malformed_global_id_is_bad_user_input(client, builder):
    body = (await post(client, "{ contact(id: \"not a global id\") { id } }", token=builder.token)).json()

    assert body["data"] == {"contact": None}
    assert _codes(body) == ["BAD_USER_INPUT"]


async def test_an_unknown_persisted_query_is_persisted_query_not_found(client):
    body = (await client.post("/graphql", json={"extensions": _persisted("{ me { __typename } }")})).json()

    assert _codes(body) == ["PERSISTED_QUERY_NOT_FOUND"]


async def test_a_persisted_query_where_they_are_off_is_persisted_query_not_supported(settings):
    async with app_client(settings, PERSISTED_QUERIES="off") as client:
        body = (await post(client, "{ __typename }", extensions=_persisted("{ __typename }"))).json()

    assert _codes(body) == ["PERSISTED_QUERY_NOT_SUPPORTED"]


async def test_introspection_in_production_is_introspection_disabled(production):
    for document in ("{ __schema { queryType { name } } }", '{ __type(name: "Contact") { name } }'):
        body = (await post(production, document)).json()

        assert "data" not in body
        assert set(_codes(body)) == {"INTROSPECTION_DISABLED"}


async def test_production_keeps_the_codes_without_suggestions(production, builder):
    body = (await post(production, "{ mee }")).json()
    assert _codes(body) == ["GRAPHQL_VALIDATION_FAILED"]

    body = (await post(production, CONTACTS, {"first": "ten"}, token=builder.token)).json()
    assert _codes(body) == ["BAD_USER_INPUT"]


async def test_the_codes_given_on_purpose_stay(client, builder, owner):
    body = (await post(client, "{ contacts(first: 1) { totalCount } }", token=owner.token)).json()
    assert _codes(body) == ["FORBIDDEN"]

    body = (await post(client, "{ contacts(first: 1) { totalCount } }")).json()
    assert _codes(body) == ["UNAUTHENTICATED"]

    body = (await post(client, CONTACTS, {"first": 101}, token=builder.token)).json()
    assert _codes(body) == ["INVALID_INPUT"]

    nested = "{ contacts(first: 100) { edges { node { jobs { owners { jobs { owners { id } } } } } } } }"
    body = (await post(client, nested, token=builder.token)).json()
    assert _codes(body) == ["QUERY_TOO_COSTLY"]


async def test_the_codes_are_listed_in_the_schema(client):
    body = (await post(client, '{ __type(name: "Query") { description } }')).json()

    description = body["data"]["__type"]["description"]
    for code in (
        "GRAPHQL_PARSE_FAILED", "GRAPHQL_VALIDATION_FAILED", "BAD_USER_INPUT", "PERSISTED_QUERY_NOT_FOUND",
        "PERSISTED_QUERY_NOT_SUPPORTED", "INTROSPECTION_DISABLED", "UNAUTHENTICATED", "FORBIDDEN",
        "CONTACT_LOCKED", "INTERNAL_SERVER_ERROR",
    ):
        assert code in description, code

"""Malformed requests and out-of-range ids (SPEC 12: no input, however malformed,
answers 5xx; a malformed body is `BAD_USER_INPUT`; an id no row can have is
`NOT_FOUND`). Each case is one the probes of issue 13 answered with a 500."""

from __future__ import annotations

import base64
import json

import pytest

from hardening_support import post

CSRF = {"apollo-require-preflight": "true"}
TYPENAME = {"query": "{ __typename }"}


def assert_bad_user_input(response, words: str) -> None:
    assert response.status_code == 400, response.text
    assert response.headers["content-type"].startswith("application/json")
    error = response.json()["errors"][0]
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert words in error["message"]


@pytest.mark.parametrize(
    ("body", "words"),
    [
        (b"1", "JSON object"),
        (b"null", "JSON object"),
        (b"true", "JSON object"),
        (b'"query"', "JSON object"),
        (b"[]", "Batched"),
        (b'{"query": "{ __typename }", "variables": []}', "`variables` must be an object"),
        (b'{"query": "{ __typename }", "variables": "x"}', "`variables` must be an object"),
        (b'{"query": "{ __typename }", "extensions": []}', "`extensions` must be an object"),
        (b'{"query": "{ __typename }", "extensions": 5}', "`extensions` must be an object"),
        (b'{"query": "{ __typename }", "operationName": 5}', "`operationName` must be a string"),
        (b'{"query": "{ __typename }", "operationName": {"a": 1}}', "`operationName` must be a string"),
        (b'{"query": 5}', "`query` must be a string"),
        (b'{"query": "{ __typename }", "variables": {"a": "\\ud800"}}', "Unable to parse"),
        (b'{"query": "{ __typename }", "variables": {"a": "x\\u0000y"}}', "`variables.a` contains the character U+0000"),
    ],
)
async def test_malformed_json_bodies_are_400_bad_user_input(client, body, words):
    response = await client.post("/graphql", content=body, headers={"content-type": "application/json"})
    assert_bad_user_input(response, words)


async def test_a_get_with_variables_of_the_wrong_type_is_400(client):
    response = await client.get("/graphql", params={"query": "{ __typename }", "variables": "[1]"})
    assert_bad_user_input(response, "`variables` must be an object")


async def test_an_escaped_nul_in_a_string_literal_is_refused_before_execution(client, builder, sql_counter):
    with sql_counter:
        response = await post(client, 'query { contacts(search: "a\\u0000b") { totalCount } }', token=builder.token)
    error = response.json()["errors"][0]
    assert error["extensions"]["code"] == "BAD_USER_INPUT" and "U+0000" in error["message"]
    assert "data" not in response.json()
    assert sql_counter.count == 0


@pytest.mark.parametrize(
    ("operations", "files_map", "words"),
    [
        ("1", "{}", "JSON object"),
        ("null", "{}", "JSON object"),
        ("[1]", "{}", "Batched"),
        (json.dumps(TYPENAME), "[]", "`map` must be a JSON object"),
        (json.dumps(TYPENAME), "1", "`map` must be a JSON object"),
        (json.dumps(TYPENAME), '{"0": "variables.f"}', "`map` must be a JSON object"),
        (json.dumps(TYPENAME), '{"0": [5]}', "`map` must be a JSON object"),
        (json.dumps({**TYPENAME, "variables": {"f": 5}}), '{"0": ["variables.f.x"]}', "does not lead"),
        (json.dumps({**TYPENAME, "variables": {"f": [1]}}), '{"0": ["variables.f.7"]}', "does not lead"),
        (json.dumps({**TYPENAME, "variables": None}), '{"0": ["variables.f"]}', "does not lead"),
        (json.dumps(TYPENAME), '{"1": ["variables.f"]}', "does not carry"),
        (json.dumps(TYPENAME), '{"operations": ["variables.f"]}', "does not carry"),
    ],
)
async def test_malformed_multipart_requests_are_400_bad_user_input(client, operations, files_map, words):
    response = await client.post(
        "/graphql",
        data={"operations": operations, "map": files_map},
        files={"0": ("a.png", b"\x89PNG", "image/png")},
        headers=CSRF,
    )
    assert_bad_user_input(response, words)


# -- Ids past the database's integer range: NOT_FOUND, as a missing row ---------

BEYOND = [2**31, 2**40, 2**63, 10**30]


def gid(type_name: str, number: int | str) -> str:
    return base64.b64encode(f"{type_name}:{number}".encode()).decode()


@pytest.mark.parametrize("number", [*BEYOND, "²", "١٢"])
async def test_reads_of_ids_past_the_integer_range_find_nothing(client, builder, number):
    query = """query($c: ID!, $j: ID!) { contact(id: $c) { id } node(id: $c) { id } job(id: $j) { id } }"""
    body = await builder.gql(query, {"c": gid("Contact", number), "j": gid("Job", number)})
    assert body["data"] == {"contact": None, "node": None, "job": None}


@pytest.mark.parametrize("number", BEYOND)
async def test_mutations_on_ids_past_the_integer_range_are_not_found(client, builder, number):
    update = """mutation($id: ID!) { updateContactInfo(input: {contactId: $id, firstName: "X"}) {
      contact { id } userErrors { code field } } }"""
    body = await builder.gql(update, {"id": gid("Contact", number)})
    assert body["data"]["updateContactInfo"]["userErrors"][0]["code"] == "NOT_FOUND"
    rename = """mutation($id: ID!) { updateJob(input: {jobId: $id, name: "X"}) { job { id } userErrors { code } } }"""
    body = await builder.gql(rename, {"id": gid("Job", number)})
    assert body["data"]["updateJob"]["userErrors"][0]["code"] == "NOT_FOUND"


@pytest.mark.parametrize("number", BEYOND)
async def test_a_cursor_holding_an_id_past_the_integer_range_is_refused_cleanly(client, builder, number):
    cursor = base64.urlsafe_b64encode(json.dumps(["Smith", number]).encode()).decode()
    response = await post(client, "query($a: String) { contacts(after: $a) { totalCount } }", {"a": cursor},
                          token=builder.token)
    assert response.status_code == 200
    body = response.json()
    assert "INTERNAL_SERVER_ERROR" not in response.text
    assert body.get("data") is None or body["data"]["contacts"]["totalCount"] == 0


@pytest.mark.parametrize("document", ["{}", "query { contacts { edges { node {} } } }"])
async def test_an_empty_selection_set_is_a_validation_error(client, builder, document):
    # graphql-core parses `{}`; the depth limit's walk failed on it (found by tests/test_fuzz_http.py).
    response = await post(client, document, token=builder.token)
    assert "INTERNAL_SERVER_ERROR" not in response.text
    assert response.json()["errors"][0]["message"].startswith("A selection set cannot be empty")
    assert "data" not in response.json()

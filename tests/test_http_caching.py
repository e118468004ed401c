"""HTTP caching of GraphQL answers to GET (hardening/caching.py): a strong ETag of
the body, 304 on a matching If-None-Match, `private, no-cache` or, with a
credential (a bearer token or a cookie), `no-store`, `Vary: Authorization, Cookie`;
POSTs and mutations never cached."""

from __future__ import annotations

import json

import pytest

from hardening.caching import strong_etag
from media.serving import if_none_match_matches
from hardening_support import post

TYPENAME = "{ __typename }"
CONTACT_NAMES = "{ contacts(first: 10) { totalCount edges { node { displayName } } } }"
CREATE = """mutation($input: CreateContactInput!) {
  createContact(input: $input) { contact { id } userErrors { code } } }"""
GRAPHQL_RESPONSE = "application/graphql-response+json"


async def get(client, query: str, *, token=None, headers=None):
    all_headers = {"Authorization": f"Bearer {token}"} if token else {}
    all_headers.update(headers or {})
    return await client.get("/graphql", params={"query": query}, headers={"accept": "application/json", **all_headers})


def vary(response) -> set[str]:
    return {name.strip().lower() for name in response.headers.get("vary", "").split(",")}


async def test_an_anonymous_get_answer_is_private_revalidated_and_has_a_strong_etag(client):
    response = await get(client, TYPENAME)
    assert response.status_code == 200
    assert response.json() == {"data": {"__typename": "Query"}}
    etag = response.headers["etag"]
    assert etag.startswith('"') and etag.endswith('"')  # strong: no W/
    assert etag == strong_etag("application/json", response.content)
    assert response.headers["cache-control"] == "private, no-cache"
    assert {"authorization", "cookie", "accept"} <= vary(response)


async def test_a_matching_if_none_match_answers_304_with_no_body(client):
    etag = (await get(client, TYPENAME)).headers["etag"]
    for header in (etag, f"W/{etag}", f'"something-else", {etag}', "*"):
        again = await get(client, TYPENAME, headers={"if-none-match": header})
        assert again.status_code == 304, header
        assert again.content == b""
        assert again.headers["etag"] == etag
        assert again.headers["cache-control"] == "private, no-cache"
        assert "authorization" in vary(again)


async def test_a_stale_etag_gets_the_whole_answer(client):
    response = await get(client, TYPENAME, headers={"if-none-match": '"not-this-one"'})
    assert response.status_code == 200
    assert response.json() == {"data": {"__typename": "Query"}}


async def test_an_answer_to_a_request_with_a_credential_is_never_stored_but_can_be_revalidated(builder, client):
    response = await get(client, CONTACT_NAMES, token=builder.token)
    assert response.status_code == 200 and "errors" not in response.json()
    assert response.headers["cache-control"] == "no-store"
    assert "authorization" in vary(response)
    again = await get(client, CONTACT_NAMES, token=builder.token, headers={"if-none-match": response.headers["etag"]})
    assert again.status_code == 304
    assert again.headers["cache-control"] == "no-store"


async def test_an_answer_to_a_request_with_a_cookie_is_never_stored(owner, client):
    """The owner pages' session cookie counts on GET with the CSRF header; whichever
    cookie a request has, its answer is not kept, and it varies with the cookie."""
    signed_in = await client.get(
        "/graphql", params={"query": "{ me { __typename } }"},
        headers={"cookie": f"ownerhub_session={owner.token}", "x-graphql-csrf": "1", "accept": "application/json"},
    )
    assert signed_in.json() == {"data": {"me": {"__typename": "OwnerUser"}}}
    assert signed_in.headers["cache-control"] == "no-store"
    assert "cookie" in vary(signed_in)
    other_cookie = await get(client, TYPENAME, headers={"cookie": "theme=dark"})
    assert other_cookie.headers["cache-control"] == "no-store"


async def test_the_etag_changes_when_the_data_does(builder, client):
    before = await get(client, CONTACT_NAMES, token=builder.token)
    created = await post(client, CREATE, {"input": {"firstName": "Dana"}}, token=builder.token)
    assert created.json()["data"]["createContact"]["userErrors"] == []
    after = await get(client, CONTACT_NAMES, token=builder.token, headers={"if-none-match": before.headers["etag"]})
    assert after.status_code == 200
    assert after.json()["data"]["contacts"]["totalCount"] == 1
    assert after.headers["etag"] != before.headers["etag"]


async def test_two_viewers_never_share_an_answer(builder, other_builder, client):
    await post(client, CREATE, {"input": {"firstName": "Dana"}}, token=builder.token)
    mine = await get(client, CONTACT_NAMES, token=builder.token)
    theirs = await get(client, CONTACT_NAMES, token=other_builder.token, headers={"if-none-match": mine.headers["etag"]})
    assert theirs.status_code == 200
    assert theirs.json()["data"]["contacts"]["totalCount"] == 0


async def test_each_negotiated_media_type_has_its_own_etag(client):
    as_json = await get(client, TYPENAME)
    as_graphql = await get(client, TYPENAME, headers={"accept": GRAPHQL_RESPONSE})
    assert as_json.content == as_graphql.content
    assert as_json.headers["etag"] != as_graphql.headers["etag"]
    crossed = await get(client, TYPENAME, headers={"accept": GRAPHQL_RESPONSE, "if-none-match": as_json.headers["etag"]})
    assert crossed.status_code == 200


@pytest.mark.parametrize("document", [TYPENAME, CREATE])
async def test_posts_are_never_cached(builder, client, document):
    variables = {"input": {"firstName": "Dana"}} if document == CREATE else {}
    first = await post(client, document, variables, token=builder.token)
    assert first.status_code == 200 and "errors" not in first.json()
    assert first.headers["cache-control"] == "no-store"
    assert "etag" not in first.headers
    again = await post(client, document, variables, token=builder.token, headers={"if-none-match": "*"})
    assert again.status_code == 200 and again.content


async def test_a_mutation_by_get_is_refused_and_not_stored(builder, client):
    query = 'mutation { createContact(input: {firstName: "Dana"}) { contact { id } } }'
    response = await get(client, query, token=builder.token, headers={"if-none-match": "*"})
    assert response.status_code == 405
    assert response.headers["cache-control"] == "no-store"
    assert "etag" not in response.headers


async def test_a_request_error_by_get_is_not_stored(client):
    response = await get(client, "{ noSuchField }", headers={"accept": GRAPHQL_RESPONSE})
    assert response.status_code == 400
    assert response.headers["cache-control"] == "no-store"
    assert "etag" not in response.headers


async def test_a_persisted_query_by_get_is_cached_like_any_get(client):
    import hashlib

    digest = hashlib.sha256(TYPENAME.encode()).hexdigest()
    extensions = json.dumps({"persistedQuery": {"version": 1, "sha256Hash": digest}})
    await post(client, TYPENAME, extensions={"persistedQuery": {"version": 1, "sha256Hash": digest}})
    by_hash = await client.get("/graphql", params={"extensions": extensions}, headers={"accept": "application/json"})
    assert by_hash.json() == {"data": {"__typename": "Query"}}
    again = await client.get(
        "/graphql", params={"extensions": extensions},
        headers={"accept": "application/json", "if-none-match": by_hash.headers["etag"]},
    )
    assert again.status_code == 304


def test_if_none_match_uses_the_weak_comparison():
    assert if_none_match_matches('W/"abc"', '"abc"')
    assert if_none_match_matches('"x", "abc"', '"abc"')
    assert if_none_match_matches("*", '"abc"')
    assert not if_none_match_matches('"abcd"', '"abc"')
    assert not if_none_match_matches(None, '"abc"')
    assert not if_none_match_matches("", '"abc"')

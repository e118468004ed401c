"""Persisted queries (SPEC 9): Apollo's automatic persisted queries round trip,
and the production mode that runs only the registered documents of a manifest
made by `ownerhub persisted-queries`."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import uuid

import pytest

from hardening_support import ROOT, app_client, post

GRAPHQL_RESPONSE = "application/graphql-response+json"


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def persisted(digest: str) -> dict:
    return {"persistedQuery": {"version": 1, "sha256Hash": digest}}


async def send_hash(client, digest, *, token=None, headers=None, variables=None):
    all_headers = {"Authorization": f"Bearer {token}"} if token else {}
    all_headers.update(headers or {})
    payload = {"extensions": persisted(digest), "variables": variables or {}}
    return await client.post("/graphql", json=payload, headers=all_headers)


async def test_apq_round_trip(client, builder):
    # A fresh document, so no earlier test stored it.
    query = f"query Me{uuid.uuid4().hex[:8]} {{ me {{ ... on BuilderUser {{ username }} }} }}"
    digest = sha256(query)

    first = await send_hash(client, digest, token=builder.token)
    assert first.status_code == 200
    assert first.json() == {"errors": [{"message": "PersistedQueryNotFound",
                                        "extensions": {"code": "PERSISTED_QUERY_NOT_FOUND"}}]}

    registered = await post(client, query, token=builder.token, extensions=persisted(digest))
    assert registered.json() == {"data": {"me": {"username": builder.username}}}

    again = await send_hash(client, digest, token=builder.token)
    assert again.json() == {"data": {"me": {"username": builder.username}}}

    by_get = await client.get("/graphql", params={"extensions": json.dumps(persisted(digest))},
                              headers={"authorization": f"Bearer {builder.token}"})
    assert by_get.json() == {"data": {"me": {"username": builder.username}}}


async def test_apq_not_found_is_a_request_error_under_graphql_response_json(client):
    response = await send_hash(client, sha256(uuid.uuid4().hex), headers={"accept": GRAPHQL_RESPONSE})
    assert response.status_code == 400
    assert response.json()["errors"][0]["extensions"]["code"] == "PERSISTED_QUERY_NOT_FOUND"


async def test_apq_refuses_a_hash_that_does_not_match_the_query(client):
    response = await post(client, "{ __typename }", extensions=persisted(sha256("{ somethingElse }")))
    assert response.json()["errors"][0]["extensions"]["code"] == "PERSISTED_QUERY_HASH_MISMATCH"
    assert (await send_hash(client, sha256("{ somethingElse }"))).json()["errors"][0]["extensions"]["code"] == (
        "PERSISTED_QUERY_NOT_FOUND"
    )


async def test_a_persisted_mutation_still_needs_post(app, client, builder):
    mutation = f"mutation Out{uuid.uuid4().hex[:8]} {{ logout {{ ok }} }}"
    digest = sha256(mutation)
    # Registered (and run) by a POST, as an APQ client does.
    registered = await post(client, mutation, token=builder.token, extensions=persisted(digest))
    assert registered.json() == {"data": {"logout": {"ok": True}}}
    response = await client.get("/graphql", params={"extensions": json.dumps(persisted(digest))},
                                headers={"authorization": f"Bearer {builder.token}"})
    assert response.status_code == 405


async def test_persisted_queries_can_be_switched_off(settings):
    async with app_client(settings, PERSISTED_QUERIES="off") as client:
        response = await post(client, "{ __typename }", extensions=persisted(sha256("{ __typename }")))
        assert response.json()["errors"][0]["extensions"]["code"] == "PERSISTED_QUERY_NOT_SUPPORTED"
        assert (await post(client, "{ __typename }")).json() == {"data": {"__typename": "Query"}}


CLIENT_OPERATIONS = """
query MyName { me { ...Who } }
fragment Who on BuilderUser { username }

mutation SignOut { logout { ok } }
"""


def make_manifest(tmp_path, text=CLIENT_OPERATIONS) -> subprocess.CompletedProcess:
    operations = tmp_path / "operations"
    operations.mkdir(exist_ok=True)
    (operations / "app.graphql").write_text(text)
    return subprocess.run(
        [sys.executable, str(ROOT / "cli.py"), "persisted-queries", str(operations),
         "--output", str(tmp_path / "manifest.json")],
        cwd=ROOT, capture_output=True, text=True, check=False,
    )


async def test_the_manifest_command_registers_named_operations_with_their_fragments(tmp_path):
    result = make_manifest(tmp_path)
    assert result.returncode == 0, result.stderr
    manifest = json.loads((tmp_path / "manifest.json").read_text())
    assert manifest["format"] == "apollo-persisted-query-manifest" and manifest["version"] == 1
    by_name = {op["name"]: op for op in manifest["operations"]}
    assert set(by_name) == {"MyName", "SignOut"}
    assert "fragment Who on BuilderUser" in by_name["MyName"]["body"]
    assert "fragment" not in by_name["SignOut"]["body"]
    assert all(op["id"] == sha256(op["body"]) for op in manifest["operations"])


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("query { me { __typename } }", "needs a name"),
        ("query Bad { noSuchField }", "Cannot query field"),
        ("query Deep { " + " ".join(f"a{i}: __typename" for i in range(16)) + " }", "aliases"),
    ],
)
async def test_the_manifest_command_refuses_invalid_operations(tmp_path, text, message):
    result = make_manifest(tmp_path, text)
    assert result.returncode == 1
    assert message in result.stderr
    assert not (tmp_path / "manifest.json").exists()


async def test_registered_mode_runs_only_the_manifest(settings, tmp_path, builder):
    assert make_manifest(tmp_path).returncode == 0
    manifest = json.loads((tmp_path / "manifest.json").read_text())
    my_name = next(op for op in manifest["operations"] if op["name"] == "MyName")
    async with app_client(settings, ENVIRONMENT="production", PERSISTED_QUERIES="registered",
                          PERSISTED_QUERIES_MANIFEST=str(tmp_path / "manifest.json")) as client:
        by_hash = await send_hash(client, my_name["id"], token=builder.token)
        assert by_hash.json() == {"data": {"me": {"username": builder.username}}}

        by_text = await post(client, my_name["body"], token=builder.token)
        assert by_text.json() == {"data": {"me": {"username": builder.username}}}

        for refused in (
            await post(client, "{ me { __typename } }", token=builder.token),
            await post(client, "{ __typename }", extensions=persisted(sha256("{ __typename }"))),
            await send_hash(client, sha256("query Unknown { __typename }")),
        ):
            body = refused.json()
            assert "data" not in body
            assert body["errors"][0]["extensions"]["code"] == "PERSISTED_QUERY_NOT_ALLOWED"
            assert body["errors"][0]["message"] == "This server runs only registered operations."

        strict = await send_hash(client, sha256("query Unknown { __typename }"), headers={"accept": GRAPHQL_RESPONSE})
        assert strict.status_code == 400


async def test_registered_mode_stops_running_an_operation_taken_out_of_the_manifest(settings, tmp_path, builder):
    """Also once a plan has answered it (schema/planned_reads.py's known documents):
    the manifest as it is now decides, not as it was when the document was first run."""
    assert make_manifest(tmp_path).returncode == 0
    manifest = json.loads((tmp_path / "manifest.json").read_text())
    my_name = next(op for op in manifest["operations"] if op["name"] == "MyName")
    async with app_client(settings, ENVIRONMENT="production", PERSISTED_QUERIES="registered",
                          PERSISTED_QUERIES_MANIFEST=str(tmp_path / "manifest.json")) as client:
        for _ in range(2):
            answer = await post(client, my_name["body"], token=builder.token)
            assert answer.json() == {"data": {"me": {"username": builder.username}}}
        assert (my_name["body"], None) in client.app.state.known_documents.documents

        assert make_manifest(tmp_path, "mutation SignOut { logout { ok } }").returncode == 0
        later = os.stat(tmp_path / "manifest.json").st_mtime + 1
        os.utime(tmp_path / "manifest.json", (later, later))  # a new mtime even on a coarse clock

        refused = (await post(client, my_name["body"], token=builder.token)).json()
        assert "data" not in refused
        assert refused["errors"][0]["extensions"]["code"] == "PERSISTED_QUERY_NOT_ALLOWED"


async def test_registered_mode_without_a_manifest_does_not_start(settings, tmp_path):
    with pytest.raises(FileNotFoundError):
        async with app_client(settings, PERSISTED_QUERIES="registered",
                              PERSISTED_QUERIES_MANIFEST=str(tmp_path / "missing.json")):
            pass

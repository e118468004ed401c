"""The short way of planned reads (schema/planned_reads.py): a plain-text query a
plan answered once runs by its plan straight away afterwards, and answers, counts
and logs exactly as the first time. What never takes it: a document sent with
`extensions` (persisted queries), a refused one, a mutation, a request while
tracing is on; a known document whose plan declines is answered by graphql-core."""

from __future__ import annotations

import json

import httpx
from prometheus_client import REGISTRY

from conftest import make_builder
from hardening.persisted import sha256_hex
from hardening_support import app_client, post
from test_tracing import traced  # noqa: F401 - the fixture: an app with tracing on

FEW = "query FewContacts { contacts(first: 3, orderBy: LAST_NAME) { edges { node { id firstName } } } }"
ONE = "query OneContact($id: ID!) { contact(id: $id) { id firstName } }"
CREATE = "mutation Make($input: CreateContactInput!) { createContact(input: $input) { contact { id } userErrors { code } } }"


def sample(name: str, **labels) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


def operations(operation: str, outcome: str) -> float:
    return sample("ownerhub_graphql_operations_total", operation=operation, type="query", outcome=outcome)


def planned() -> float:
    return sample("ownerhub_graphql_planned_reads_total", outcome="planned")


def known(app) -> set[tuple[str, str | None]]:
    return set(app.state.known_documents.documents)


async def contact_ids(builder, count: int) -> list[str]:
    ids = []
    for n in range(count):
        body = await builder.gql(CREATE, {"input": {"firstName": f"Kim{n}", "lastName": f"Known{n}"}})
        ids.append(body["data"]["createContact"]["contact"]["id"])
    return ids


async def test_a_repeated_query_runs_by_its_plan_and_answers_counts_and_logs_as_the_first(app, client, builder, capsys):
    await contact_ids(builder, 3)
    app.state.known_documents.documents.clear()  # the app serves the module's tests
    before_ok, before_planned = operations("FewContacts", "ok"), planned()
    capsys.readouterr()
    answers = [await post(client, FEW, token=builder.token) for _ in range(3)]
    assert known(app) == {(FEW, None)}
    first = answers[0]
    assert first.status_code == 200 and len(first.json()["data"]["contacts"]["edges"]) == 3
    for later in answers[1:]:
        assert (later.status_code, later.content) == (first.status_code, first.content)
        assert {k: v for k, v in later.headers.items() if k != "x-request-id"} == {
            k: v for k, v in first.headers.items() if k != "x-request-id"}
    assert operations("FewContacts", "ok") - before_ok == 3
    assert planned() - before_planned == 3
    lines = [json.loads(line) for line in capsys.readouterr().err.splitlines() if line.startswith("{")]
    logged = [(line["operation"], line["outcome"]) for line in lines if line.get("event") == "request"]
    assert logged == [("FewContacts", "ok")] * 3


async def test_the_operation_name_sent_is_part_of_what_is_known(app, client, builder):
    await contact_ids(builder, 1)
    app.state.known_documents.documents.clear()
    await client.post("/graphql", json={"query": FEW, "operationName": "FewContacts"},
                      headers={"Authorization": f"Bearer {builder.token}"})
    assert (FEW, "FewContacts") in known(app)
    before = operations("FewContacts", "ok")
    answer = await post(client, FEW, token=builder.token)
    assert answer.status_code == 200 and operations("FewContacts", "ok") == before + 1
    assert (FEW, None) in known(app)


async def test_persisted_refused_and_mutation_documents_are_never_known(app, client, builder):
    [contact_id] = await contact_ids(builder, 1)
    app.state.known_documents.documents.clear()
    extensions = {"persistedQuery": {"version": 1, "sha256Hash": sha256_hex(FEW)}}
    for _ in range(2):
        answer = await post(client, FEW, token=builder.token, extensions=extensions)
        assert answer.status_code == 200 and "errors" not in answer.json()
    refused = "query Refused { contacts(first: 3) { edges { node { noSuchField } } } }"
    for _ in range(2):
        assert "errors" in (await post(client, refused, token=builder.token)).json()
    assert known(app) == set()
    # A plain request of the same text is known from then on; its persisted form still is not.
    await post(client, FEW, token=builder.token)
    answer = await post(client, FEW, token=builder.token, extensions=extensions)
    assert "errors" not in answer.json() and known(app) == {(FEW, None)}
    assert (await post(client, ONE, {"id": contact_id}, token=builder.token)).json()["data"]["contact"]["id"] == contact_id
    assert (ONE, None) in known(app)


async def test_a_known_document_whose_plan_declines_is_answered_by_graphql_core(app, client, builder, settings):
    [contact_id] = await contact_ids(builder, 1)
    app.state.known_documents.documents.clear()
    assert (await post(client, ONE, {"id": contact_id}, token=builder.token)).status_code == 200
    assert known(app) == {(ONE, None)}
    before = operations("OneContact", "invalid")
    declined = await post(client, ONE, {"id": "not base64!"}, token=builder.token)
    async with app_client(settings, PLANNED_READS=False) as core:
        other = await make_builder(core.app, core, "Core Homes")
        expected = await post(core, ONE, {"id": "not base64!"}, token=other.token)
    assert declined.json()["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    assert (declined.status_code, declined.json()["data"], [e["extensions"]["code"] for e in declined.json()["errors"]]) == (
        expected.status_code, expected.json()["data"], [e["extensions"]["code"] for e in expected.json()["errors"]])
    # Counted alike by both servers (the metrics are the process's).
    assert operations("OneContact", "invalid") == before + 2


async def test_with_tracing_on_every_request_has_its_operation_span(traced):
    app, exporter = traced
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver") as http:
        builder = await make_builder(app, http, "Traced Homes")
        exporter.clear()
        for _ in range(3):
            assert (await post(http, FEW, token=builder.token)).status_code == 200
    names = [span.name for span in exporter.get_finished_spans() if span.name.startswith("query")]
    assert names == ["query FewContacts"] * 3


async def test_the_view_answers_a_known_document_byte_for_byte_as_the_whole_way_does(settings):
    """A known document skips the view's own steps too (server.py, `run`): its answer,
    status and headers, in order (request id, CORS, caching, content type), are the
    whole way's, whatever the media types negotiated."""
    async with app_client(settings, CORS_ORIGINS=["https://app.example.test"]) as client:
        builder = await make_builder(client.app, client, "Byte Homes")
        [contact_id] = await contact_ids(builder, 1)
        token = {"Authorization": f"Bearer {builder.token}", "X-Request-ID": "req-known-0001"}
        cases = [
            ({"query": FEW}, {"Content-Type": "application/json"}),
            ({"query": FEW, "operationName": "FewContacts", "variables": None},
             {"Content-Type": "application/json; charset=UTF-8", "Accept": "application/graphql-response+json",
              "Origin": "https://app.example.test"}),
            ({"query": ONE, "variables": {"id": contact_id}},
             {"Content-Type": "application/json", "Accept": "*/*", "Origin": "https://elsewhere.example"}),
        ]
        for body, headers in cases:
            client.app.state.known_documents.documents.clear()
            answers = [await client.post("/graphql", content=json.dumps(body), headers={**token, **headers})
                       for _ in range(2)]
            assert known(client.app) == {(body["query"], body.get("operationName"))}
            first, known_way = answers
            assert first.status_code == 200 and "errors" not in first.json()
            assert (known_way.status_code, known_way.headers.raw, known_way.content) == (
                first.status_code, first.headers.raw, first.content)

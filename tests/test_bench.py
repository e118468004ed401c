"""The benchmark's queries (issue 7): the hand-written baseline answers exactly what
the GraphQL server answers, and each query costs a pinned number of SQL statements
whatever the page size. Counts, never times."""

from __future__ import annotations

import httpx
import orjson
import pytest

from bench import baseline, queries
from bench.generate import BUILDER_TOKEN, OWNER_TOKEN, generate
from db.engine import is_sqlite

JSON = {"Content-Type": "application/json"}


@pytest.fixture
async def bench_data(database_url):
    """A small benchmark data set: 120 contacts over the builder accounts, jobs, leads."""
    await generate(database_url, 120)


@pytest.fixture
async def baseline_client(database_url):
    app = baseline.create_app(database_url)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://baseline") as http:
        yield http
    await app.state.engine.dispose()


async def post(client, token: str, query: str, variables: dict | None = None) -> httpx.Response:
    body = {"query": query, **({"variables": variables} if variables is not None else {})}
    return await client.post("/graphql", content=orjson.dumps(body),
                             headers={**JSON, "Authorization": f"Bearer {token}"})


@pytest.mark.parametrize(
    ("token", "query", "variables"),
    [(OWNER_TOKEN, queries.PROFILE, None), (BUILDER_TOKEN, queries.LIST, queries.LIST_VARIABLES)],
    ids=["profile", "list"],
)
async def test_baseline_answers_byte_for_byte_what_graphql_answers(
    bench_data, client, baseline_client, token, query, variables
):
    graphql = await post(client, token, query, variables)
    hand_written = await post(baseline_client, token, query, variables)
    assert "errors" not in graphql.json()
    assert hand_written.content == graphql.content


async def test_profile_shows_the_owner_and_co_owners_by_name_only(bench_data, client):
    me = (await post(client, OWNER_TOKEN, queries.PROFILE)).json()["data"]["me"]
    contact = me["contact"]
    assert contact["emails"][0] == contact["primaryEmail"] == "owner1@example.com"
    homes = [job for job in contact["jobs"] if job["name"].startswith("Owner's home")]
    assert len(homes) == 2
    for job in homes:
        assert job["owners"][0] == {"id": contact["id"], "displayName": contact["displayName"]}
        assert len(job["owners"]) == 3
    for job in contact["jobs"]:
        assert contact["id"] in [owner["id"] for owner in job["owners"]]


async def test_profile_costs_three_statements(bench_data, client, sql_counter):
    with sql_counter:
        await post(client, OWNER_TOKEN, queries.PROFILE)
    # session lookup; user, account and contact with its emails; jobs with their owners
    assert sql_counter.count == 3


@pytest.mark.parametrize("first", [1, 5, 50])
async def test_list_costs_three_statements_whatever_the_page_size(bench_data, client, sql_counter, first):
    with sql_counter:
        body = (await post(client, BUILDER_TOKEN, queries.LIST, {"first": first})).json()
    assert len(body["data"]["contacts"]["edges"]) == first
    # session lookup; the page with its emails; the page's jobs
    assert sql_counter.count == 3


LIST_WITH_TOTAL_AND_OWNERS = """
query($first: Int!, $after: String) {
  contacts(first: $first, after: $after) {
    totalCount
    edges { node { ...Card } }
    pageInfo { endCursor }
  }
}
fragment Card on Contact { displayName emails jobs { name owners { displayName emails } } }
"""


async def test_contacts_connection_with_every_relation_costs_four_statements(bench_data, client, sql_counter):
    first_page = (await post(client, BUILDER_TOKEN, LIST_WITH_TOTAL_AND_OWNERS, {"first": 5})).json()
    with sql_counter:
        body = (await post(client, BUILDER_TOKEN, LIST_WITH_TOTAL_AND_OWNERS,
                           {"first": 50, "after": first_page["data"]["contacts"]["pageInfo"]["endCursor"]})).json()
    assert len(body["data"]["contacts"]["edges"]) == 50
    assert body["data"]["contacts"]["totalCount"] == 60
    # session lookup; the page with its emails; jobs with owners and their emails; the count
    assert sql_counter.count == 4


DEEPER_THAN_THE_PLAN = """
{ me { ... on OwnerUser { contact { jobs { owners { id jobs { name } } } } } } }
"""


async def test_relations_below_the_plan_still_resolve_with_their_rules(bench_data, client):
    me = (await post(client, OWNER_TOKEN, DEEPER_THAN_THE_PLAN)).json()["data"]["me"]
    own_id = me["contact"]["jobs"][0]["owners"][0]["id"]
    for job in me["contact"]["jobs"]:
        for owner in job["owners"]:
            # An owner sees their own jobs, never a co-owner's.
            assert (owner["jobs"] != []) == (owner["id"] == own_id)


async def test_write_mix_statement_counts(bench_data, database_url, client, sql_counter):
    with sql_counter:
        created = (await post(client, BUILDER_TOKEN, queries.CREATE_CONTACT, {"input": {
            "firstName": "Wendy", "lastName": "Writer", "primaryEmail": "wendy@example.net",
            "additionalEmails": ["w@example.org"]}})).json()["data"]["createContact"]
    assert created["userErrors"] == []
    create_count = sql_counter.count
    with sql_counter:
        changed = (await post(client, BUILDER_TOKEN, queries.SET_EMAILS, {"input": {
            "contactId": created["contact"]["id"], "emails": ["a@example.org", "b@example.org"]}})).json()
    assert changed["data"]["setAdditionalEmails"]["contact"]["emails"] == [
        "wendy@example.net", "a@example.org", "b@example.org"]
    # setAdditionalEmails inserts its two email rows in one statement on PostgreSQL, two on SQLite.
    assert (create_count, sql_counter.count) == ((7, 9) if is_sqlite(database_url) else (7, 8))

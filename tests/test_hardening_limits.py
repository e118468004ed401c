"""Query limits (SPEC 9; SECURITY-CASES 1-6): depth, aliases, tokens and cost,
counted through fragments; page sizes; batching off; the validation cache."""

from __future__ import annotations

import uuid

import pytest

from hardening.validation import validation_cache_info
from hardening_support import post

# 11 levels: me > contact > jobs > owners > jobs > owners > jobs > owners > jobs > owners > jobs > name
ELEVEN_LEVELS = """
{ me { ... on OwnerUser { contact { jobs { owners { jobs { owners { jobs { owners {
  jobs { owners { jobs { name } } } } } } } } } } } } }
"""
TEN_LEVELS = """
{ me { ... on OwnerUser { contact { jobs { owners { jobs { owners { jobs { owners {
  jobs { name } } } } } } } } } } }
"""
ELEVEN_LEVELS_IN_FRAGMENTS = """
{ me { ...Owner } }
fragment Owner on OwnerUser { contact { ...ContactJobs } }
fragment ContactJobs on Contact { jobs { owners { jobs { owners { jobs { owners { jobs { owners { jobs { name } } } } } } } } } }
"""


def messages(body) -> list[str]:
    return [error["message"] for error in body.get("errors", [])]


async def test_case_1_eleven_levels_are_refused_before_any_sql(builder, sql_counter):
    with sql_counter:
        body = await builder.gql(ELEVEN_LEVELS, expect_errors=True)
    assert "data" not in body
    assert any("exceeds maximum operation depth of 10" in m for m in messages(body))
    assert sql_counter.count == 0


async def test_case_1_depth_counts_through_fragments(builder, sql_counter):
    with sql_counter:
        body = await builder.gql(ELEVEN_LEVELS_IN_FRAGMENTS, expect_errors=True)
    assert any("exceeds maximum operation depth of 10" in m for m in messages(body))
    assert sql_counter.count == 0


async def test_ten_levels_are_within_the_depth_limit(builder):
    body = await builder.gql(TEN_LEVELS, expect_errors=True)
    assert not any("depth" in m for m in messages(body))


async def test_case_2_circular_fragments_give_one_clean_validation_error(client, builder):
    response = await post(client, """
        { me { ...A } }
        fragment A on BuilderUser { username ...B }
        fragment B on BuilderUser { role ...A }
    """, token=builder.token)
    assert response.status_code == 200
    body = response.json()
    assert messages(body) == ["Cannot spread fragment 'A' within itself via 'B'."]
    assert "data" not in body


def aliases(n: int, field: str = "username") -> str:
    return " ".join(f"a{i}: {field}" for i in range(n))


async def test_case_3_sixteen_aliases_are_refused(builder):
    ok = await builder.gql(f"{{ me {{ ... on BuilderUser {{ {aliases(15)} }} }} }}")
    assert ok["data"]["me"]["a14"] == builder.username
    body = await builder.gql(f"{{ me {{ ... on BuilderUser {{ {aliases(16)} }} }} }}", expect_errors=True)
    assert messages(body) == ["16 aliases found. Allowed: 15"]


async def test_case_3_aliases_hidden_in_a_fragment_spread_many_times_are_refused(builder, sql_counter):
    # Four aliases in a fragment, spread four times: 16.
    document = f"""
        {{ me {{ ...Names ... on BuilderUser {{ one: builderAccount {{ ...Names2 }} }} }} }}
        fragment Names on BuilderUser {{ {aliases(4)} ...More }}
        fragment More on BuilderUser {{ b1: role b2: role b3: role b4: role
          builderAccount {{ ...Names2 }} x: builderAccount {{ ...Names2 }} }}
        fragment Names2 on BuilderAccount {{ n1: name n2: name }}
    """
    with sql_counter:
        body = await builder.gql(document, expect_errors=True)
    # 4 + 4 + 1 (one) + 1 (x) + three spreads of Names2 x 2 = 16
    assert messages(body) == ["16 aliases found. Allowed: 15"]
    assert sql_counter.count == 0


async def test_case_4_a_field_repeated_a_thousand_times_is_refused_by_the_token_limit(client):
    response = await post(client, "{ " + "me { __typename } " * 1000 + "}")
    body = response.json()
    assert messages(body) == ["Syntax Error: Document contains more than 2000 tokens. Parsing aborted."]
    assert "data" not in body


async def test_case_4_a_directive_repeated_hundreds_of_times_is_refused_by_the_token_limit(client):
    response = await post(client, "{ __typename " + "@include(if: true) " * 300 + "}")
    assert messages(response.json()) == ["Syntax Error: Document contains more than 2000 tokens. Parsing aborted."]


async def test_fragments_spread_twice_per_level_are_measured_without_expanding_them(client):
    # 2^60 fields once expanded: refused from a linear walk, without walking them.
    fragments = " ".join(f"fragment F{i} on Query {{ ...F{i + 1} ...F{i + 1} }}" for i in range(60))
    response = await post(client, "{ ...F0 } " + fragments + " fragment F60 on Query { __typename }")
    body = response.json()
    assert [e["extensions"]["code"] for e in body["errors"]] == ["QUERY_TOO_LARGE"]


CONTACTS = "query($first: Int!) { contacts(first: $first) { edges { node { id } } } }"


@pytest.mark.parametrize("first", [101, 0, -1])
async def test_case_5_page_sizes_outside_1_to_100_are_refused(builder, first):
    body = await builder.gql(CONTACTS, {"first": first}, expect_errors=True)
    assert body["data"] == {"contacts": None}
    assert body["errors"][0]["extensions"]["code"] == "INVALID_INPUT"
    assert "between 1 and 100" in body["errors"][0]["message"]


@pytest.mark.parametrize("first", [1, 100])
async def test_page_sizes_1_and_100_are_accepted(builder, first):
    body = await builder.gql(CONTACTS, {"first": first})
    assert body["data"]["contacts"]["edges"] == []


async def test_case_6_a_json_array_batch_is_refused(client, builder, sql_counter):
    with sql_counter:
        response = await client.post(
            "/graphql",
            content=b'[{"query": "{ __typename }"}, {"query": "mutation { logout { ok } }"}]',
            headers={"content-type": "application/json", "authorization": f"Bearer {builder.token}"},
        )
    assert response.status_code == 400
    assert "Batched requests are not supported" in response.json()["errors"][0]["message"]
    assert sql_counter.count == 0
    assert (await builder.gql("{ me { __typename } }"))["data"]["me"]["__typename"] == "BuilderUser"


COSTLY = """
{ contacts(first: 100) { edges { node { jobs { owners { jobs { owners { displayName } } } } } } } }
"""
LIST_PAGE = """
{ contacts(first: 100) { totalCount edges { node { displayName jobs { name owners { displayName } } } } } }
"""


async def test_cost_limit_refuses_nested_lists_on_a_large_page(builder, sql_counter):
    with sql_counter:
        body = await builder.gql(COSTLY, expect_errors=True)
    error = body["errors"][0]
    assert error["extensions"]["code"] == "QUERY_TOO_COSTLY"
    assert error["extensions"]["cost"] > error["extensions"]["maxCost"] == 10_000
    assert sql_counter.count == 0


async def test_cost_counts_page_size_and_fragments(builder):
    small = COSTLY.replace("first: 100", "first: 2")
    assert "errors" not in await builder.gql(small)
    in_fragment = """
        query($n: Int = 100) { contacts(first: $n) { ...Page } }
        fragment Page on ContactConnection { edges { node { jobs { owners { jobs { owners { displayName } } } } } } }
    """
    body = await builder.gql(in_fragment, expect_errors=True)
    assert body["errors"][0]["extensions"]["code"] == "QUERY_TOO_COSTLY"


async def test_a_full_page_with_jobs_and_owners_is_within_the_cost_limit(builder):
    assert "errors" not in await builder.gql(LIST_PAGE)


async def test_cost_limit_is_configurable(client, settings, builder):
    from hardening_support import app_client

    async with app_client(settings, MAX_QUERY_COST=50) as strict:
        body = (await post(strict, LIST_PAGE, token=builder.token)).json()
    assert body["errors"][0]["extensions"]["maxCost"] == 50


async def test_validation_cache_hits_for_a_repeated_document(builder):
    """The limit rules are built once, so a repeated document validates once
    (PERF-NOTES lesson 1: per-request rule classes made the cache miss 20 of 20).
    A document the planner does not take (a variable of an input type): a planned
    one is validated once and then answered by its plan without asking the cache
    (tests/test_planned_reads_known_documents.py)."""
    # Made unique per run: other tests validate the suite's literal documents too.
    unique = f"probe{uuid.uuid4().hex}"
    document = (f"query CacheProbe($input: MergeContactsInput!) {{ me {{ ... on BuilderUser {{ username role }} }}"
                f" mergeContactsPreview(input: $input) @include(if: false) {{ __typename }} {unique}: __typename }}")
    variables = {"input": {"survivorId": "a", "mergedIds": ["b"]}}
    before = validation_cache_info()
    for _ in range(20):
        body = await builder.gql(document, variables)
        assert body["data"]["me"]["username"] == builder.username
    after = validation_cache_info()
    assert after.misses - before.misses == 1
    assert after.hits - before.hits == 19


async def test_limits_still_apply_to_a_cached_document(builder):
    for _ in range(3):
        body = await builder.gql(f"{{ me {{ ... on BuilderUser {{ {aliases(16)} }} }} }}", expect_errors=True)
        assert messages(body) == ["16 aliases found. Allowed: 15"]

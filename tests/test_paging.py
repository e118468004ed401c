"""Relay paging both ways on every root connection (SPEC 12): `last`/`before`
read the same list as `first`/`after`, backwards, and `orderBy` orders jobs and
leads too. Through GraphQL, as Relay's `@connection` and Apollo's
`relayStylePagination` send it."""

from __future__ import annotations

import pytest

from merge_support import create_contact

CONTACTS = """
query($first: Int, $after: String, $last: Int, $before: String, $search: String, $orderBy: ContactOrder) {
  contacts(first: $first, after: $after, last: $last, before: $before, search: $search, orderBy: $orderBy) {
    edges { cursor node { firstName } }
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
  }
}
"""
JOBS = """
query($first: Int, $after: String, $last: Int, $before: String, $orderBy: JobOrder) {
  jobs(first: $first, after: $after, last: $last, before: $before, orderBy: $orderBy) {
    edges { cursor node { name } }
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
  }
}
"""
LEADS = """
query($first: Int, $after: String, $last: Int, $before: String, $orderBy: LeadOrder) {
  leads(first: $first, after: $after, last: $last, before: $before, orderBy: $orderBy) {
    edges { cursor node { title } }
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
  }
}
"""
CREATE_JOB = "mutation($name: String!) { createJob(input: {name: $name}) { job { id } userErrors { code } } }"
CREATE_LEAD = "mutation($title: String!) { createLead(input: {title: $title}) { lead { id } userErrors { code } } }"

# Created in this order, so that creation order and name order differ.
NAMES = ["Delta", "Alpha", "Echo", "Bravo", "Golf", "Charlie", "Foxtrot"]
BY_NAME = sorted(NAMES)


async def _read_all_backwards(actor, document: str, field: str, label: str, size: int, **variables) -> list[str]:
    """Every item, read from the end of the list with `last`/`before`."""
    names: list[str] = []
    before = None
    while True:
        answer = (await actor.gql(document, {"last": size, "before": before, **variables}))["data"][field]
        names = [edge["node"][label] for edge in answer["edges"]] + names
        info = answer["pageInfo"]
        assert info["hasNextPage"] is (before is not None)
        if not info["hasPreviousPage"]:
            return names
        before = info["startCursor"]


async def _read_all_forwards(actor, document: str, field: str, label: str, size: int, **variables) -> list[str]:
    names: list[str] = []
    after = None
    while True:
        answer = (await actor.gql(document, {"first": size, "after": after, **variables}))["data"][field]
        names += [edge["node"][label] for edge in answer["edges"]]
        if not answer["pageInfo"]["hasNextPage"]:
            return names
        after = answer["pageInfo"]["endCursor"]


@pytest.fixture
async def contacts(builder):
    for name in NAMES:
        await create_contact(builder, firstName=name, lastName="Same")


async def test_contacts_page_backwards_through_the_same_list(builder, contacts):
    for order in ("FIRST_NAME", "LAST_NAME", "CREATED_AT"):
        forwards = await _read_all_forwards(builder, CONTACTS, "contacts", "firstName", 3, orderBy=order)
        backwards = await _read_all_backwards(builder, CONTACTS, "contacts", "firstName", 3, orderBy=order)

        assert backwards == forwards, order
        assert len(forwards) == len(NAMES)
    assert await _read_all_backwards(builder, CONTACTS, "contacts", "firstName", 2, orderBy="FIRST_NAME") == BY_NAME


async def test_last_alone_is_the_end_of_the_list_and_before_a_cursor_ends_there(builder, contacts):
    end = (await builder.gql(CONTACTS, {"last": 2, "orderBy": "FIRST_NAME"}))["data"]["contacts"]
    assert [e["node"]["firstName"] for e in end["edges"]] == ["Foxtrot", "Golf"]
    assert end["pageInfo"]["hasPreviousPage"] is True and end["pageInfo"]["hasNextPage"] is False

    first_page = (await builder.gql(CONTACTS, {"first": 4, "orderBy": "FIRST_NAME"}))["data"]["contacts"]
    before_fourth = first_page["edges"][3]["cursor"]
    page = (await builder.gql(CONTACTS, {"last": 10, "before": before_fourth, "orderBy": "FIRST_NAME"}))["data"]
    assert [e["node"]["firstName"] for e in page["contacts"]["edges"]] == ["Alpha", "Bravo", "Charlie"]
    assert page["contacts"]["pageInfo"]["hasPreviousPage"] is False


async def test_backward_paging_keeps_the_search(builder, contacts):
    await create_contact(builder, firstName="Alphonse", lastName="Other")

    found = await _read_all_backwards(builder, CONTACTS, "contacts", "firstName", 1, search="alph", orderBy="FIRST_NAME")

    assert found == ["Alpha", "Alphonse"]


async def test_jobs_and_leads_page_both_ways_in_either_order(builder):
    for name in NAMES:
        assert (await builder.gql(CREATE_JOB, {"name": name}))["data"]["createJob"]["userErrors"] == []
        assert (await builder.gql(CREATE_LEAD, {"title": name}))["data"]["createLead"]["userErrors"] == []

    for document, field, label, orders in (
        (JOBS, "jobs", "name", ("NAME", "CREATED_AT")),
        (LEADS, "leads", "title", ("TITLE", "CREATED_AT")),
    ):
        by_label, by_creation = orders
        assert await _read_all_forwards(builder, document, field, label, 3, orderBy=by_label) == BY_NAME
        assert await _read_all_backwards(builder, document, field, label, 3, orderBy=by_label) == BY_NAME
        assert await _read_all_forwards(builder, document, field, label, 2, orderBy=by_creation) == NAMES
        assert await _read_all_backwards(builder, document, field, label, 2, orderBy=by_creation) == NAMES
        # Without orderBy, the label order as before.
        assert await _read_all_forwards(builder, document, field, label, 4) == BY_NAME


@pytest.mark.parametrize("variables, message", [
    ({"first": 2, "last": 2}, "not both"),
    ({"last": 0}, "`last` must be between 1 and 100"),
    ({"last": 101}, "`last` must be between 1 and 100"),
])
async def test_out_of_range_or_mixed_page_arguments_are_refused(builder, variables, message):
    for document, field in ((CONTACTS, "contacts"), (JOBS, "jobs"), (LEADS, "leads")):
        body = await builder.gql(document, variables, expect_errors=True)

        assert body["data"] == {field: None}
        assert body["errors"][0]["extensions"]["code"] == "INVALID_INPUT"
        assert message in body["errors"][0]["message"]


async def test_a_page_with_neither_first_nor_last_holds_20(builder):
    for index in range(21):
        assert (await builder.gql(CREATE_JOB, {"name": f"Job {index:02}"}))["data"]["createJob"]["userErrors"] == []

    page = (await builder.gql(JOBS))["data"]["jobs"]

    assert len(page["edges"]) == 20 and page["pageInfo"]["hasNextPage"] is True

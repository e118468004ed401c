"""Planned reads answer exactly what graphql-core answers (issue 15, point 3).

Each document goes to two apps on the same database: the server as it runs
(`PLANNED_READS` on: a covered query runs by its plan, planner/) and the same
server with `PLANNED_READS=false` (every query on graphql-core's executor). The
whole response must be the same bytes: data, errors with their paths and
locations, null propagation, key order. The planner's counter
(`ownerhub_graphql_planned_reads_total`) tells which requests the plan answered,
so a plan that silently fell back cannot pass for a planned one.

The documents:
* the corpus: every query document written as a string constant in the test
  modules (tests/**/*.py, found by parsing each constant that validates as a
  single query) and the benchmark's, sent as a builder, an owner and anonymously,
  with values for their required variables made up by type; documents with input
  objects are left out. This is the documents the suite sends, as far as they
  are literal strings; queries built at run time are not in it;
* hypothesis-generated selections (of contacts, jobs, leads and every Node type) over
  the fields the planner covers and some it
  does not: fragments and inline fragments on `Node`, `Viewer` and the concrete
  types, aliases, `@include`/`@skip` with variables, `__typename`, nullable fields
  that come back null, page sizes out of range (an error inside the plan's
  reach), co-owners an owner sees by name only.

On the benchmark's data set (bench/generate.py): two builder accounts, owners
with co-owners on their jobs, profile images, blank and filled addresses.
"""

from __future__ import annotations

import ast
import base64
import json
import re
from pathlib import Path

import pytest
from graphql import (
    GraphQLEnumType,
    GraphQLInputObjectType,
    GraphQLList,
    GraphQLNonNull,
    OperationDefinitionNode,
    OperationType,
    get_named_type,
    parse,
    type_from_ast,
    validate,
)
from graphql.error import GraphQLSyntaxError
from hypothesis import HealthCheck, given, settings as hypothesis_settings
from hypothesis import strategies as st
from prometheus_client import REGISTRY
from sqlalchemy import select

from bench import queries
from bench.generate import BUILDER_TOKEN, OWNER_TOKEN, generate
from conftest import Actor
from hardening_support import app_client, post
from jobs_leads_support import SET_VALUES, define_field
from merge_support import merge, undo
from models import Contact, Job, Lead, OutboxMessage
from repository.contacts import encode_cursor
from resolvers.root.build import schema
from schema.planned_reads import planner_schema

TESTS = Path(__file__).resolve().parent
GRAPHQL_SCHEMA = planner_schema(schema)
TOKENS = {"builder": BUILDER_TOKEN, "owner": OWNER_TOKEN, "anonymous": None}


def planned_count() -> float:
    return REGISTRY.get_sample_value("ownerhub_graphql_planned_reads_total", {"outcome": "planned"}) or 0.0


def failed_count() -> float:
    return REGISTRY.get_sample_value("ownerhub_graphql_planned_reads_total", {"outcome": "failed"}) or 0.0


INACTIVE = """{ contacts(first: 10, status: [INACTIVE], orderBy: CREATED_AT) { edges { node { id primaryEmail } } } }"""
UPDATE_INFO = """mutation($input: UpdateContactInfoInput!) { updateContactInfo(input: $input) { userErrors { code } } }"""


def global_id(type_name: str, number: int) -> str:
    return base64.b64encode(f"{type_name}:{number}".encode()).decode()


async def _changed(client, query: str, variables: dict, token: str) -> None:
    answer = (await post(client, query, variables, token=token)).json()
    assert "errors" not in answer and all(not p.get("userErrors") for p in answer["data"].values()), answer


@pytest.fixture
async def bench_data(database_url, app, client):
    """The benchmark's data, with the contact relations the plans read: custom fields
    (visible to owners or not) with values; a chain of merges (c0 merged into c1, c1
    into c2), c0's info changed before, so the survivor's timeline holds the merged
    contacts' events; a merge undone (its audit entry says so); a live invite; the
    owner's new primary email waiting for its proof. Returns ids to ask for by name."""
    await generate(database_url, 120)
    builder = Actor(client, BUILDER_TOKEN, "bench-admin-1")
    inactive = [e["node"] for e in (await post(client, INACTIVE, token=BUILDER_TOKEN)).json()
                ["data"]["contacts"]["edges"]]
    [c0, c1, c2] = [node["id"] for node in inactive[:3]]
    invited = next(node["id"] for node in inactive[3:] if node["primaryEmail"])
    [undone_survivor, undone_merged] = [node["id"] for node in inactive[-2:]]
    assert invited not in (undone_survivor, undone_merged)
    own = global_id("Contact", 1)
    fields = [await define_field(builder, "Move-in", "DATE", visible=True),
              await define_field(builder, "Gate code", "TEXT"),
              await define_field(builder, "Color", "SELECT", options=["Blue", "Red"], visible=True)]
    for contact, values in ((own, ["2026-03-01", "4411", "Blue"]), (c0, ["2026-04-01", "12", None]),
                            (c1, [None, "7", "Red"]), (c2, ["2026-05-01", None, None])):
        await _changed(client, SET_VALUES, {"input": {"contactId": contact, "values": [
            {"fieldId": field_id, "value": value} for field_id, value in zip(fields, values)]}}, BUILDER_TOKEN)
    await _changed(client, UPDATE_INFO, {"input": {"contactId": c0, "phone": "555-0100"}}, BUILDER_TOKEN)
    await _changed(client, queries.SEND_INVITE, {"input": {"contactId": invited}}, BUILDER_TOKEN)
    merges = [await merge(builder, survivor, [merged])
              for merged, survivor in ((c0, c1), (c1, c2), (undone_merged, undone_survivor))]
    assert [payload["userErrors"] for payload in merges] == [[], [], []]
    assert (await undo(builder, merges[2]["merge"]["id"]))["userErrors"] == []
    await _changed(client, UPDATE_INFO, {"input": {"contactId": own, "primaryEmail": "new.owner1@example.com"}},
                   OWNER_TOKEN)
    async with app.state.engine.connect() as connection:
        other = (await connection.execute(
            select(Contact.id).where(Contact.builder_account_id != 1).order_by(Contact.id).limit(1)
        )).scalar_one()
        invite_mail = (await connection.execute(
            select(OutboxMessage.body_text).where(OutboxMessage.kind == "INVITE")
        )).scalar_one()
        [other_job, other_lead] = [(await connection.execute(
            select(model.id).where(model.builder_account_id != 1).order_by(model.id).limit(1)
        )).scalar_one() for model in (Job, Lead)]
    owner_jobs = (await post(client, "{ jobs(last: 1) { edges { node { id } } } }", token=OWNER_TOKEN)).json()
    return {
        "the owner's job": owner_jobs["data"]["jobs"]["edges"][0]["node"]["id"],
        "another account's job": global_id("Job", other_job), "a lead": global_id("Lead", 1),
        "another account's lead": global_id("Lead", other_lead), "a missing lead": global_id("Lead", 999_999),
        "a job not a number": global_id("Job", "x"), "a builder user": global_id("BuilderUser", 1),
        "another account's builder user": global_id("BuilderUser", 2), "the owner user": global_id("OwnerUser", 3),
        "a builder as an owner user": global_id("OwnerUser", 1), "the account": global_id("BuilderAccount", 1),
        "another account": global_id("BuilderAccount", 2), "a custom field": fields[0],
        "a hidden custom field": fields[1], "a missing custom field": global_id("CustomField", 999_999),
        "a merge": merges[0]["merge"]["id"], "an undone merge": merges[2]["merge"]["id"],
        "a missing merge": global_id("ContactMerge", 999_999), "an unknown type": global_id("Nothing", 1),
        "not a node type": global_id("PageInfo", 1),
        "merged twice": c0, "merged once": c1, "survivor": c2, "invited": invited,
        "undone survivor": undone_survivor, "undone merged": undone_merged, "the owner's": own,
        "another account's": global_id("Contact", other), "a job's": global_id("Job", 1),
        "missing": global_id("Contact", 999_999), "not a number": global_id("Contact", "x"),
        "malformed": "not base64!", "no colon": base64.b64encode(b"Contact").decode(),
        "live token": re.search(r"token=([\w-]+)", invite_mail).group(1), "dead token": "no-such-token",
    }


@pytest.fixture
async def graphql_core(settings):
    async with app_client(settings, PLANNED_READS=False) as http:
        yield http


async def same_answer(planned_client, core_client, query: str, variables: dict | None, token: str | None) -> bool:
    """Asserts both apps answer alike; True when the plan answered."""
    before, failed_before = planned_count(), failed_count()
    planned = await post(planned_client, query, variables, token=token)
    ran_by_plan = planned_count() > before
    core = await post(core_client, query, variables, token=token)
    assert failed_count() == failed_before, "the planner raised (see the log)"
    assert (planned.status_code, errors_sorted(planned.content)) == (core.status_code, errors_sorted(core.content)), query
    return ran_by_plan


def errors_sorted(content: bytes) -> str:
    """The answer as sent (key order included) but with its errors sorted: graphql-core
    lists them in the order its concurrent resolvers raised them, which two runs of
    graphql-core itself can differ in, and the GraphQL spec gives the list no order."""
    body = json.loads(content)
    if isinstance(body, dict) and isinstance(body.get("errors"), list):
        body["errors"].sort(key=lambda error: json.dumps(error, sort_keys=True))
    return json.dumps(body)


def _value_for(type_) -> object:
    """A made-up value for a required variable of `type_`."""
    if isinstance(type_, GraphQLNonNull):
        return _value_for(type_.of_type)
    if isinstance(type_, GraphQLList):
        return [_value_for(type_.of_type)]
    if isinstance(type_, GraphQLEnumType):
        return next(iter(type_.values))
    return {"Int": 5, "Float": 1.0, "String": "a", "Boolean": True, "ID": global_id("Contact", 1)}.get(type_.name, "a")


def _variables(operation: OperationDefinitionNode) -> dict | None:
    variables = {}
    for definition in operation.variable_definitions or ():
        type_ = type_from_ast(GRAPHQL_SCHEMA, definition.type)
        if isinstance(get_named_type(type_), GraphQLInputObjectType):
            return None
        if isinstance(type_, GraphQLNonNull) and definition.default_value is None:
            variables[definition.variable.name.value] = _value_for(type_)
    return variables


def corpus() -> list[tuple[str, dict]]:
    """Every single-query document written as a string in the test modules, and the benchmark's."""
    found = {queries.PROFILE: {}, queries.LIST: dict(queries.LIST_VARIABLES)}
    for path in sorted(TESTS.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            if not (isinstance(node, ast.Constant) and isinstance(node.value, str) and "{" in node.value):
                continue
            try:
                document = parse(node.value)
            except GraphQLSyntaxError:
                continue
            operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
            if len(operations) != 1 or operations[0].operation is not OperationType.QUERY:
                continue
            if validate(GRAPHQL_SCHEMA, document):
                continue
            variables = _variables(operations[0])
            if variables is not None:
                found.setdefault(node.value, variables)
    return list(found.items())


CORPUS = corpus()


async def test_every_query_of_the_suite_answers_the_same_through_the_plan(bench_data, client, graphql_core):
    planned = 0
    for query, variables in CORPUS:
        for token in TOKENS.values():
            planned += await same_answer(client, graphql_core, query, variables, token)
    # The benchmark's documents and most of the suite's reads of `me`, `contacts`, jobs, leads and
    # nodes, with the contact's relations.
    assert planned >= 200, planned


@pytest.mark.parametrize(("token", "query", "variables"), [
    (OWNER_TOKEN, queries.PROFILE, None),
    (BUILDER_TOKEN, queries.LIST, queries.LIST_VARIABLES),
    (BUILDER_TOKEN, queries.LIST, {"first": 100}),
], ids=["profile", "list", "list-100"])
async def test_the_benchmark_documents_run_by_their_plan(bench_data, client, graphql_core, token, query, variables):
    assert await same_answer(client, graphql_core, query, variables, token)


CONTACT_BY_ID = """query($id: ID!) {
  contact(id: $id) {
    id displayName emails jobs { name owners { id displayName primaryEmail } }
    leads { title } pendingInvite { sentTo expired }
  }
  node(id: $id) { id ... on Contact { activationStatus viewerCan { editInfo lockedReason } } }
}"""


@pytest.mark.parametrize(
    "which", ["merged twice", "survivor", "invited", "another account's", "missing", "not a number"]
)
@pytest.mark.parametrize("actor", ["builder", "owner"])
async def test_contacts_by_id_run_by_their_plan_merged_ids_included(bench_data, client, graphql_core, which, actor):
    variables = {"id": bench_data[which]}
    assert await same_answer(client, graphql_core, CONTACT_BY_ID, variables, TOKENS[actor])
    if which == "merged twice" and actor == "builder":
        answer = (await post(client, CONTACT_BY_ID, variables, token=BUILDER_TOKEN)).json()["data"]
        assert answer["contact"]["id"] == answer["node"]["id"] == bench_data["survivor"]


# --- the contact's relations ---------------------------------------------------------------

EVENT = """kind occurredAt contactId actor { kind name } changes { field oldValue newValue }
  related { typeName id name } message { kind channel recipient subject state attempts lastError sentAt }"""
CUSTOM_FIELDS = "customFields { field { id name type options visibleToOwner } value }"
MERGES = """merges { id mergedAt mergedBy mergedContactIds undoneAt undoneBy
  kept { primaryEmail additionalEmails droppedEmails filledFields } survivor { id displayName merges { id } } }"""
RELATIONS = f"""query($id: ID!, $first: Int, $after: String, $last: Int, $before: String, $kinds: [TimelineEventKind!]) {{
  contact(id: $id) {{
    id {CUSTOM_FIELDS} {MERGES} pendingPrimaryEmail {{ email expiresAt }}
    timeline(first: $first, after: $after, last: $last, before: $before, kinds: $kinds) {{
      totalCount pageInfo {{ hasNextPage hasPreviousPage startCursor endCursor }} edges {{ cursor node {{ {EVENT} }} }}
    }}
  }}
}}"""
PROFILE_WITH_RELATIONS = f"""{{ me {{ ... on OwnerUser {{ contact {{
  {CUSTOM_FIELDS} {MERGES} pendingPrimaryEmail {{ email expiresAt }}
  timeline(first: 5) {{ totalCount edges {{ cursor node {{ {EVENT} }} }} }}
}} }} }} customFieldDefinitions {{ id name type options visibleToOwner }} }}"""
# (A variable's default is the page size the cost limit counts with: hardening/cost.py.)
LIST_WITH_RELATIONS = """query($first: Int = 50) {
  contacts(first: $first, status: [INACTIVE, PENDING], orderBy: CREATED_AT) { edges { node {
    id customFields { field { name } value } merges { id mergedBy kept { filledFields } } pendingPrimaryEmail { email }
    timeline(first: 3, kinds: [MERGED, INFO_CHANGED, CUSTOM_FIELDS_SET, INVITE_SENT, MESSAGE]) {
      totalCount pageInfo { hasNextPage endCursor } edges { node { kind contactId actor { kind name } } }
    }
  } } }
}"""
INVITE_DETAILS = "query($token: String!) { inviteDetails(token: $token) { valid builderName firstName expiresAt } }"


async def _timeline_cursors(client, contact_id: str) -> list[str]:
    answer = (await post(client, RELATIONS, {"id": contact_id, "first": 100}, token=BUILDER_TOKEN)).json()
    return [edge["cursor"] for edge in answer["data"]["contact"]["timeline"]["edges"]]


@pytest.mark.parametrize("actor", ["builder", "owner", "anonymous"])
@pytest.mark.parametrize("which", ["survivor", "merged twice", "undone survivor", "invited", "the owner's",
                                   "another account's", "missing"])
async def test_a_contacts_relations_run_by_their_plan(bench_data, client, graphql_core, which, actor):
    """Custom fields, the merge audit, the pending primary email and a page of the
    timeline, merged contacts' events included, forwards and backwards."""
    variables = {"id": bench_data[which]}
    reached = which in ("survivor", "merged twice", "undone survivor", "invited") and actor == "builder" or (
        which == "the owner's" and actor != "anonymous")
    cursors = await _timeline_cursors(client, bench_data["survivor"])
    for paging in ({"first": 2}, {"first": 2, "after": cursors[1]}, {"last": 2}, {"last": 3, "before": cursors[-1]},
                   {"kinds": ["MERGED", "INFO_CHANGED"]}, {"kinds": []}, {"after": "not a cursor"}, {}):
        assert await same_answer(client, graphql_core, RELATIONS, {**variables, **paging}, TOKENS[actor]) or not reached


async def test_the_survivors_timeline_holds_the_merged_contacts_events(bench_data, client):
    answer = (await post(client, RELATIONS, {"id": bench_data["survivor"], "first": 100}, token=BUILDER_TOKEN)).json()
    contact = answer["data"]["contact"]
    events_of = {edge["node"]["contactId"] for edge in contact["timeline"]["edges"]}
    # c0 went into c1 before c1 went into c2: the survivor's audit names c1 only.
    assert [entry["mergedContactIds"] for entry in contact["merges"]] == [[bench_data["merged once"]]]
    assert {bench_data["survivor"], bench_data["merged once"], bench_data["merged twice"]} <= events_of
    assert contact["timeline"]["totalCount"] == len(contact["timeline"]["edges"])


@pytest.mark.parametrize(("actor", "query", "variables"), [
    ("owner", PROFILE_WITH_RELATIONS, None),
    ("builder", PROFILE_WITH_RELATIONS, None),
    ("builder", LIST_WITH_RELATIONS, {"first": 5}),
    ("builder", LIST_WITH_RELATIONS, {"first": 100}),
    ("builder", RELATIONS, {"id": "merged twice", "first": 3}),
    ("builder", RELATIONS, {"id": "survivor", "last": 4, "kinds": ["MERGED", "MESSAGE"]}),
    ("owner", RELATIONS, {"id": "the owner's", "first": 100}),
    ("anonymous", INVITE_DETAILS, {"token": "live token"}),
    ("builder", INVITE_DETAILS, {"token": "dead token"}),
], ids=["owner-profile", "builder-me", "list-5", "list-100", "merged-id", "backward-kinds", "owner-own",
        "live-invite", "dead-invite"])
async def test_representative_documents_are_counted_planned(bench_data, client, graphql_core, actor, query, variables):
    variables = {name: bench_data.get(value, value) if isinstance(value, str) else value
                 for name, value in (variables or {}).items()}
    assert await same_answer(client, graphql_core, query, variables, TOKENS[actor])


@pytest.mark.parametrize("first", [5, 100])
async def test_relations_of_a_page_cost_a_fixed_number_of_statements(bench_data, client, sql_counter, first):
    with sql_counter:
        body = (await post(client, LIST_WITH_RELATIONS, {"first": first}, token=BUILDER_TOKEN)).json()
    edges = body["data"]["contacts"]["edges"]
    assert len(edges) == 5 if first == 5 else len(edges) > 40
    # The session lookup; the page with its emails; custom values; merges; the timelines'
    # pages; their counts (the pending emails are the owner's alone: nobody's here).
    assert sql_counter.count == 6, sql_counter.statements


TWO_ME = """{
  first: me { __typename ... on OwnerUser { username contact { id displayName emails jobs { name } } }
              ... on BuilderUser { username role builderAccount { name } } }
  second: me { ... on OwnerUser { contact { primaryEmail additionalEmails } } ... on BuilderUser { id } }
}"""


@pytest.mark.parametrize("actor", ["builder", "owner", "anonymous"])
async def test_a_second_me_reads_the_viewer_the_first_one_looked_up(bench_data, client, graphql_core, actor, sql_counter):
    """The first `me` reads the viewer with the session lookup; the second finds the
    viewer looked up and reads the user and contact itself."""
    with sql_counter:
        planned = await same_answer(client, graphql_core, TWO_ME, None, TOKENS[actor])
    assert planned
    # The session lookup with the user (and contact); the owner's jobs; the second
    # `me`'s user (and contact), read again.
    assert sql_counter.count == {"builder": 2, "owner": 3, "anonymous": 0}[actor], sql_counter.statements


async def test_the_owners_profile_with_its_relations_costs_a_fixed_number_of_statements(bench_data, client, sql_counter):
    with sql_counter:
        body = (await post(client, PROFILE_WITH_RELATIONS, token=OWNER_TOKEN)).json()
    assert body["data"]["me"]["contact"]["pendingPrimaryEmail"]["email"] == "new.owner1@example.com"
    # The session lookup with the owner's contact; custom values; the pending email;
    # the timeline's page; its count; the definitions.
    assert sql_counter.count == 6, sql_counter.statements


# --- the contacts of a contact's jobs and leads, and their jobs -----------------------------

LINKED = """jobs { name owners { id displayName emails jobs { name owners { displayName primaryEmail } } } }
  leads { title contacts { id displayName emails jobs { name address { city } } } }"""
LIST_WITH_LINKED = f"""query($first: Int = 2) {{
  contacts(first: $first, orderBy: CREATED_AT) {{ edges {{ node {{ id {LINKED} }} }} }}
}}"""
JOBS_LEADS_WITH_LINKED = """query($first: Int = 2) {
  jobs(first: $first) { edges { node { name owners { displayName emails jobs { name owners { id } } } } } }
  leads(first: $first) { edges { node { title contacts { primaryEmail additionalEmails jobs { id name } } } } }
}"""
LINKED_BY_ID = f"""query($id: ID!) {{
  contact(id: $id) {{ {LINKED} }}
  node(id: $id) {{ ... on Contact {{ {LINKED} }} ... on Job {{ owners {{ jobs {{ name owners {{ emails }} }} }} }}
    ... on Lead {{ contacts {{ emails jobs {{ name }} }} }} }}
  me {{ ... on OwnerUser {{ contact {{ {LINKED} }} }} }}
}}"""


@pytest.mark.parametrize("actor", ["builder", "owner", "anonymous"])
@pytest.mark.parametrize("which", ["survivor", "the owner's", "a job's", "the owner's job", "a lead", "merged twice"])
async def test_the_contacts_of_jobs_and_leads_run_by_their_plan(bench_data, client, graphql_core, which, actor):
    """A job's owners and a lead's contacts, their emails, their jobs and those jobs' owners."""
    planned = await same_answer(client, graphql_core, LINKED_BY_ID, {"id": bench_data[which]}, TOKENS[actor])
    assert planned or actor == "anonymous"


@pytest.mark.parametrize("first", [5, 100])
@pytest.mark.parametrize("actor", ["builder", "owner"])
async def test_jobs_and_leads_with_the_contacts_of_theirs_run_by_their_plan(bench_data, client, graphql_core, actor, first):
    assert await same_answer(client, graphql_core, LIST_WITH_LINKED, {"first": first}, TOKENS[actor]) is (
        actor == "builder")
    assert await same_answer(client, graphql_core, JOBS_LEADS_WITH_LINKED, {"first": first}, TOKENS[actor]) is (
        actor == "builder")


@pytest.mark.parametrize("first", [30, 100])
async def test_the_contacts_of_jobs_and_leads_cost_a_fixed_number_of_statements(bench_data, client, sql_counter, first):
    with sql_counter:
        body = (await post(client, LIST_WITH_LINKED, {"first": first}, token=BUILDER_TOKEN)).json()
    edges = body["data"]["contacts"]["edges"]
    assert len(edges) == 30 if first == 30 else len(edges) > 40
    assert any(lead["contacts"] for edge in edges for lead in edge["node"]["leads"])
    # The session lookup; the page; its jobs with their owners; the owners' jobs with
    # theirs; the leads; their contacts with their emails; those contacts' jobs.
    assert sql_counter.count == 7, sql_counter.statements
    with sql_counter:
        body = (await post(client, JOBS_LEADS_WITH_LINKED, {"first": first}, token=BUILDER_TOKEN)).json()
    assert all(job["node"]["owners"] for job in body["data"]["jobs"]["edges"])
    # The session lookup; then for jobs and for leads alike: the page, its contacts, their jobs.
    assert sql_counter.count == 7, sql_counter.statements


# --- generated selections -----------------------------------------------------------------

ADDRESS = "{ street city state postalCode }"
CONTACT_LEAVES = [
    "id", "firstName", "lastName", "displayName", "phone", "cellPhone", "primaryEmail", "additionalEmails",
    "emails", "activationStatus", "smsOptIn", "createdAt", "updatedAt", "__typename", f"address {ADDRESS}",
    "profileImage { url(size: SMALL) width height updatedAt __typename }", "profileImage { url }",
    "viewerCan { editInfo invite cancelInvite deactivate merge delete lockedReason __typename }",
    "leads { id title createdAt updatedAt __typename }", "pendingInvite { sentAt expiresAt expired sentTo __typename }",
]
# The relations of a job's owners and a lead's contacts other than their jobs run on graphql-core
# (the plan reads them for the root's contacts).
NOT_COVERED = ["customFields { value }", "timeline { totalCount }", "merges { id }"]
JOB_LEAVES = ["id", "name", "createdAt", "updatedAt", "__typename", f"address {ADDRESS}"]
DIRECTIVES = ["", "", "", " @include(if: $yes)", " @skip(if: $yes)", " @include(if: $no)", " @skip(if: $no)"]


def field(text: str, alias: str, directive: str) -> str:
    """`alias: name @directive { selection }` (the directive before the selection set)."""
    name, brace, selection = text.partition(" {")
    return f"{alias}{name}{directive}{brace}{selection}"


@st.composite
def selection(
    draw, leaves: list[str], nested: dict[str, st.SearchStrategy] | None = None, depth: int = 0, node: bool = True
) -> str:
    """A selection set of some of `leaves` (and nested relations), with aliases,
    directives, and an inline fragment on `Node` now and then (for a `node` type)."""
    picks = draw(st.lists(st.sampled_from(leaves), min_size=1, max_size=6))
    parts = []
    for index, pick in enumerate(picks):
        alias = draw(st.sampled_from(["", "", f"a{depth}{index}: "]))
        parts.append(field(pick, alias, draw(st.sampled_from(DIRECTIVES))))
    for name, strategy in (nested or {}).items():
        if draw(st.booleans()):
            parts.append(field(f"{name} {draw(strategy)}", "", draw(st.sampled_from(DIRECTIVES))))
    if node and draw(st.booleans()):
        parts.append(f"... on Node {{ id{draw(st.sampled_from(DIRECTIVES))} }}")
    return "{ " + " ".join(parts) + " }"


IDS = ["merged twice", "merged once", "survivor", "invited", "undone survivor", "undone merged", "the owner's",
       "another account's", "a job's", "missing", "not a number", "malformed", "no colon"]
# A job's owners and a lead's contacts, with their jobs and those jobs' owners.
owners = selection(CONTACT_LEAVES + NOT_COVERED, {"jobs": selection(JOB_LEAVES, {
    "owners": selection(CONTACT_LEAVES[:14] + ["jobs { id }"], depth=4),
}, depth=3)}, depth=2)
jobs = selection(JOB_LEAVES, {"owners": owners}, depth=1)
LEAD_LEAVES = ["id", "title", "createdAt", "updatedAt", "__typename"]
leads = selection(LEAD_LEAVES, {"contacts": owners}, depth=1)
custom_fields = selection(["value", "__typename"], {
    "field": selection(["id", "name", "type", "options", "visibleToOwner", "__typename"], depth=3),
}, depth=2, node=False)
merges = selection([
    "id", "mergedAt", "mergedBy", "mergedContactIds", "undoneAt", "undoneBy", "__typename",
    "kept { primaryEmail additionalEmails droppedEmails filledFields __typename }", "kept { filledFields }",
], {"survivor": selection(CONTACT_LEAVES[:8] + ["merges { id }", "customFields { value }"], depth=3)}, depth=2)
events = selection([
    "kind", "occurredAt", "contactId", "__typename", "actor { kind name __typename }", "actor { name }",
    "changes { field oldValue newValue __typename }", "related { typeName id name __typename }", "related { id }",
    "message { kind channel recipient subject state attempts lastError sentAt __typename }", "message { state }",
], depth=3, node=False)
TIMELINE_ARGUMENTS = ["", "(first: $tFirst)", "(first: $tFirst, after: $tAfter)", "(last: $tLast, before: $tBefore)",
                      "(last: $tLast)", "(first: $tFirst, kinds: $kinds)", "(kinds: $kinds, after: $tAfter)",
                      "(first: 2, last: 2)", "(first: $tFirst, last: $tLast)"]
PAGE_INFO = "pageInfo { hasNextPage hasPreviousPage startCursor endCursor __typename }"


@st.composite
def timeline(draw) -> str:
    """`(arguments) { a selection of the connection }`, for a `timeline` field."""
    parts = draw(st.lists(st.sampled_from(["totalCount", "__typename", PAGE_INFO, "pageInfo { endCursor }", "edges"]),
                          min_size=1, max_size=4, unique=True))
    if "edges" in parts:
        parts[parts.index("edges")] = f"edges {{ cursor node {draw(events)} }}"
    return f"{draw(st.sampled_from(TIMELINE_ARGUMENTS))} {{ {' '.join(parts)} }}"


contact = selection(CONTACT_LEAVES * 4, {
    "jobs": jobs, "leads": leads, "customFields": custom_fields, "merges": merges, "timeline": timeline(),
    "pendingPrimaryEmail": st.sampled_from(["{ email expiresAt __typename }", "{ email }"]),
})
OTHER_ROOTS = [
    "customFieldDefinitions { id name type options visibleToOwner __typename }",
    "definitions: customFieldDefinitions { ... on Node { id } name }",
    "inviteDetails(token: $token) { valid builderName firstName expiresAt __typename }",
    "inviteDetails(token: $token) { valid }",
]
EVENT_IDS = [3, 10, 30, 60, 1000]
CURSORS = [None, "not a cursor", encode_cursor("Smith", 3), *(encode_cursor("timeline", n) for n in EVENT_IDS)]
KINDS = [None, [], ["MERGED"], ["INFO_CHANGED", "CUSTOM_FIELDS_SET", "MESSAGE"], ["INVITE_SENT", "MERGED_INTO"]]


@st.composite
def document(draw) -> tuple[str, dict]:
    card = draw(contact)
    use_fragment = draw(st.booleans())
    node = "{ ...Card }" if use_fragment else draw(st.sampled_from([card, f"{{ ... on Contact {card} }}"]))
    roots = []
    if draw(st.booleans()):
        viewer = draw(st.sampled_from([
            f"{{ __typename ... on OwnerUser {{ id username builderAccount {{ id name }} contact {node} }} }}",
            f"{{ ... on Viewer {{ __typename }} ... on BuilderUser {{ id username role builderAccount {{ name }} }} "
            f"... on OwnerUser {{ contact {node} }} }}",
            f"{{ ... on Node {{ id }} ... on OwnerUser {{ contact {{ ... on Node {{ id }} }} }} }}",
        ]))
        roots.append(f"me {viewer}")
    if draw(st.booleans()) or not roots:
        order = draw(st.sampled_from(["", ", orderBy: FIRST_NAME", ", orderBy: CREATED_AT", ", orderBy: LAST_NAME"]))
        extra = draw(st.sampled_from(["", "totalCount", "pageInfo { hasNextPage hasPreviousPage startCursor endCursor }",
                                      "__typename pageInfo { endCursor __typename }"]))
        alias = draw(st.sampled_from(["", "page: "]))
        roots.append(f"{alias}contacts(first: $first{order}) {{ {extra} edges {{ cursor node {node} }} }}")
    if draw(st.integers(0, 2)) == 0:
        roots.append(draw(st.sampled_from([
            f"contact(id: $id) {node}",
            f"found: node(id: $id) {{ __typename ... on Contact {node} }}",
            "node(id: $id) { id }",
        ])))
    if draw(st.integers(0, 2)) == 0:
        roots.append(draw(st.sampled_from(OTHER_ROOTS)))
    if draw(st.booleans()):
        roots.insert(0, "__typename")
    fragment = f"fragment Card on Contact {card}" if use_fragment else ""
    body = f"{{ {' '.join(roots)} }} {fragment}"
    first = draw(st.sampled_from([1, 3, 50, 100, 0, 101, None]))
    # Defaults keep the cost the limit counts low (hardening/cost.py); the values sent may be larger.
    declared = {"first": ("Int = 3", first), "yes": ("Boolean!", True), "no": ("Boolean!", False),
                "id": ("ID!", draw(st.sampled_from(IDS))),
                "tFirst": ("Int = 2", draw(st.sampled_from([1, 2, 5, 100, 0, 101, None]))),
                "tLast": ("Int = 2", draw(st.sampled_from([None, 1, 3, 0]))),
                "tAfter": ("String", draw(st.sampled_from(CURSORS))),
                "tBefore": ("String", draw(st.sampled_from(CURSORS))),
                "kinds": ("[TimelineEventKind!]", draw(st.sampled_from(KINDS))),
                "token": ("String!", draw(st.sampled_from(["live token", "dead token", ""])))}
    return operation(body, declared)


def operation(body: str, declared: dict[str, tuple[str, object]]) -> tuple[str, dict]:
    """The query of `body` with the variables of `declared` (name: (type, value)) it uses."""
    used = {name: declared[name] for name in declared if f"${name}" in body}
    signature = ", ".join(f"${name}: {type_}" for name, (type_, _) in used.items())
    query = f"query({signature}) {body}" if used else f"query {body}"
    return query, {name: value for name, (_, value) in used.items()}


def with_ids(bench_data: dict, variables: dict) -> dict:
    """The variables with the ids named by `$id` and `$ids`, and the invite token named
    by `$token`, looked up."""
    if "id" in variables:
        variables["id"] = bench_data[variables["id"]]
    if "token" in variables:
        variables["token"] = bench_data.get(variables["token"], variables["token"])
    if "ids" in variables:
        variables["ids"] = [bench_data[which] for which in variables["ids"]]
    return variables


# --- jobs, leads and every Node type ------------------------------------------------------

JOB_CARD = "{ id name createdAt updatedAt address { street city state postalCode } owners { id displayName emails phone } }"
LEAD_CARD = "{ id title createdAt updatedAt contacts { id displayName additionalEmails primaryEmail } }"
MERGE_CARD = "{ mergedAt mergedBy mergedContactIds undoneAt undoneBy kept { primaryEmail filledFields } survivor { id } }"
NODE_CARD = f"""{{ __typename id ... on Job {JOB_CARD} ... on Lead {LEAD_CARD}
  ... on Contact {{ displayName jobs {{ name }} }} ... on BuilderAccount {{ name }}
  ... on BuilderUser {{ username role builderAccount {{ id name }} }}
  ... on OwnerUser {{ username builderAccount {{ name }} contact {{ id emails }} }}
  ... on CustomField {{ name type options visibleToOwner }} ... on ContactMerge {MERGE_CARD} }}"""
JOBS_LEADS = f"""query($first: Int, $last: Int, $after: String) {{
  jobs(first: $first, last: $last, after: $after, orderBy: CREATED_AT) {{
    totalCount pageInfo {{ hasNextPage hasPreviousPage startCursor endCursor }} edges {{ cursor node {JOB_CARD} }}
  }}
  byName: jobs(first: 5, search: "residence") {{ edges {{ cursor node {{ name }} }} }}
  leads(first: $first, last: $last) {{ totalCount pageInfo {{ endCursor }} edges {{ cursor node {LEAD_CARD} }} }}
}}"""
BY_ID = f"""query($id: ID!) {{ job(id: $id) {JOB_CARD} lead(id: $id) {LEAD_CARD} node(id: $id) {NODE_CARD} }}"""
NODES = f"""query($ids: [ID!]!) {{ nodes(ids: $ids) {NODE_CARD} }}"""
# Ids each planned whatever the viewer.
PLANNED_IDS = [
    "the owner's job", "another account's job", "a job's", "a lead", "another account's lead", "a missing lead",
    "a job not a number", "a builder user", "another account's builder user", "the owner user",
    "a builder as an owner user", "the account", "another account", "survivor", "the owner's", "missing",
    "a custom field", "a hidden custom field", "a missing custom field", "a merge", "an undone merge",
    "a missing merge",
]


@pytest.mark.parametrize("actor", ["builder", "owner", "anonymous"])
@pytest.mark.parametrize("which", PLANNED_IDS)
async def test_every_node_type_runs_by_its_plan(bench_data, client, graphql_core, which, actor):
    assert await same_answer(client, graphql_core, BY_ID, {"id": bench_data[which]}, TOKENS[actor])


@pytest.mark.parametrize("actor", ["builder", "owner", "anonymous"])
async def test_nodes_of_every_type_run_by_their_plan(bench_data, client, graphql_core, actor):
    ids = [bench_data[which] for which in PLANNED_IDS] + [bench_data["an unknown type"], bench_data["a lead"]]
    assert await same_answer(client, graphql_core, NODES, {"ids": ids}, TOKENS[actor])


@pytest.mark.parametrize("which", ["not a node type", "malformed"])
async def test_ids_the_plan_does_not_read_are_left_to_graphql_core(bench_data, client, graphql_core, which):
    variables = {"id": bench_data[which]}
    assert not await same_answer(client, graphql_core, BY_ID, variables, BUILDER_TOKEN)
    assert not await same_answer(client, graphql_core, NODES, {"ids": [bench_data[which]]}, BUILDER_TOKEN)


@pytest.mark.parametrize(("actor", "variables", "planned"), [
    ("builder", {"first": 7}, True), ("builder", {"last": 3}, True), ("builder", {}, True),
    ("builder", {"first": 0}, False), ("builder", {"first": 2, "last": 2}, False),
    # An owner's `jobs` is their own; `leads` refuses them, and graphql-core reports it.
    ("owner", {"first": 5}, False), ("anonymous", {}, False),
], ids=["first", "last", "default", "first-0", "first-and-last", "owner", "anonymous"])
async def test_job_and_lead_lists_run_by_their_plan(bench_data, client, graphql_core, actor, variables, planned):
    assert await same_answer(client, graphql_core, JOBS_LEADS, variables, TOKENS[actor]) is planned


async def test_an_owner_pages_their_own_jobs_by_the_plan(bench_data, client, graphql_core):
    query = f"query($after: String) {{ jobs(first: 1, after: $after) {{ totalCount edges {{ cursor node {JOB_CARD} }} }} }}"
    after = None
    for _ in range(3):
        assert await same_answer(client, graphql_core, query, {"after": after}, OWNER_TOKEN)
        edges = (await post(client, query, {"after": after}, token=OWNER_TOKEN)).json()["data"]["jobs"]["edges"]
        if not edges:
            break
        after = edges[0]["cursor"]


NODE_IDS = IDS + PLANNED_IDS + ["an unknown type", "not a node type"]


@st.composite
def jobs_leads_document(draw) -> tuple[str, dict]:
    """Roots of jobs, leads and nodes with generated selections of Job, Lead and Contact."""
    job, lead, card = draw(jobs), draw(leads), draw(contact)
    roots = []
    for name, node, orders in (("jobs", job, ["", ", orderBy: NAME", ", orderBy: CREATED_AT"]),
                               ("leads", lead, ["", ", orderBy: TITLE", ", orderBy: CREATED_AT"])):
        if draw(st.booleans()):
            extra = draw(st.sampled_from(["", "totalCount", "pageInfo { hasNextPage hasPreviousPage startCursor endCursor }",
                                          "__typename pageInfo { endCursor __typename }"]))
            paging = draw(st.sampled_from(["first: $first", "last: $first", "first: $first, after: $after",
                                           "last: $first, before: $after"]))
            search = draw(st.sampled_from(["", ', search: "1"', ', search: "residence"', ', search: "  "']))
            roots.append(f"{name}({paging}{draw(st.sampled_from(orders))}{search}) {{ {extra} edges {{ cursor node {node} }} }}")
    if draw(st.booleans()) or not roots:
        roots.append(draw(st.sampled_from([f"job(id: $id) {job}", f"lead(id: $id) {lead}"])))
    if draw(st.booleans()):
        fragments = " ".join(draw(st.lists(st.sampled_from([
            f"... on Job {job}", f"... on Lead {lead}", f"... on Contact {card}", "... on BuilderAccount { name }",
            "... on BuilderUser { username role builderAccount { id } }", "... on OwnerUser { username contact { id } }",
            "... on CustomField { name }", "... on CustomField { id type options visibleToOwner __typename }",
            f"... on ContactMerge {draw(merges)}",
        ]), max_size=4)))
        root = draw(st.sampled_from(["node(id: $id)", "nodes(ids: $ids)"]))
        roots.append(f"{root} {{ __typename id {fragments} }}")
    body = "{ " + " ".join(roots) + " }"
    declared = {
        "first": ("Int", draw(st.sampled_from([1, 2, 50, 100, 0, 101, None]))),
        "after": ("String", draw(st.sampled_from([None, "not a cursor", "WyJMZWFkIDMiLDNd", "WyJhIiwxXQ=="]))),
        "yes": ("Boolean!", True), "no": ("Boolean!", False),
        "id": ("ID!", draw(st.sampled_from(NODE_IDS))),
        "ids": ("[ID!]!", draw(st.lists(st.sampled_from(NODE_IDS), max_size=5))),
    }
    return operation(body, declared)


@hypothesis_settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(request=st.one_of(document(), jobs_leads_document()), actor=st.sampled_from(sorted(TOKENS)))
async def test_generated_selections_answer_the_same_through_the_plan(
    bench_data, client, graphql_core, request, actor
):
    query, variables = request
    await same_answer(client, graphql_core, query, with_ids(bench_data, variables), TOKENS[actor])


CUSTOM_FIELDS_AND_MERGES = """query($ids: [ID!]!) { nodes(ids: $ids) { id ... on CustomField { name visibleToOwner }
  ... on ContactMerge { mergedBy undoneAt survivor { id displayName emails jobs { name } merges { id } customFields { value } } }
} }"""
SOME_CUSTOM_FIELDS_AND_MERGES = [
    "a custom field", "a hidden custom field", "a missing custom field", "a merge", "an undone merge", "a missing merge",
]


@pytest.mark.parametrize("actor", ["builder", "owner", "anonymous"])
async def test_custom_fields_and_merges_by_id_run_by_their_plan(bench_data, client, graphql_core, actor):
    """The survivor of a merge is the contact its id stands for now (merged again: the last survivor)."""
    ids = [bench_data[which] for which in SOME_CUSTOM_FIELDS_AND_MERGES]
    assert await same_answer(client, graphql_core, CUSTOM_FIELDS_AND_MERGES, {"ids": ids}, TOKENS[actor])


@pytest.mark.parametrize("which", [["a custom field", "a merge"], SOME_CUSTOM_FIELDS_AND_MERGES],
                         ids=["one-of-each", "several"])
async def test_custom_fields_and_merges_by_id_cost_a_fixed_number_of_statements(bench_data, client, sql_counter, which):
    with sql_counter:
        body = (await post(client, CUSTOM_FIELDS_AND_MERGES, {"ids": [bench_data[name] for name in which]},
                           token=BUILDER_TOKEN)).json()
    assert body["data"]["nodes"][1 if len(which) == 2 else 3]["survivor"]["id"] == bench_data["survivor"]
    # The session lookup; the custom fields; the merges; their survivors with their emails;
    # the survivors' jobs; their merges; their custom values.
    assert sql_counter.count == 7, sql_counter.statements


async def test_ids_written_in_the_document_run_by_their_plan(bench_data, client, graphql_core):
    job, lead, user = bench_data["a job's"], bench_data["a lead"], bench_data["a builder user"]
    query = f'{{ nodes(ids: ["{job}", "{lead}", "{user}"]) {{ id }} job(id: "{job}") {{ name }} lead(id: "{lead}") {{ title }} }}'
    assert await same_answer(client, graphql_core, query, None, BUILDER_TOKEN)
    # One string where a list is expected is a list of one: graphql-core's to coerce.
    assert not await same_answer(client, graphql_core, "query($ids: [ID!]!) { nodes(ids: $ids) { id } }",
                                 {"ids": job}, BUILDER_TOKEN)

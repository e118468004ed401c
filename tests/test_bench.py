"""The benchmark's queries (issue 7): the hand-written baseline answers exactly what
the GraphQL server answers, and each query costs a pinned number of SQL statements
whatever the page size. Counts, never times."""

from __future__ import annotations

import re
from datetime import timedelta

import httpx
import orjson
import pytest
from sqlalchemy import select

from bench import baseline, instructions, peer, queries
from bench.generate import BUILDER_TOKEN, OWNER_TOKEN, generate
from conftest import SqlCounter
from db.engine import is_sqlite
from domain.activation import ActivationStatus
from domain.tokens import hash_token
from models import Contact, ContactEmail, Invite, OutboxMessage

JSON = {"Content-Type": "application/json"}


@pytest.fixture
async def bench_data(database_url):
    """A small benchmark data set: 120 contacts over the builder accounts, jobs, leads."""
    await generate(database_url, 120)


@pytest.fixture
async def baseline_app(settings):
    app = baseline.create_app(settings)
    yield app
    await app.state.engine.dispose()


@pytest.fixture
async def baseline_client(baseline_app):
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=baseline_app), base_url="http://baseline") as http:
        yield http


@pytest.fixture
def baseline_sql_counter(baseline_app):
    return SqlCounter(baseline_app.state.engine)


async def post(client, token: str, query: str, variables: dict | None = None) -> httpx.Response:
    body = {"query": query, **({"variables": variables} if variables is not None else {})}
    return await client.post("/graphql", content=orjson.dumps(body),
                             headers={**JSON, "Authorization": f"Bearer {token}"})


# The two reads of the benchmark, as their viewers send them.
READS = pytest.mark.parametrize(
    ("token", "query", "variables"),
    [(OWNER_TOKEN, queries.PROFILE, None), (BUILDER_TOKEN, queries.LIST, queries.LIST_VARIABLES)],
    ids=["profile", "list"],
)


@pytest.fixture
async def peer_client(settings):
    app = peer.create_app(settings)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://peer") as http:
        yield http
    await app.state.engine.dispose()


@READS
async def test_baseline_and_plain_strawberry_peer_answer_what_graphql_answers(
    bench_data, client, baseline_client, peer_client, token, query, variables
):
    graphql = await post(client, token, query, variables)
    assert "errors" not in graphql.json()
    assert (await post(baseline_client, token, query, variables)).content == graphql.content
    # Strawberry's own view spaces its JSON otherwise: the same document, not the same bytes.
    assert (await post(peer_client, token, query, variables)).json() == graphql.json()


CO_OWNERS_IN_FULL = """
{ me { ... on OwnerUser { contact { jobs { owners { id displayName firstName phone primaryEmail emails
  address { city } profileImage { url } jobs { id } } } } } } }
"""


async def test_plain_strawberry_peer_shows_co_owners_by_name_only_as_graphql_does(bench_data, client, peer_client):
    graphql = (await post(client, OWNER_TOKEN, CO_OWNERS_IN_FULL)).json()
    owners = [owner for job in graphql["data"]["me"]["contact"]["jobs"] for owner in job["owners"]]
    assert any(owner["emails"] == [] and owner["jobs"] == [] for owner in owners)  # a co-owner, by name only
    assert any(owner["emails"] != [] for owner in owners)  # the viewer
    assert (await post(peer_client, OWNER_TOKEN, CO_OWNERS_IN_FULL)).json() == graphql


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


async def test_profile_shows_the_owners_image_url(bench_data, client, settings):
    contact = (await post(client, OWNER_TOKEN, queries.PROFILE)).json()["data"]["me"]["contact"]
    assert re.fullmatch(re.escape(settings.APP_URL) + r"/media/[0-9a-f]{32}-64\.webp", contact["profileImage"]["url"])


async def test_profile_costs_two_statements_on_the_server_and_three_on_the_baseline(
    bench_data, client, baseline_client, sql_counter, baseline_sql_counter
):
    with sql_counter:
        await post(client, OWNER_TOKEN, queries.PROFILE)
    with baseline_sql_counter:
        await post(baseline_client, OWNER_TOKEN, queries.PROFILE)
    # The server: the session lookup with the user, account and contact with its emails
    # (and image); jobs with their owners. The baseline looks the session up on its own.
    assert (sql_counter.count, baseline_sql_counter.count) == (2, 3)


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
    # createContact: session lookup; duplicate check; the contact; its emails (one INSERT);
    # timeline entries. setAdditionalEmails: session lookup; the contact with its emails under
    # lock; version; the emails replaced (DELETE, one INSERT); timeline entries. Both answer
    # from what their unit of work holds.
    assert (create_count, sql_counter.count) == (5, 6)


CANCEL_INVITE = """mutation($input: ContactIdInput!) { cancelInvite(input: $input) { userErrors { code } } }"""
EXPIRY = re.compile(r"on \d{1,2} \w+ \d{4} at \d\d:\d\d UTC")


async def an_inactive_contact(engine) -> int:
    """A generated INACTIVE contact of the viewers' account, with a primary and additional emails."""
    async with engine.connect() as conn:
        return (await conn.execute(
            select(Contact.id).join(ContactEmail, ContactEmail.contact_id == Contact.id)
            .where(Contact.builder_account_id == 1, Contact.activation_status == ActivationStatus.INACTIVE,
                   Contact.primary_email.is_not(None))
            .order_by(Contact.id).limit(1)
        )).scalar_one()


async def invite_state(engine, contact_id: int) -> dict:
    """What an invite leaves behind: the contact's status and version, its one live
    invite and the newest mail to it, with the token and the expiry wording masked
    (they differ between any two invites)."""
    invites, mails = Invite.__table__, OutboxMessage.__table__
    async with engine.connect() as conn:
        contact = (await conn.execute(
            select(Contact.activation_status, Contact.version, Contact.primary_email).where(Contact.id == contact_id)
        )).one()
        [invite] = (await conn.execute(select(invites).where(
            invites.c.contact_id == contact_id, invites.c.used_at.is_(None), invites.c.revoked_at.is_(None)))).all()
        mail = (await conn.execute(select(mails).where(mails.c.recipient == contact.primary_email)
                                   .order_by(mails.c.id.desc()).limit(1))).one()
    token = re.search(r"token=([A-Za-z0-9_-]+)", mail.body_text).group(1)
    assert hash_token(token) == invite.token_hash

    def masked(text: str) -> str:
        return EXPIRY.sub("<expiry>", text.replace(token, "<token>"))

    return {
        "status": contact.activation_status, "version": contact.version, "sent_to": invite.sent_to,
        "lifetime": invite.expires_at - invite.sent_at,
        "mail": (mail.builder_account_id, mail.channel, mail.subject, masked(mail.body_text),
                 masked(mail.body_html), mail.attempts, mail.sent_at),
    }


async def test_send_invite_answers_and_writes_on_the_baseline_what_graphql_does(
    bench_data, app, client, baseline_client, settings
):
    engine = app.state.engine
    contact_id = await an_inactive_contact(engine)
    variables = {"input": {"contactId": baseline.global_id("Contact", contact_id)}}
    graphql = await post(client, BUILDER_TOKEN, queries.SEND_INVITE, variables)
    after_graphql = await invite_state(engine, contact_id)
    # Back to INACTIVE (the invite revoked), so the baseline sends a first invite too.
    cancelled = (await post(client, BUILDER_TOKEN, CANCEL_INVITE, variables)).json()
    assert cancelled["data"]["cancelInvite"]["userErrors"] == []
    hand_written = await post(baseline_client, BUILDER_TOKEN, queries.SEND_INVITE, variables)
    after_baseline = await invite_state(engine, contact_id)

    assert graphql.json()["data"]["sendInvite"]["contact"]["activationStatus"] == "PENDING"
    assert hand_written.content == graphql.content
    assert after_graphql["lifetime"] == timedelta(hours=settings.INVITE_TTL_HOURS)
    # The version counts each write: the first invite, the cancel, the second invite.
    assert after_baseline == {**after_graphql, "version": after_graphql["version"] + 2}


CREATE_WITH_PRIMARY = {"input": {"firstName": "Twin", "primaryEmail": "twin@example.net"}}


@pytest.mark.parametrize(("refusal", "code"), [
    ("email claimed", "EMAIL_IN_USE"), ("already active", "INVALID_STATUS"), ("unknown contact", "NOT_FOUND"),
])
async def test_refused_invites_answer_alike(bench_data, client, baseline_client, refusal, code):
    if refusal == "email claimed":
        ids = [(await post(client, BUILDER_TOKEN, queries.CREATE_CONTACT, CREATE_WITH_PRIMARY)).json()
               ["data"]["createContact"]["contact"]["id"] for _ in range(2)]
        await post(client, BUILDER_TOKEN, queries.SEND_INVITE, {"input": {"contactId": ids[0]}})
        target = ids[1]
    else:
        target = baseline.global_id("Contact", 1 if refusal == "already active" else 999_999)
    variables = {"input": {"contactId": target}}
    graphql = await post(client, BUILDER_TOKEN, queries.SEND_INVITE, variables)
    hand_written = await post(baseline_client, BUILDER_TOKEN, queries.SEND_INVITE, variables)
    assert [e["code"] for e in graphql.json()["data"]["sendInvite"]["userErrors"]] == [code]
    assert hand_written.content == graphql.content


async def test_send_invite_statement_counts(
    bench_data, app, client, baseline_client, sql_counter, baseline_sql_counter
):
    engine = app.state.engine
    target = baseline.global_id("Contact", await an_inactive_contact(engine))
    with sql_counter:
        await post(client, BUILDER_TOKEN, queries.SEND_INVITE, {"input": {"contactId": target}})
    target = baseline.global_id("Contact", await an_inactive_contact(engine))  # the next: that one is PENDING now
    with baseline_sql_counter:
        answer = await post(baseline_client, BUILDER_TOKEN, queries.SEND_INVITE, {"input": {"contactId": target}})
    assert answer.json()["data"]["sendInvite"]["userErrors"] == []
    # server: session lookup; the contact with its emails, builder name and whether an invite
    # is live, under lock; status (the claimed-email index decides); invite; mail; timeline
    # entries. A first send has no live invite to revoke; the payload is what the unit of work holds.
    # baseline: session lookup; the contact with its emails and builder name under lock;
    # status (the claimed-email index decides); revoke; invite; mail; timeline entries.
    assert (sql_counter.count, baseline_sql_counter.count) == (6, 7)


async def test_instruction_counts_send_what_the_benchmark_sends(bench_data, app, client, baseline_app):
    """bench/instructions.py's raw ASGI calls are answered as the benchmark's HTTP
    requests are, and its write mix takes a contact through its three mutations."""
    for name, (body, token) in instructions.READ_BODIES.items():
        over_http = await client.post("/graphql", content=body, headers={**JSON, "Authorization": f"Bearer {token}"})
        assert await instructions.call(app, body, token) == (200, over_http.content), name
        assert await instructions.call(baseline_app, body, token) == (200, over_http.content), name
    writes = instructions.Writes()
    answers = [orjson.loads((await writes.send(app))[1])["data"] for _ in range(3)]
    assert [next(iter(data)) for data in answers] == ["createContact", "setAdditionalEmails", "sendInvite"]
    assert all(not data[name]["userErrors"] for data in answers for name in data)
    assert answers[2]["sendInvite"]["contact"]["activationStatus"] == "PENDING"

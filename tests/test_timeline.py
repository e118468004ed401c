"""The contact's timeline (issue 19): every change to a contact and every message to
it, on record with its actor, written with the change, read newest first through
`Contact.timeline`; the owner reads their own, filtered; nobody else reads any."""

from __future__ import annotations

from datetime import timedelta

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import func, select

from activation_support import (  # noqa: F401 - fixtures
    REQUEST_RESET,
    RESET_PASSWORD,
    Inbox,
    SmtpServer,
    accept,
    clock,
    create_contact,
    deliver,
    free_port,
    link_token,
    send_invite,
    smtp,
)
from conftest import SqlCounter, counted_engines, gql
from hardening_support import app_client
from mail.sender import OutboxSender
from mail.transports import FileSmsTransport
from merge_support import merge, undo
from models import ContactEvent, OutboxMessage
from test_profile_images import set_image, webp_photo
from jobs_leads_support import SET_VALUES, add_owner, define_field, new_job

TIMELINE = """
query($id: ID!, $first: Int!, $after: String, $kinds: [TimelineEventKind!]) {
  contact(id: $id) {
    timeline(first: $first, after: $after, kinds: $kinds) {
      totalCount
      pageInfo { hasNextPage hasPreviousPage endCursor }
      edges {
        cursor
        node {
          kind occurredAt contactId
          actor { kind name }
          changes { field oldValue newValue }
          related { typeName id name }
          message { kind channel recipient subject state attempts lastError sentAt }
        }
      }
    }
  }
}
"""
UPDATE_INFO = """
mutation($input: UpdateContactInfoInput!) { updateContactInfo(input: $input) { userErrors { code message } } }
"""
DEACTIVATE = "mutation($id: ID!) { deactivateOwner(input: {contactId: $id}) { userErrors { code } } }"
DANA = "dana@example.com"
DANA_PASSWORD = "a porch swing in the rain"


async def timeline(actor, contact_id: str, *, first: int = 100, after=None, kinds=None, expect_errors=False):
    body = await actor.gql(
        TIMELINE, {"id": contact_id, "first": first, "after": after, "kinds": kinds}, expect_errors=expect_errors
    )
    contact = body["data"]["contact"]
    return None if contact is None else contact["timeline"]


async def events(actor, contact_id: str, **kwargs) -> list[dict]:
    return [edge["node"] for edge in (await timeline(actor, contact_id, **kwargs))["edges"]]


def summary(nodes: list[dict]) -> list[tuple]:
    """Oldest first: (kind, actor kind, actor name, message kind or None)."""
    return [
        (n["kind"], n["actor"]["kind"], n["actor"]["name"], n["message"] and n["message"]["kind"])
        for n in reversed(nodes)
    ]


async def event_rows(app) -> int:
    async with app.state.engine.connect() as connection:
        return (await connection.execute(select(func.count()).select_from(ContactEvent))).scalar_one()


# --- the scripted life of one contact --------------------------------------------------


async def test_the_life_of_a_contact_is_on_its_timeline_in_order_with_its_actors(
    app, client, builder, other_builder, deliver, smtp, settings, tmp_path
):
    admin = builder.username
    twin = await create_contact(builder, firstName="Dana", lastName="Twin")
    dana = await create_contact(builder, firstName="Dana", primaryEmail=DANA)
    assert (await builder.gql(UPDATE_INFO, {"input": {"contactId": dana, "phone": "555 0100"}}))[
        "data"]["updateContactInfo"]["userErrors"] == []
    await send_invite(builder, dana)
    await send_invite(builder, dana)  # the resend
    await deliver()
    token = link_token(smtp.inbox.to(DANA)[-1], settings.APP_URL, "accept-invite")
    accepted = await accept(client, token, "dana")
    assert accepted["userErrors"] == []
    owner = type(builder)(client, accepted["token"], "dana")
    assert (await owner.gql(UPDATE_INFO, {"input": {"contactId": dana, "firstName": "Danielle"}}))[
        "data"]["updateContactInfo"]["userErrors"] == []
    assert (await set_image(owner, webp_photo()))["userErrors"] == []
    job = await new_job(builder, "Lakeside build")
    assert (await add_owner(builder, job, dana))["userErrors"] == []
    lot = await define_field(builder, "Lot", "TEXT", visible=True)
    margin = await define_field(builder, "Margin", "NUMBER", visible=False)
    values = [{"fieldId": lot, "value": "12"}, {"fieldId": margin, "value": "18.5"}]
    assert (await builder.gql(SET_VALUES, {"input": {"contactId": dana, "values": values}}))[
        "data"]["setCustomFieldValues"]["userErrors"] == []
    assert (await gql(client, REQUEST_RESET, {"login": "dana"}))["data"]["requestPasswordReset"]["ok"]
    await deliver()
    reset_token = link_token(smtp.inbox.to(DANA)[-1], settings.APP_URL, "reset-password")
    reset = (await gql(client, RESET_PASSWORD, {"token": reset_token, "password": "a brand new passphrase"}))
    owner.token = reset["data"]["resetPassword"]["token"]
    assert owner.token

    # What the owner reads of their own timeline: no custom field they may not see,
    # and the builder's staff by role, not by name; nobody reads an owner's username.
    owner_view = await events(owner, dana)
    assert summary(owner_view) == [
        ("CONTACT_CREATED", "BUILDER_USER", None, None),
        ("INFO_CHANGED", "BUILDER_USER", None, None),
        ("INVITE_SENT", "BUILDER_USER", None, None),
        ("MESSAGE", "BUILDER_USER", None, "INVITE"),
        ("INVITE_RESENT", "BUILDER_USER", None, None),
        ("MESSAGE", "BUILDER_USER", None, "INVITE"),
        ("INVITE_ACCEPTED", "OWNER", None, None),
        ("INFO_CHANGED", "OWNER", None, None),
        ("PROFILE_IMAGE_SET", "OWNER", None, None),
        ("ADDED_TO_JOB", "BUILDER_USER", None, None),
        ("MESSAGE", "BUILDER_USER", None, "ADDED_TO_JOB"),
        ("CUSTOM_FIELDS_SET", "BUILDER_USER", None, None),
        ("PASSWORD_RESET_REQUESTED", "SYSTEM", None, None),
        ("MESSAGE", "SYSTEM", None, "PASSWORD_RESET"),
        ("PASSWORD_RESET_COMPLETED", "OWNER", None, None),
    ]
    [visible_fields] = [n for n in owner_view if n["kind"] == "CUSTOM_FIELDS_SET"]
    assert visible_fields["changes"] == [{"field": "Lot", "oldValue": None, "newValue": "12"}]

    assert (await builder.gql(DEACTIVATE, {"id": dana}))["data"]["deactivateOwner"]["userErrors"] == []
    merged = await merge(builder, dana, [twin])
    assert merged["userErrors"] == []
    after_merge = await events(builder, dana)
    # The twin's own history now shows on the survivor (its creation), once.
    assert summary(after_merge) == [
        ("CONTACT_CREATED", "BUILDER_USER", admin, None),
        ("CONTACT_CREATED", "BUILDER_USER", admin, None),
        ("INFO_CHANGED", "BUILDER_USER", admin, None),
        ("INVITE_SENT", "BUILDER_USER", admin, None),
        ("MESSAGE", "BUILDER_USER", admin, "INVITE"),
        ("INVITE_RESENT", "BUILDER_USER", admin, None),
        ("MESSAGE", "BUILDER_USER", admin, "INVITE"),
        ("INVITE_ACCEPTED", "OWNER", None, None),
        ("INFO_CHANGED", "OWNER", None, None),
        ("PROFILE_IMAGE_SET", "OWNER", None, None),
        ("ADDED_TO_JOB", "BUILDER_USER", admin, None),
        ("MESSAGE", "BUILDER_USER", admin, "ADDED_TO_JOB"),
        ("CUSTOM_FIELDS_SET", "BUILDER_USER", admin, None),
        ("CUSTOM_FIELDS_SET", "BUILDER_USER", admin, None),
        ("PASSWORD_RESET_REQUESTED", "SYSTEM", None, None),
        ("MESSAGE", "SYSTEM", None, "PASSWORD_RESET"),
        ("PASSWORD_RESET_COMPLETED", "OWNER", None, None),
        ("OWNER_DEACTIVATED", "BUILDER_USER", admin, None),
        ("MERGED", "BUILDER_USER", admin, None),
    ]
    assert after_merge[-1]["contactId"] == twin and after_merge[-2]["contactId"] == dana
    assert after_merge[0]["related"] == [{"typeName": "Contact", "id": twin, "name": "Dana Twin"}]

    undone = await undo(builder, merged["merge"]["id"])
    assert undone["userErrors"] == []
    after_undo = await events(builder, dana)
    assert [n["kind"] for n in after_undo] == ["MERGE_UNDONE", *[n["kind"] for n in after_merge if n["contactId"] == dana]]
    assert summary(await events(builder, twin)) == [
        ("CONTACT_CREATED", "BUILDER_USER", admin, None),
        ("MERGED_INTO", "BUILDER_USER", admin, None),
        ("MERGE_UNDONE", "BUILDER_USER", admin, None),
    ]

    # The details: who changed what from what, which job, which messages went where.
    by_kind = {}
    for node in reversed(after_undo):
        by_kind.setdefault(node["kind"], []).append(node)
    assert [n["changes"] for n in by_kind["INFO_CHANGED"]] == [
        [{"field": "phone", "oldValue": None, "newValue": "555 0100"}],
        [{"field": "firstName", "oldValue": "Dana", "newValue": "Danielle"}],
    ]
    assert by_kind["ADDED_TO_JOB"][0]["related"] == [{"typeName": "Job", "id": job, "name": "Lakeside build"}]
    messages = [n["message"] for n in by_kind["MESSAGE"]]
    assert [(m["channel"], m["recipient"], m["state"], m["attempts"]) for m in messages] == [("EMAIL", DANA, "SENT", 1)] * 4
    assert all(m["subject"] for m in messages)

    # Another account reaches nothing: the contact is not there for it.
    assert await timeline(other_builder, dana) is None


async def test_nothing_on_the_timeline_holds_a_token_or_a_password(app, client, builder, deliver, smtp, settings):
    dana = await create_contact(builder, firstName="Dana", primaryEmail=DANA)
    await send_invite(builder, dana)
    await deliver()
    token = link_token(smtp.inbox.to(DANA)[-1], settings.APP_URL, "accept-invite")
    assert (await accept(client, token, "dana", DANA_PASSWORD))["userErrors"] == []
    body = await builder.gql(TIMELINE, {"id": dana, "first": 100})
    async with app.state.engine.connect() as connection:
        stored = [str(tuple(row)) for row in (await connection.execute(select(ContactEvent))).all()]
    for text in [str(body), *stored]:
        assert token not in text and DANA_PASSWORD not in text


# --- messages and their delivery -------------------------------------------------------


class RefusingInbox(Inbox):
    """An SMTP server that refuses one mailbox, as a real one does for a bad address."""

    def __init__(self, refused: str):
        super().__init__()
        self.refused = refused

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address == self.refused:
            return "550 5.1.1 mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"


@pytest.fixture
def refusing_smtp():
    inbox = RefusingInbox("nobody@example.com")
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield SmtpServer("127.0.0.1", controller.port, inbox)
    controller.stop()


async def test_a_refused_message_shows_its_error_then_fails_after_the_last_attempt(
    app, builder, refusing_smtp, tmp_path, clock
):
    sender = OutboxSender(
        app.state.session_factory, refusing_smtp.transport(), FileSmsTransport(tmp_path), max_attempts=2, clock=clock,
    )
    refused = await create_contact(builder, firstName="Nobody", primaryEmail="nobody@example.com")
    fine = await create_contact(builder, firstName="Dana", primaryEmail=DANA)
    await send_invite(builder, refused)
    await send_invite(builder, fine)

    async def message(contact_id: str) -> dict:
        [node] = await events(builder, contact_id, kinds=["MESSAGE"])
        return node["message"]

    queued = await message(refused)
    assert (queued["state"], queued["attempts"], queued["lastError"], queued["sentAt"]) == ("QUEUED", 0, None, None)

    assert await sender.drain_once() == 1
    first = await message(refused)
    assert (first["state"], first["attempts"]) == ("RETRYING", 1)
    assert "550" in first["lastError"] and "mailbox unavailable" in first["lastError"]
    delivered = await message(fine)
    assert (delivered["state"], delivered["attempts"], delivered["lastError"]) == ("SENT", 1, None)
    assert delivered["sentAt"] is not None
    assert [m["To"] for m in refusing_smtp.inbox.messages] == [DANA]

    clock.freeze()
    clock.advance(timedelta(hours=1))  # past the backoff
    assert await sender.drain_once() == 0
    last = await message(refused)
    assert (last["state"], last["attempts"]) == ("FAILED", 2)
    assert "550" in last["lastError"]
    clock.advance(timedelta(hours=2))
    assert await sender.drain_once() == 0  # given up: never tried again
    assert (await message(refused))["attempts"] == 2


async def test_an_expired_invite_is_recorded_when_the_builder_next_acts_on_it(builder, clock, settings):
    clock.freeze()
    dana = await create_contact(builder, firstName="Dana", primaryEmail=DANA)
    await send_invite(builder, dana)
    sent_at = clock()
    clock.advance(timedelta(hours=settings.INVITE_TTL_HOURS + 1))
    await send_invite(builder, dana)
    nodes = await events(builder, dana, kinds=["INVITE_SENT", "INVITE_EXPIRED", "INVITE_RESENT"])
    assert summary(nodes) == [
        ("INVITE_SENT", "BUILDER_USER", builder.username, None),
        ("INVITE_EXPIRED", "SYSTEM", None, None),
        ("INVITE_RESENT", "BUILDER_USER", builder.username, None),
    ]
    expired_at = nodes[1]["occurredAt"]
    assert expired_at.startswith((sent_at + timedelta(hours=settings.INVITE_TTL_HOURS)).isoformat()[:16])


# --- who sees what ---------------------------------------------------------------------


async def test_an_owner_never_reads_a_co_owners_timeline(app, client, builder, owner):
    from conftest import make_active_owner
    from jobs_leads_support import contact_gid

    co_owner, co_owner_contact = await make_active_owner(app, client, builder, first_name="Cleo")
    job = await new_job(builder, "Shared home")
    own, other = contact_gid(owner.contact_id), contact_gid(co_owner_contact)
    for contact_id in (own, other):
        assert (await add_owner(builder, job, contact_id))["userErrors"] == []
    # Through the job the owner sees the co-owner by name; the co-owner's timeline is empty.
    body = await owner.gql("""
      query($job: ID!) { node(id: $job) { ... on Job { owners { id timeline(first: 10) { totalCount edges { cursor } } } } } }
    """, {"job": job})
    owners = {o["id"]: o["timeline"] for o in body["data"]["node"]["owners"]}
    assert owners[other] == {"totalCount": 0, "edges": []}
    assert owners[own]["totalCount"] == 2  # their own: added to the job, and told so
    assert [n["kind"] for n in await events(co_owner, other)] == ["MESSAGE", "ADDED_TO_JOB"]


async def test_builder_internal_entries_stay_with_the_builder(builder, owner):
    from jobs_leads_support import contact_gid, new_lead

    own = contact_gid(owner.contact_id)
    secret = await define_field(builder, "Credit check", "TEXT", visible=False)
    await builder.gql(SET_VALUES, {"input": {"contactId": own, "values": [{"fieldId": secret, "value": "ok"}]}})
    await new_lead(builder, "Second home", [own])
    assert [n["kind"] for n in await events(builder, own)] == ["ADDED_TO_LEAD", "CUSTOM_FIELDS_SET"]
    assert await events(owner, own) == []
    assert (await timeline(owner, own))["totalCount"] == 0


async def test_a_refused_change_records_nothing(app, builder):
    dana = await create_contact(builder, firstName="Dana", primaryEmail=DANA)
    before = await event_rows(app)
    body = await builder.gql(UPDATE_INFO, {"input": {"contactId": dana, "primaryEmail": "not an email"}})
    assert [e["code"] for e in body["data"]["updateContactInfo"]["userErrors"]] == ["INVALID_EMAIL"]
    unchanged = await builder.gql(UPDATE_INFO, {"input": {"contactId": dana, "firstName": "Dana"}})
    assert unchanged["data"]["updateContactInfo"]["userErrors"] == []
    assert await event_rows(app) == before


# --- paging, filtering, cost -----------------------------------------------------------


async def test_pages_run_newest_first_and_filter_by_kind(builder):
    dana = await create_contact(builder, firstName="Dana")
    for number in range(5):
        await builder.gql(UPDATE_INFO, {"input": {"contactId": dana, "phone": f"555 010{number}"}})
    first = await timeline(builder, dana, first=4)
    assert first["totalCount"] == 6 and first["pageInfo"]["hasNextPage"] and not first["pageInfo"]["hasPreviousPage"]
    second = await timeline(builder, dana, first=4, after=first["pageInfo"]["endCursor"])
    assert not second["pageInfo"]["hasNextPage"] and second["pageInfo"]["hasPreviousPage"]
    phones = [e["node"]["changes"][0]["newValue"] for e in first["edges"] + second["edges"][:1]]
    assert phones == [f"555 010{n}" for n in (4, 3, 2, 1, 0)]
    assert [e["node"]["kind"] for e in second["edges"]] == ["INFO_CHANGED", "CONTACT_CREATED"]
    only = await timeline(builder, dana, kinds=["CONTACT_CREATED"])
    assert only["totalCount"] == 1 and [e["node"]["kind"] for e in only["edges"]] == ["CONTACT_CREATED"]


CONTACT_ALONE = "query($id: ID!) { contact(id: $id) { id } }"
CONTACT_WITH_PAGE = """
query($id: ID!) {
  contact(id: $id) { id timeline(first: 100) { edges { cursor node { kind actor { name } message { state } } } } }
}
"""
CONTACT_WITH_PAGE_AND_TOTAL = CONTACT_WITH_PAGE.replace("timeline(first: 100) {", "timeline(first: 100) { totalCount")


@pytest.mark.parametrize("size", [1, 30])
async def test_a_page_of_the_timeline_costs_two_statements_whatever_its_size(builder, settings, size):
    dana = await create_contact(builder, firstName="Dana", primaryEmail=DANA)
    for number in range(size):
        await builder.gql(UPDATE_INFO, {"input": {"contactId": dana, "lastName": f"Name {number}"}})
    await send_invite(builder, dana)
    counts = []
    # Counted on graphql-core's executor, where the timeline runs (planner/ does not
    # cover it), so that the contact alone is read the same way as with its page.
    async with app_client(settings, PLANNED_READS=False) as http:
        sql_counter = SqlCounter(*counted_engines(http.app))
        await gql(http, CONTACT_ALONE, {"id": dana}, token=builder.token)  # a new app's first request checks the migration
        for query in (CONTACT_ALONE, CONTACT_WITH_PAGE, CONTACT_WITH_PAGE_AND_TOTAL):
            with sql_counter:
                body = await gql(http, query, {"id": dana}, token=builder.token)
            counts.append(sql_counter.count)
    assert len(body["data"]["contact"]["timeline"]["edges"]) == size + 3
    # The page with its actors and messages is one statement; its total one more.
    assert [count - counts[0] for count in counts] == [0, 1, 2]


async def test_a_mutation_writes_all_its_events_in_one_statement(app, builder, sql_counter):
    survivor = await create_contact(builder, firstName="Dana", primaryEmail=DANA)
    others = [await create_contact(builder, firstName=f"Dup {n}") for n in range(3)]
    recorded = await event_rows(app)
    with sql_counter:
        assert (await merge(builder, survivor, others))["userErrors"] == []
    inserts = [s for s in sql_counter.statements if s.lstrip().upper().startswith("INSERT INTO CONTACT_EVENTS")]
    assert len(inserts) == 1
    assert await event_rows(app) == recorded + 4  # MERGED on the survivor, MERGED_INTO on each of three


# --- retention -------------------------------------------------------------------------


async def test_prune_timeline_drops_old_message_bodies_and_keeps_the_facts(
    app, builder, deliver, smtp, database_url, clock
):
    import os
    import subprocess
    import sys
    from pathlib import Path

    from sqlalchemy import update

    old = await create_contact(builder, firstName="Dana", primaryEmail=DANA)
    unsent = await create_contact(builder, firstName="Nora", primaryEmail="nora@example.com")
    recent = await create_contact(builder, firstName="Rhea", primaryEmail="rhea@example.com")
    await send_invite(builder, old)
    await send_invite(builder, recent)
    await deliver()
    await send_invite(builder, unsent)  # still queued: its body is still to be sent
    async with app.state.engine.begin() as connection:
        await connection.execute(
            update(OutboxMessage).where(OutboxMessage.recipient != "rhea@example.com")
            .values(created_at=clock() - timedelta(days=40))
        )
    before = await events(builder, old, kinds=["MESSAGE"])

    root = Path(__file__).resolve().parent.parent
    done = subprocess.run(
        [sys.executable, str(root / "cli.py"), "prune-timeline", "--older-than", "30"],
        capture_output=True, text=True, env={**os.environ, "DATABASE_URL": database_url}, cwd=root, timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "dropped the bodies of 1 message(s) older than 30 day(s)"

    async with app.state.engine.connect() as connection:
        bodies = dict((await connection.execute(select(OutboxMessage.recipient, OutboxMessage.body_text))).all())
    assert bodies[DANA] == ""
    assert "accept-invite" in bodies["nora@example.com"] and "accept-invite" in bodies["rhea@example.com"]
    assert await events(builder, old, kinds=["MESSAGE"]) == before
    assert before[0]["message"]["state"] == "SENT" and before[0]["message"]["subject"]


# --- a primary email change that proves itself (SPEC 12) -------------------------------


async def test_a_primary_email_change_is_requested_confirmed_or_cancelled_on_the_timeline(
    builder, client, deliver, smtp, settings
):
    from test_email_change import CANCEL, CONFIRM

    dana = await create_contact(builder, firstName="Dana", primaryEmail=DANA)
    await send_invite(builder, dana)
    await deliver()
    accepted = await accept(client, link_token(smtp.inbox.to(DANA)[-1], settings.APP_URL, "accept-invite"), "dana")
    owner = type(builder)(client, accepted["token"], "dana")
    for new in ("first.try@example.org", "dana.reyes@example.org"):
        asked = await owner.gql(UPDATE_INFO, {"input": {"contactId": dana, "primaryEmail": new}})
        assert asked["data"]["updateContactInfo"]["userErrors"] == []
        if new.startswith("first"):
            assert (await owner.gql(CANCEL))["data"]["cancelEmailChange"]["userErrors"] == []
    await deliver()
    token = link_token(smtp.inbox.to("dana.reyes@example.org")[-1], settings.APP_URL, "confirm-email")
    assert (await gql(client, CONFIRM, {"token": token}))["data"]["confirmEmailChange"]["ok"]

    nodes = await events(builder, dana, kinds=[
        "EMAIL_CHANGE_REQUESTED", "EMAIL_CHANGE_CANCELLED", "EMAIL_CHANGE_CONFIRMED", "MESSAGE", "INFO_CHANGED"])
    assert summary(nodes)[1:] == [
        ("EMAIL_CHANGE_REQUESTED", "OWNER", None, None),
        ("MESSAGE", "OWNER", None, "EMAIL_CHANGE_CONFIRMATION"),
        ("MESSAGE", "OWNER", None, "EMAIL_CHANGE_NOTICE"),
        ("EMAIL_CHANGE_CANCELLED", "OWNER", None, None),
        ("EMAIL_CHANGE_REQUESTED", "OWNER", None, None),
        ("MESSAGE", "OWNER", None, "EMAIL_CHANGE_CONFIRMATION"),
        ("MESSAGE", "OWNER", None, "EMAIL_CHANGE_NOTICE"),
        ("EMAIL_CHANGE_CONFIRMED", "OWNER", None, None),
    ]
    assert nodes[0]["changes"] == [
        {"field": "primaryEmail", "oldValue": DANA, "newValue": "dana.reyes@example.org"}]
    confirmation, notice = nodes[2]["message"], nodes[1]["message"]
    assert (confirmation["recipient"], notice["recipient"]) == ("dana.reyes@example.org", DANA)
    assert confirmation["state"] == notice["state"] == "SENT"
    # Asking changed nothing yet: no INFO_CHANGED entry for the primary email.
    assert "INFO_CHANGED" not in [n["kind"] for n in nodes]


async def test_last_and_before_page_backwards_from_the_oldest(builder):
    dana = await create_contact(builder, firstName="Dana")
    for number in range(4):
        await builder.gql(UPDATE_INFO, {"input": {"contactId": dana, "phone": f"555 010{number}"}})
    query = """
      query($id: ID!, $last: Int, $before: String) {
        contact(id: $id) { timeline(last: $last, before: $before) {
          pageInfo { hasNextPage hasPreviousPage startCursor } edges { node { kind changes { newValue } } } } }
      }
    """
    oldest = (await builder.gql(query, {"id": dana, "last": 2}))["data"]["contact"]["timeline"]
    assert [(e["node"]["kind"], e["node"]["changes"][-1]["newValue"]) for e in oldest["edges"]] == [
        ("INFO_CHANGED", "555 0100"), ("CONTACT_CREATED", "Dana")]
    assert oldest["pageInfo"]["hasPreviousPage"] and not oldest["pageInfo"]["hasNextPage"]
    newer = (await builder.gql(query, {"id": dana, "last": 2, "before": oldest["pageInfo"]["startCursor"]}))
    page = newer["data"]["contact"]["timeline"]
    assert [e["node"]["changes"][0]["newValue"] for e in page["edges"]] == ["555 0102", "555 0101"]
    assert page["pageInfo"]["hasPreviousPage"] and page["pageInfo"]["hasNextPage"]

"""Owner Contacts: create, edit, emails (SPEC 2, 2.2, 2.3 rules 1, 4, 6), through GraphQL."""

from __future__ import annotations

from contextlib import contextmanager

import pytest
from sqlalchemy import func, select, update
from strawberry.relay import from_base64

from models import Contact, ContactEmail

CONTACT_FIELDS = """
  id firstName lastName displayName phone cellPhone primaryEmail additionalEmails emails activationStatus
  address { street city state postalCode }
  viewerCan { editInfo editAdditionalEmails editCustomFields setProfileImage invite cancelInvite deactivate merge delete lockedReason }
"""
PAYLOAD = f"""
  contact {{ {CONTACT_FIELDS} }}
  conflictingContact {{ id displayName }}
  duplicateContacts {{ id displayName }}
  userErrors {{ field code message }}
"""
CREATE = f"mutation($input: CreateContactInput!) {{ createContact(input: $input) {{ {PAYLOAD} }} }}"
UPDATE = f"mutation($input: UpdateContactInfoInput!) {{ updateContactInfo(input: $input) {{ {PAYLOAD} }} }}"
SET_EMAILS = f"mutation($input: SetAdditionalEmailsInput!) {{ setAdditionalEmails(input: $input) {{ {PAYLOAD} }} }}"
PROMOTE = f"mutation($input: PromoteAdditionalEmailInput!) {{ promoteAdditionalEmail(input: $input) {{ {PAYLOAD} }} }}"
DELETE = "mutation($input: ContactIdInput!) { deleteContact(input: $input) { ok userErrors { field code message } } }"
CONTACT = f"query($id: ID!) {{ contact(id: $id) {{ {CONTACT_FIELDS} }} }}"
NODE = "query($id: ID!) { node(id: $id) { __typename id ... on Contact { displayName } } }"
CONTACTS = """
query($first: Int!, $after: String, $search: String, $status: [ActivationStatus!], $orderBy: ContactOrder) {
  contacts(first: $first, after: $after, search: $search, status: $status, orderBy: $orderBy) {
    totalCount
    edges { cursor node { id displayName lastName emails } }
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
  }
}
"""
EXACT_EMAIL_IN_USE = "This email is currently the Primary Email associated with another account."


async def create(actor, **fields) -> dict:
    body = await actor.gql(CREATE, {"input": fields})
    return body["data"]["createContact"]


async def contact_rows(app) -> list[tuple]:
    """Every contact and email row, to prove that a refused request wrote nothing."""
    async with app.state.session_factory() as session:
        contacts = (await session.execute(select(Contact).order_by(Contact.id))).scalars().all()
        emails = (await session.execute(select(ContactEmail).order_by(ContactEmail.id))).scalars().all()
        return [
            tuple(getattr(c, col.key) for col in Contact.__table__.columns) for c in contacts
        ] + [tuple(getattr(e, col.key) for col in ContactEmail.__table__.columns) for e in emails]


def codes(payload) -> list[str]:
    return [error["code"] for error in payload["userErrors"]]


async def test_create_contact_with_every_field(builder):
    payload = await create(
        builder,
        firstName=" Dana ",
        lastName="Reyes",
        phone="+1 (555) 010-2000",
        cellPhone="555-010-3000",
        address={"street": "1 Main St", "city": "Springfield", "state": "IL", "postalCode": "62701"},
        primaryEmail=" Dana@Example.com ",
        additionalEmails=["dana.work@example.com", "d.reyes@example.org"],
    )
    assert payload["userErrors"] == []
    contact = payload["contact"]
    assert contact["firstName"] == "Dana"
    assert contact["displayName"] == "Dana Reyes"
    assert contact["primaryEmail"] == "Dana@example.com"  # trimmed, domain lowercased (SPEC 12)
    assert contact["emails"] == ["Dana@example.com", "dana.work@example.com", "d.reyes@example.org"]
    assert contact["activationStatus"] == "INACTIVE"
    assert contact["address"] == {"street": "1 Main St", "city": "Springfield", "state": "IL", "postalCode": "62701"}
    assert contact["viewerCan"]["editInfo"] is True
    assert contact["viewerCan"]["setProfileImage"] is False
    read = await builder.gql(CONTACT, {"id": contact["id"]})
    assert read["data"]["contact"] == contact


@pytest.mark.parametrize(
    "fields, code, path",
    [
        ({"firstName": "A", "primaryEmail": "not-an-email"}, "INVALID_EMAIL", ["primaryEmail"]),
        ({"firstName": "A", "primaryEmail": "a@example.com", "additionalEmails": ["bad@"]}, "INVALID_EMAIL", ["additionalEmails", "0"]),
        ({"firstName": "A", "additionalEmails": ["x@example.com"]}, "PRIMARY_EMAIL_REQUIRED", ["additionalEmails"]),
        (
            {"firstName": "A", "primaryEmail": "a@example.com", "additionalEmails": [f"e{i}@example.com" for i in range(6)]},
            "EMAIL_LIMIT_EXCEEDED",
            ["additionalEmails"],
        ),
        (
            {"firstName": "A", "primaryEmail": "a@example.com", "additionalEmails": ["b@example.com", " B@EXAMPLE.com "]},
            "DUPLICATE_EMAIL",
            ["additionalEmails", "1"],
        ),
        ({"firstName": "A", "primaryEmail": "a@example.com", "additionalEmails": ["A@example.com "]}, "DUPLICATE_EMAIL", ["additionalEmails", "0"]),
        ({"phone": "555"}, "INVALID_INPUT", ["firstName"]),
        ({"firstName": "A", "phone": "call me maybe"}, "INVALID_INPUT", ["phone"]),
        ({"firstName": "x" * 101}, "INVALID_INPUT", ["firstName"]),
    ],
)
async def test_create_refuses_bad_input_and_writes_nothing(app, builder, fields, code, path):
    before = await contact_rows(app)
    payload = await create(builder, **fields)
    assert payload["contact"] is None
    assert code in codes(payload)
    assert path in [e["field"] for e in payload["userErrors"] if e["code"] == code]
    assert await contact_rows(app) == before


async def test_five_additional_emails_is_the_limit(builder):
    payload = await create(
        builder, firstName="A", primaryEmail="a@example.com", additionalEmails=[f"e{i}@example.com" for i in range(5)]
    )
    assert payload["userErrors"] == []
    assert len(payload["contact"]["emails"]) == 6
    sixth = await builder.gql(
        SET_EMAILS, {"input": {"contactId": payload["contact"]["id"], "emails": [f"e{i}@example.com" for i in range(6)]}}
    )
    assert codes(sixth["data"]["setAdditionalEmails"]) == ["EMAIL_LIMIT_EXCEEDED"]


async def test_additional_emails_may_repeat_across_contacts(builder):
    first = await create(builder, firstName="A", primaryEmail="a@example.com", additionalEmails=["shared@example.com"])
    second = await create(builder, firstName="B", primaryEmail="b@example.com", additionalEmails=["shared@example.com"])
    assert first["userErrors"] == second["userErrors"] == []


async def test_uninvited_contacts_may_share_a_primary_email_and_are_listed_as_duplicates(builder):
    first = await create(builder, firstName="Dana", primaryEmail="dana@example.com")
    second = await create(builder, firstName="Dana R", primaryEmail="DANA@example.com ")
    assert second["userErrors"] == []
    assert second["duplicateContacts"] == [{"id": first["contact"]["id"], "displayName": "Dana"}]
    edit = await builder.gql(UPDATE, {"input": {"contactId": first["contact"]["id"], "lastName": "Reyes"}})
    assert [c["id"] for c in edit["data"]["updateContactInfo"]["duplicateContacts"]] == [second["contact"]["id"]]


async def test_primary_email_of_an_active_owner_is_refused_with_the_exact_message(app, builder, owner):
    async with app.state.session_factory() as session:
        owner_email = (await session.execute(select(Contact.primary_email).where(Contact.id == owner.contact_id))).scalar_one()
    before = await contact_rows(app)
    payload = await create(builder, firstName="Copy", primaryEmail=owner_email.upper())
    assert payload["contact"] is None
    assert payload["userErrors"] == [{"field": ["primaryEmail"], "code": "EMAIL_IN_USE", "message": EXACT_EMAIL_IN_USE}]
    assert payload["conflictingContact"]["displayName"] == "Olive Owner"
    assert await contact_rows(app) == before

    other = await create(builder, firstName="Other", primaryEmail="other@example.com")
    edit = await builder.gql(UPDATE, {"input": {"contactId": other["contact"]["id"], "primaryEmail": owner_email}})
    assert edit["data"]["updateContactInfo"]["userErrors"][0]["message"] == EXACT_EMAIL_IN_USE
    assert edit["data"]["updateContactInfo"]["conflictingContact"]["displayName"] == "Olive Owner"


async def test_update_is_a_patch_absent_stays_null_clears(builder):
    created = await create(
        builder, firstName="Dana", lastName="Reyes", phone="555-0100",
        address={"street": "1 Main St", "city": "Springfield"}, primaryEmail="dana@example.com",
    )
    contact_id = created["contact"]["id"]
    body = await builder.gql(UPDATE, {"input": {"contactId": contact_id, "lastName": None, "address": {"city": "Shelbyville"}}})
    contact = body["data"]["updateContactInfo"]["contact"]
    assert contact["firstName"] == "Dana"
    assert contact["lastName"] is None
    assert contact["phone"] == "555-0100"
    assert contact["address"] == {"street": "1 Main St", "city": "Shelbyville", "state": None, "postalCode": None}
    body = await builder.gql(UPDATE, {"input": {"contactId": contact_id, "address": None}})
    assert body["data"]["updateContactInfo"]["contact"]["address"] is None


async def test_primary_email_cannot_be_cleared_while_additional_emails_exist(app, builder):
    created = await create(builder, firstName="A", primaryEmail="a@example.com", additionalEmails=["b@example.com"])
    before = await contact_rows(app)
    body = await builder.gql(UPDATE, {"input": {"contactId": created["contact"]["id"], "primaryEmail": None}})
    assert codes(body["data"]["updateContactInfo"]) == ["PRIMARY_EMAIL_REQUIRED"]
    assert await contact_rows(app) == before


async def test_primary_email_can_be_cleared_when_alone(builder):
    created = await create(builder, firstName="A", primaryEmail="a@example.com")
    body = await builder.gql(UPDATE, {"input": {"contactId": created["contact"]["id"], "primaryEmail": None}})
    assert body["data"]["updateContactInfo"]["contact"]["emails"] == []


async def test_set_additional_emails_replaces_the_list(builder):
    created = await create(builder, firstName="A", primaryEmail="a@example.com", additionalEmails=["b@example.com"])
    body = await builder.gql(
        SET_EMAILS, {"input": {"contactId": created["contact"]["id"], "emails": ["c@example.com", "d@example.com"]}}
    )
    assert body["data"]["setAdditionalEmails"]["contact"]["emails"] == ["a@example.com", "c@example.com", "d@example.com"]


async def test_promote_swaps_primary_and_additional(builder):
    created = await create(builder, firstName="A", primaryEmail="a@example.com", additionalEmails=["b@example.com", "c@example.com"])
    body = await builder.gql(PROMOTE, {"input": {"contactId": created["contact"]["id"], "email": "C@example.com"}})
    payload = body["data"]["promoteAdditionalEmail"]
    assert payload["userErrors"] == []
    assert payload["contact"]["emails"] == ["c@example.com", "a@example.com", "b@example.com"]


async def test_promote_refuses_an_email_that_is_not_additional(app, builder):
    created = await create(builder, firstName="A", primaryEmail="a@example.com", additionalEmails=["b@example.com"])
    before = await contact_rows(app)
    body = await builder.gql(PROMOTE, {"input": {"contactId": created["contact"]["id"], "email": "z@example.com"}})
    assert codes(body["data"]["promoteAdditionalEmail"]) == ["NOT_FOUND"]
    assert await contact_rows(app) == before


async def test_promote_to_an_active_owners_primary_is_refused(app, builder, owner):
    async with app.state.session_factory() as session:
        owner_email = (await session.execute(select(Contact.primary_email).where(Contact.id == owner.contact_id))).scalar_one()
    created = await create(builder, firstName="A", primaryEmail="a@example.com", additionalEmails=[owner_email])
    before = await contact_rows(app)
    body = await builder.gql(PROMOTE, {"input": {"contactId": created["contact"]["id"], "email": owner_email}})
    payload = body["data"]["promoteAdditionalEmail"]
    assert payload["userErrors"][0]["message"] == EXACT_EMAIL_IN_USE
    assert await contact_rows(app) == before


async def test_owner_edits_own_info_but_cannot_take_another_contacts_primary(app, builder, owner):
    other = await create(builder, firstName="Zed", lastName="Secret", primaryEmail="zed@example.com")
    mine = f"query {{ me {{ ... on OwnerUser {{ contact {{ id }} }} }} }}"
    my_id = (await owner.gql(mine))["data"]["me"]["contact"]["id"]
    ok = await owner.gql(UPDATE, {"input": {"contactId": my_id, "phone": "555-0199"}})
    assert ok["data"]["updateContactInfo"]["contact"]["phone"] == "555-0199"
    before = await contact_rows(app)
    taken = await owner.gql(UPDATE, {"input": {"contactId": my_id, "primaryEmail": "ZED@example.com"}})
    payload = taken["data"]["updateContactInfo"]
    assert codes(payload) == ["EMAIL_IN_USE"]
    assert payload["conflictingContact"] is None
    assert "Zed" not in payload["userErrors"][0]["message"] and "zed@" not in payload["userErrors"][0]["message"]
    assert "contact your builder" in payload["userErrors"][0]["message"].lower()
    assert await contact_rows(app) == before
    assert other["contact"]["id"] != my_id


async def test_delete_contact(app, builder):
    created = await create(builder, firstName="A", primaryEmail="a@example.com", additionalEmails=["b@example.com"])
    body = await builder.gql(DELETE, {"input": {"contactId": created["contact"]["id"]}})
    assert body["data"]["deleteContact"] == {"ok": True, "userErrors": []}
    assert (await builder.gql(CONTACT, {"id": created["contact"]["id"]}))["data"]["contact"] is None
    async with app.state.session_factory() as session:
        assert (await session.execute(select(func.count()).select_from(ContactEmail))).scalar_one() == 0


async def test_node_resolves_a_contact(builder):
    created = await create(builder, firstName="Dana", primaryEmail="dana@example.com")
    body = await builder.gql(NODE, {"id": created["contact"]["id"]})
    assert body["data"]["node"] == {"__typename": "Contact", "id": created["contact"]["id"], "displayName": "Dana"}


# --- tenancy: another builder account's contact is exactly a missing one -------------------------

UNKNOWN_ID = "Q29udGFjdDo5OTk5OTk="  # Contact:999999


async def test_other_builders_contact_reads_like_a_missing_one(builder, other_builder):
    created = await create(builder, firstName="Dana", primaryEmail="dana@example.com")
    theirs = created["contact"]["id"]
    for query in (CONTACT, NODE):
        assert await other_builder.gql(query, {"id": theirs}) == await other_builder.gql(query, {"id": UNKNOWN_ID})
    listed = await other_builder.gql(CONTACTS, {"first": 10, "search": "dana"})
    assert listed["data"]["contacts"]["totalCount"] == 0


@pytest.mark.parametrize(
    "document, field, extra",
    [
        (UPDATE, "updateContactInfo", {"firstName": "Hacked"}),
        (SET_EMAILS, "setAdditionalEmails", {"emails": ["x@example.com"]}),
        (PROMOTE, "promoteAdditionalEmail", {"email": "x@example.com"}),
        (DELETE, "deleteContact", {}),
    ],
)
async def test_other_builders_contact_cannot_be_changed(app, builder, other_builder, document, field, extra):
    created = await create(builder, firstName="Dana", primaryEmail="dana@example.com", additionalEmails=["x@example.com"])
    before = await contact_rows(app)
    theirs = await other_builder.gql(document, {"input": {"contactId": created["contact"]["id"], **extra}})
    missing = await other_builder.gql(document, {"input": {"contactId": UNKNOWN_ID, **extra}})
    assert theirs == missing
    assert codes(theirs["data"][field]) == ["NOT_FOUND"]
    assert await contact_rows(app) == before


# --- authentication and authorization errors -----------------------------------------------------


async def test_anonymous_gets_unauthenticated(app, anonymous):
    body = await anonymous.gql(CREATE, {"input": {"firstName": "A"}}, expect_errors=True)
    assert body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    assert await contact_rows(app) == []
    body = await anonymous.gql(CONTACTS, {"first": 5}, expect_errors=True)
    assert body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


async def test_revoked_token_is_unauthenticated(builder):
    await builder.gql("mutation { logout { ok } }")
    body = await builder.gql(CONTACTS, {"first": 5}, expect_errors=True)
    assert body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


async def test_owner_cannot_create_or_list_contacts(app, owner):
    before = await contact_rows(app)
    body = await owner.gql(CREATE, {"input": {"firstName": "A"}}, expect_errors=True)
    assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    body = await owner.gql(CONTACTS, {"first": 5}, expect_errors=True)
    assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert await contact_rows(app) == before


async def test_owner_cannot_read_or_change_another_contact(app, builder, owner):
    other = await create(builder, firstName="Zed", primaryEmail="zed@example.com")
    assert (await owner.gql(CONTACT, {"id": other["contact"]["id"]}))["data"]["contact"] is None
    before = await contact_rows(app)
    body = await owner.gql(UPDATE, {"input": {"contactId": other["contact"]["id"], "firstName": "X"}}, expect_errors=True)
    assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert await contact_rows(app) == before


async def test_builder_cannot_edit_an_active_owners_info_but_can_edit_additional_emails(app, builder, owner):
    from strawberry.relay import to_base64

    owner_id = to_base64("Contact", owner.contact_id)
    before = await contact_rows(app)
    body = await builder.gql(UPDATE, {"input": {"contactId": owner_id, "firstName": "X"}}, expect_errors=True)
    assert body["errors"][0]["extensions"]["code"] == "CONTACT_LOCKED"
    assert "deactivate" in body["errors"][0]["message"].lower()
    assert await contact_rows(app) == before
    ok = await builder.gql(SET_EMAILS, {"input": {"contactId": owner_id, "emails": ["family@example.com"]}})
    assert ok["data"]["setAdditionalEmails"]["userErrors"] == []
    read = await builder.gql(CONTACT, {"id": owner_id})
    assert read["data"]["contact"]["viewerCan"]["editInfo"] is False
    assert read["data"]["contact"]["viewerCan"]["lockedReason"]


@contextmanager
def commit_before_the_write(app, statement: str):
    """Runs `statement` and commits it on a connection of its own as the mutation's
    unit of work opens its write connection: after the permission check, before
    the unit of work begins and locks its target. Yields the list that says it ran."""
    from sqlalchemy import event

    from db.engine import WRITE_OPTION

    engine = app.state.engine.sync_engine
    fired = []

    def concurrent_commit(_connection, options):
        if options.get(WRITE_OPTION) and not fired:
            fired.append(True)
            # Inside the unit of work's greenlet, so the sync API runs on the async engine.
            with engine.begin() as other:
                other.exec_driver_sql(statement)

    event.listen(engine, "set_connection_execution_options", concurrent_commit)
    try:
        yield fired
    finally:
        event.remove(engine, "set_connection_execution_options", concurrent_commit)


async def rename_with_a_commit_before_the_write(app, builder, assignment: str) -> tuple[str, dict]:
    """A new contact "A" renamed "B" by the builder while a commit that sets
    `assignment` on it lands between the permission check and the write: the
    contact's id and the mutation's payload."""
    created = await create(builder, firstName="A", primaryEmail="a@example.com")
    gid = created["contact"]["id"]
    statement = f"UPDATE contacts SET version = version + 1, {assignment} WHERE id = {from_base64(gid)[1]}"
    with commit_before_the_write(app, statement) as fired:
        body = await builder.gql(UPDATE, {"input": {"contactId": gid, "firstName": "B"}})
    assert fired
    return gid, body["data"]["updateContactInfo"]


async def test_write_is_refused_when_a_commit_turned_the_permission_after_its_check(app, builder):
    """The contact is invited (PENDING, so its info is locked for the builder) by a
    commit that lands between the permission check and the write: the mutation
    answers STALE_OBJECT and writes nothing; sent again, it meets the lock."""
    gid, payload = await rename_with_a_commit_before_the_write(app, builder, "activation_status = 'PENDING'")
    assert codes(payload) == ["STALE_OBJECT"]
    read = (await builder.gql(CONTACT, {"id": gid}))["data"]["contact"]
    assert (read["firstName"], read["activationStatus"]) == ("A", "PENDING")
    again = await builder.gql(UPDATE, {"input": {"contactId": gid, "firstName": "B"}}, expect_errors=True)
    assert again["errors"][0]["extensions"]["code"] == "CONTACT_LOCKED"


async def test_a_commit_that_leaves_the_permission_as_it_was_does_not_fail_the_write(app, builder):
    """Another phone number is committed between the permission check and the
    write: the row lock orders the two writes, and both are kept."""
    gid, payload = await rename_with_a_commit_before_the_write(app, builder, "phone = '555 0100'")
    assert codes(payload) == []
    assert (payload["contact"]["firstName"], payload["contact"]["phone"]) == ("B", "555 0100")
    read = (await builder.gql(CONTACT, {"id": gid}))["data"]["contact"]
    assert (read["firstName"], read["phone"]) == ("B", "555 0100")


async def test_a_change_that_waited_for_another_writer_sees_what_it_wrote(app, builder):
    """Another transaction holds the contact's row and renames its additional email; an
    invite waits for that lock and then answers with the new name (on PostgreSQL a
    waiting FOR UPDATE returns the row as changed but joined rows as they were when
    the statement began: the load reads them again)."""
    import asyncio

    from strawberry.relay import from_base64

    from db.engine import WRITE_OPTION

    invite = "mutation($input: ContactIdInput!) { sendInvite(input: $input) { contact { emails } userErrors { code } } }"
    created = await create(builder, firstName="A", primaryEmail="a@example.com", additionalEmails=["old@example.com"])
    contact_id = int(from_base64(created["contact"]["id"])[1])
    async with app.state.engine.connect() as conn:
        conn = await conn.execution_options(**{WRITE_OPTION: True})
        async with conn.begin():
            await conn.execute(select(Contact.id).where(Contact.id == contact_id).with_for_update())
            await conn.execute(update(ContactEmail).where(ContactEmail.contact_id == contact_id)
                               .values(email="new@example.com", email_key="new@example.com"))
            await conn.execute(update(Contact).where(Contact.id == contact_id).values(version=Contact.version + 1))
            sent = asyncio.create_task(builder.gql(invite, {"input": {"contactId": created["contact"]["id"]}}))
            await asyncio.sleep(0.5)  # it is waiting for the lock (or starts after the commit: the same answer)
        body = await sent
    assert body["data"]["sendInvite"] == {"contact": {"emails": ["a@example.com", "new@example.com"]}, "userErrors": []}


# --- lists ---------------------------------------------------------------------------------------


async def test_contacts_connection_paginates_with_keyset_cursors(builder):
    for last in ["Young", "Adams", "Miller", "Baker", "Clark"]:
        await create(builder, firstName="X", lastName=last)
    first = await builder.gql(CONTACTS, {"first": 2})
    page = first["data"]["contacts"]
    assert page["totalCount"] == 5
    assert [e["node"]["lastName"] for e in page["edges"]] == ["Adams", "Baker"]
    assert page["pageInfo"]["hasNextPage"] is True
    second = await builder.gql(CONTACTS, {"first": 2, "after": page["pageInfo"]["endCursor"]})
    assert [e["node"]["lastName"] for e in second["data"]["contacts"]["edges"]] == ["Clark", "Miller"]
    third = await builder.gql(CONTACTS, {"first": 2, "after": second["data"]["contacts"]["pageInfo"]["endCursor"]})
    assert [e["node"]["lastName"] for e in third["data"]["contacts"]["edges"]] == ["Young"]
    assert third["data"]["contacts"]["pageInfo"]["hasNextPage"] is False


async def test_contacts_search_and_status_filter(builder, owner):
    await create(builder, firstName="Dana", lastName="Reyes", primaryEmail="dana@example.com")
    await create(builder, firstName="Sam", lastName="Ortiz")
    found = await builder.gql(CONTACTS, {"first": 10, "search": "REY"})
    assert [e["node"]["displayName"] for e in found["data"]["contacts"]["edges"]] == ["Dana Reyes"]
    by_email = await builder.gql(CONTACTS, {"first": 10, "search": "dana@"})
    assert by_email["data"]["contacts"]["totalCount"] == 1
    active = await builder.gql(CONTACTS, {"first": 10, "status": ["ACTIVE"]})
    assert [e["node"]["displayName"] for e in active["data"]["contacts"]["edges"]] == ["Olive Owner"]
    wildcard = await builder.gql(CONTACTS, {"first": 10, "search": "%"})
    assert wildcard["data"]["contacts"]["totalCount"] == 0


@pytest.mark.parametrize("first", [0, -1, 101])
async def test_page_size_out_of_range_is_refused(builder, first):
    body = await builder.gql(CONTACTS, {"first": first}, expect_errors=True)
    assert body["data"] == {"contacts": None}
    assert body["errors"][0]["extensions"]["code"] == "INVALID_INPUT"


LIST_WITH_RELATIONS = """
query($first: Int!) {
  contacts(first: $first, orderBy: LAST_NAME) {
    edges { node { id displayName emails activationStatus jobs { name owners { displayName emails } } } }
  }
}
"""


async def test_contact_list_costs_a_constant_number_of_statements(app, builder, sql_counter):
    from models import Job, JobOwner

    for i in range(50):
        await create(builder, firstName=f"C{i:02}", lastName="Same", primaryEmail=f"c{i}@example.com", additionalEmails=[f"x{i}@example.com"])
    async with app.state.session_factory() as session:
        ids = (await session.execute(select(Contact.id).order_by(Contact.id))).scalars().all()
        for n in range(25):
            job = Job(builder_account_id=builder.builder_account_id, name=f"Job {n}")
            session.add(job)
            await session.flush()
            session.add_all([JobOwner(job_id=job.id, contact_id=ids[2 * n], position=0),
                             JobOwner(job_id=job.id, contact_id=ids[2 * n + 1], position=1)])
        await session.commit()
    counts = {}
    for first in (5, 50):
        with sql_counter:
            body = await builder.gql(LIST_WITH_RELATIONS, {"first": first})
        assert len(body["data"]["contacts"]["edges"]) == first
        counts[first] = sql_counter.count
    assert counts[5] == counts[50]
    # session lookup, the page with its emails, the jobs with their owners and the owners' emails
    assert counts[50] == 3

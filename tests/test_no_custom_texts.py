"""SPEC 6: there is no operation through which a builder sends a text of their own
to an owner. Proven over the schema in two ways:

1. every string a mutation accepts is reviewed here by name: identity (names,
   emails, phones, addresses), credentials, or a short label (job name, lead
   title, field name and options, a custom field value that is stored and shown,
   never sent). A new string input fails this test until someone decides what it is;
2. a builder who writes a letter into every string of the operations that notify
   owners gets nothing through but fixed templates with one-line labels cut short.
"""

from __future__ import annotations

import json

from mail import messages
from mail.sender import OutboxSender
from mail.transports import SMS_LOG_FILE, FileSmsTransport
from test_outbox_sender import smtp  # noqa: F401 - fixture
from jobs_leads_support import SET_VALUES, add_owner, contact_gid, define_field, new_job

IDENTITY = {"firstName", "lastName", "phone", "cellPhone", "street", "city", "state", "postalCode",
            "primaryEmail", "additionalEmails", "email", "emails"}
CREDENTIALS = {"username", "password", "currentPassword", "newPassword", "token", "login"}
LABELS = {"name", "title", "options", "value"}
MESSAGE_LIKE = {"message", "text", "body", "subject", "note", "notes", "content", "comment", "sms", "html"}

INPUT_TYPES = """
{
  __schema {
    mutationType { fields { name args { name type { ...Ref } } } }
    types { name kind inputFields { name type { ...Ref } } }
  }
}
fragment Ref on __Type { kind name ofType { kind name ofType { kind name ofType { kind name } } } }
"""

UPDATE_JOB = "mutation($input: UpdateJobInput!) { updateJob(input: $input) { userErrors { code } } }"
OPT_IN = "mutation { updateNotificationPreferences(input: {smsOptIn: true}) { userErrors { code } } }"
SET_CELL = "mutation($input: UpdateContactInfoInput!) { updateContactInfo(input: $input) { userErrors { code } } }"

SECRET = "WIRE-THE-DEPOSIT-TO-ACCOUNT-12345"
# One line: a line break in a name is refused outright (SPEC 12, tests/test_text_fields.py).
LETTER = "Kitchen. Dear Olive, the schedule slipped again and " + "we are very sorry about it. " * 3 + SECRET


def _named(ref: dict) -> dict:
    while ref.get("ofType"):
        ref = ref["ofType"]
    return ref


def _string_inputs(schema: dict) -> set[tuple[str, str]]:
    """(mutation, leaf input name) of every String reachable from a mutation's arguments."""
    inputs = {t["name"]: t["inputFields"] for t in schema["types"] if t["kind"] == "INPUT_OBJECT"}
    found: set[tuple[str, str]] = set()

    def walk(mutation: str, name: str, ref: dict, seen: frozenset):
        named = _named(ref)
        if named["kind"] == "INPUT_OBJECT" and named["name"] not in seen:
            for field in inputs[named["name"]]:
                walk(mutation, field["name"], field["type"], seen | {named["name"]})
        elif named["name"] == "String":
            found.add((mutation, name))

    for mutation in schema["mutationType"]["fields"]:
        for arg in mutation["args"]:
            walk(mutation["name"], arg["name"], arg["type"], frozenset())
    return found


async def test_every_string_a_mutation_takes_is_identity_credential_or_label(builder):
    schema = (await builder.gql(INPUT_TYPES))["data"]["__schema"]
    strings = _string_inputs(schema)
    assert strings, "the walk found no string inputs at all"
    unreviewed = {(m, n) for m, n in strings if n not in IDENTITY | CREDENTIALS | LABELS}
    assert unreviewed == set()
    assert {n for _m, n in strings} & MESSAGE_LIKE == set()
    # The labels that can reach an owner's mailbox come only from the job mutations.
    assert {m for m, n in strings if n == "name"} <= {"createJob", "updateJob", "defineCustomField"}


async def test_a_builders_letter_never_reaches_the_owner(app, builder, owner, smtp, tmp_path):
    own = contact_gid(owner.contact_id)
    await owner.gql(SET_CELL, {"input": {"contactId": own, "cellPhone": "+1 555 010 9999"}})
    await owner.gql(OPT_IN)
    field_id = await define_field(builder, "Message to owner", "TEXT", visible=True)
    await builder.gql(SET_VALUES, {"input": {"contactId": own, "values": [{"fieldId": field_id, "value": LETTER}]}})
    address = {"street": LETTER, "city": LETTER[-100:], "state": LETTER[-100:], "postalCode": "01970"}
    job_id = await new_job(builder, LETTER, address=address)
    assert (await add_owner(builder, job_id, own))["userErrors"] == []
    await builder.gql(UPDATE_JOB, {"input": {"jobId": job_id, "name": LETTER + " (v2)", "address": None}})

    sender = OutboxSender(app.state.session_factory, smtp.transport(), FileSmsTransport(tmp_path))
    while await sender.drain_once():
        pass
    mails = [r.message for r in smtp.catcher.received]
    sms = [json.loads(line)["text"] for line in (tmp_path / SMS_LOG_FILE).read_text().splitlines()]
    assert len(mails) == 2 and len(sms) == 2

    # What arrived is exactly the fixed templates, filled with the labels cut to one short line.
    url, builder_name = "https://app.example.test", "Acme Homes"
    added = messages.added_to_job(app_url=url, builder_name=builder_name, first_name="Olive", job_name=LETTER)
    updated = messages.job_updated(
        app_url=url, builder_name=builder_name, first_name="Olive", job_name=LETTER + " (v2)",
        changed_fields=["name", "address"],
    )
    assert [(m["Subject"], m.get_body(("plain",)).get_content().replace("\r\n", "\n")) for m in mails] == [
        (added.subject, added.text), (updated.subject, updated.text)
    ]
    assert sms == [
        messages.added_to_job_sms(app_url=url, builder_name=builder_name, job_name=LETTER),
        messages.job_updated_sms(app_url=url, builder_name=builder_name, job_name=LETTER + " (v2)"),
    ]
    for delivered in [m.as_string() for m in mails] + sms:
        assert SECRET not in delivered

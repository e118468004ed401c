"""Job notifications (SPEC 6): an active owner added to a job, or owning a job
that changes, hears about it at every email of the contact, and by SMS when opted
in; contacts who never accepted an invite hear nothing. Delivered through the
outbox to a real SMTP server (aiosmtpd) and the file SMS backend."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlalchemy import select

from mail.sender import OutboxSender
from mail.transports import SMS_LOG_FILE, FileSmsTransport
from models import OutboxMessage
from test_outbox_sender import smtp  # noqa: F401 - fixture
from jobs_leads_support import UPDATE_CONTACT_INFO, add_owner, contact_gid, new_contact, new_job

SET_ADDITIONAL_EMAILS = """
mutation($input: SetAdditionalEmailsInput!) { setAdditionalEmails(input: $input) { userErrors { code } } }
"""
OPT_IN = """
mutation { updateNotificationPreferences(input: {smsOptIn: true}) { userErrors { code } } }
"""
UPDATE_JOB = """
mutation($input: UpdateJobInput!) { updateJob(input: $input) { userErrors { code } } }
"""
CELL = "+1 555 010 9999"


@pytest.fixture
def deliver(app, smtp, tmp_path):
    """Drains the outbox into the SMTP server and the SMS file; returns what
    arrived since the previous call: (emails by recipient, SMS records)."""
    seen = {"mail": 0, "sms": 0}

    async def drain():
        sender = OutboxSender(app.state.session_factory, smtp.transport(), FileSmsTransport(tmp_path))
        while await sender.drain_once():
            pass
        sms_file = tmp_path / SMS_LOG_FILE
        sms = [json.loads(line) for line in sms_file.read_text().splitlines()] if sms_file.exists() else []
        received = smtp.catcher.received
        mails = {rcpt: r.message for r in received[seen["mail"]:] for rcpt in r.rcpt_tos}
        new_sms = sms[seen["sms"]:]
        seen.update(mail=len(received), sms=len(sms))
        return mails, new_sms

    return drain


async def _reachable_owner(builder, owner, *, sms: bool):
    """The owner with two additional emails and a cell phone, opted in to SMS or not."""
    own = contact_gid(owner.contact_id)
    extra = ["olive.work@example.com", "olive.home@example.com"]
    body = await builder.gql(SET_ADDITIONAL_EMAILS, {"input": {"contactId": own, "emails": extra}})
    assert body["data"]["setAdditionalEmails"]["userErrors"] == []
    body = await owner.gql(UPDATE_CONTACT_INFO, {"input": {"contactId": own, "cellPhone": CELL}})
    assert body["data"]["updateContactInfo"]["userErrors"] == []
    if sms:
        assert (await owner.gql(OPT_IN))["data"]["updateNotificationPreferences"]["userErrors"] == []
    profile = await owner.gql("{ me { ... on OwnerUser { contact { emails } } } }")
    return profile["data"]["me"]["contact"]["emails"]


async def test_added_owner_gets_a_mail_at_every_email_and_an_sms_when_opted_in(builder, owner, deliver):
    emails = await _reachable_owner(builder, owner, sms=True)
    job_id = await new_job(builder, "Kitchen remodel")
    assert (await add_owner(builder, job_id, contact_gid(owner.contact_id)))["userErrors"] == []

    mails, sms = await deliver()
    assert sorted(mails) == sorted(emails) and len(emails) == 3
    for message in mails.values():
        assert message["Subject"] == "Acme Homes added you to the job Kitchen remodel"
        assert "Hello Olive," in message.get_body(("plain",)).get_content()
    assert [(s["to"], s["text"]) for s in sms] == [
        (CELL, 'Acme Homes added you to the job "Kitchen remodel" in OwnerHub: https://app.example.test')
    ]


async def test_no_sms_without_opt_in(builder, owner, deliver):
    emails = await _reachable_owner(builder, owner, sms=False)
    job_id = await new_job(builder)
    await add_owner(builder, job_id, contact_gid(owner.contact_id))
    mails, sms = await deliver()
    assert sorted(mails) == sorted(emails)
    assert sms == []


async def test_an_uninvited_contact_gets_nothing(builder, deliver):
    contact_id = await new_contact(
        builder, "Una", primaryEmail="una@example.com", additionalEmails=["una.work@example.com"], cellPhone=CELL
    )
    job_id = await new_job(builder)
    assert (await add_owner(builder, job_id, contact_id))["userErrors"] == []
    await builder.gql(UPDATE_JOB, {"input": {"jobId": job_id, "name": "Renamed"}})
    assert await deliver() == ({}, [])


async def test_owners_of_an_updated_job_hear_what_changed(builder, owner, deliver):
    emails = await _reachable_owner(builder, owner, sms=True)
    job_id = await new_job(builder, "Kitchen remodel")
    uninvited = await new_contact(builder, "Una", primaryEmail="una@example.com")
    for contact_id in (contact_gid(owner.contact_id), uninvited):
        await add_owner(builder, job_id, contact_id)
    await deliver()

    body = await builder.gql(UPDATE_JOB, {"input": {"jobId": job_id, "name": "Kitchen and pantry"}})
    assert body["data"]["updateJob"]["userErrors"] == []
    mails, sms = await deliver()
    assert sorted(mails) == sorted(emails)
    for message in mails.values():
        assert message["Subject"] == "The job Kitchen and pantry was updated"
        assert 'Acme Homes updated the job "Kitchen and pantry" in OwnerHub (its name changed).' in (
            message.get_body(("plain",)).get_content()
        )
    assert [(s["to"], s["text"]) for s in sms] == [
        (CELL, 'Acme Homes updated the job "Kitchen and pantry" in OwnerHub: https://app.example.test')
    ]

    # Saving the same values again changes nothing and tells nobody.
    await builder.gql(UPDATE_JOB, {"input": {"jobId": job_id, "name": "Kitchen and pantry"}})
    assert await deliver() == ({}, [])


async def test_twenty_renames_make_one_notice_now_and_one_at_the_end_of_the_quiet_period(app, builder, owner, deliver):
    """SPEC 12: job changes are coalesced per owner and job. The first rename is
    told at once; the nineteen after it are folded into one message, due when the
    quiet period ends, that names the job as it is then."""
    await _reachable_owner(builder, owner, sms=True)
    job_id = await new_job(builder, "Kitchen remodel")
    await add_owner(builder, job_id, contact_gid(owner.contact_id))
    await deliver()

    for n in range(1, 21):
        assert (await builder.gql(UPDATE_JOB, {"input": {"jobId": job_id, "name": f"Call me now {n}"}}))[
            "data"]["updateJob"]["userErrors"] == []
    mails, sms = await deliver()
    assert len(mails) == 3 and len(sms) == 1, "one notice per address now"
    assert [s["text"] for s in sms] == ['Acme Homes updated the job "Call me now 1" in OwnerHub: https://app.example.test']

    async with app.state.session_factory() as session:
        pending = (await session.execute(
            select(OutboxMessage).where(OutboxMessage.sent_at.is_(None)).order_by(OutboxMessage.recipient)
        )).scalars().all()
        first = {m.recipient: m.created_at for m in (await session.execute(
            select(OutboxMessage).where(OutboxMessage.body_text.contains("Call me now 1"))
        )).scalars()}
    assert sorted(m.recipient for m in pending) == sorted([CELL, *mails]), "one folded notice per address"
    for message in pending:
        assert "Call me now 20" in message.body_text and "Call me now 19" not in message.body_text
        # Due a quiet period after the first notice was queued (the sender's lease moved that one's own time).
        assert abs(message.available_at - first[message.recipient] - timedelta(minutes=15)) < timedelta(seconds=5)


async def test_a_job_name_reaches_an_owner_on_one_line_and_cut_short(builder, owner, deliver):
    await _reachable_owner(builder, owner, sms=True)
    job_id = await new_job(builder, "Kitchen remodel")
    await add_owner(builder, job_id, contact_gid(owner.contact_id))
    await deliver()
    long_name = "Call 555 0199 now " + "x" * 180
    body = await builder.gql(UPDATE_JOB, {"input": {"jobId": job_id, "name": long_name}})
    assert body["data"]["updateJob"]["userErrors"] == []
    mails, sms = await deliver()
    for message in mails.values():
        assert "\n" not in message["Subject"] and len(message["Subject"]) < 120
    assert sms and len(sms[0]["text"]) < 160

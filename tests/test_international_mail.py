"""Mail to an internationalised address (issue 13): the invite of a contact whose
address has a non-ASCII local part reaches it through a relay that offers
SMTPUTF8, is refused with a clear reason by one that does not, and the file
transport writes a `To:` that is the address itself (RFC 6532), not RFC 2047
encoded words."""

from __future__ import annotations

import email
from email import policy

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import select

from activation_support import SEND_INVITE, create_contact, fresh_rate_limits  # noqa: F401 - fixtures
from mail.sender import OutboxSender
from mail.transports import FileEmailTransport, FileSmsTransport, SmtpEmailTransport
from models import OutboxMessage
from test_outbox_sender import MAIL_FROM, Catcher, _free_port

ADDRESS = "josé.núñez@bücher.de"
STORED = "josé.núñez@xn--bcher-kva.de"


@pytest.fixture
async def invited(builder):
    contact_id = await create_contact(builder, firstName="José", primaryEmail=ADDRESS)
    assert (await builder.gql(SEND_INVITE, {"id": contact_id}))["data"]["sendInvite"]["userErrors"] == []


def relay(smtputf8: bool):
    catcher = Catcher()
    controller = Controller(catcher, hostname="127.0.0.1", port=_free_port(), enable_SMTPUTF8=smtputf8)
    controller.start()
    return controller, catcher


async def drain(app, transport, tmp_path) -> int:
    sender = OutboxSender(app.state.session_factory, transport, FileSmsTransport(tmp_path))
    return await sender.drain_once()


@pytest.mark.parametrize("smtputf8", [True, False])
async def test_a_relay_gets_the_address_as_utf8_or_the_failure_says_why(app, invited, tmp_path, smtputf8):
    controller, catcher = relay(smtputf8)
    try:
        transport = SmtpEmailTransport("127.0.0.1", controller.port, None, None, False, MAIL_FROM, timeout=5)
        delivered = await drain(app, transport, tmp_path)
    finally:
        controller.stop()
    async with app.state.session_factory() as session:
        message = (await session.execute(select(OutboxMessage))).scalar_one()
    if smtputf8:
        assert delivered == 1
        [received] = catcher.received
        assert received.rcpt_tos == [STORED]
        assert received.message["To"] == STORED
        assert message.sent_at is not None
    else:
        assert delivered == 0 and catcher.received == []
        assert message.sent_at is None
        assert f"does not offer SMTPUTF8, which the address {STORED} needs" in message.last_error


async def test_the_file_transport_writes_the_address_itself_in_to(app, invited, tmp_path):
    assert await drain(app, FileEmailTransport(tmp_path / "mail", MAIL_FROM), tmp_path) == 1
    [written] = (tmp_path / "mail").glob("*.eml")
    raw = written.read_bytes()
    assert f"To: {STORED}\n".encode() in raw.replace(b"\r\n", b"\n")
    parsed = email.message_from_string(raw.decode("utf-8"), policy=policy.default)
    assert parsed["To"].addresses[0].addr_spec == STORED

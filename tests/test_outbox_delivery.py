"""Invite and reset mail leaves through the outbox (SPEC 6, 11): the server's own
sender delivers it, or `ownerhub send-outbox` does; tokens reach no log."""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import subprocess
import sys
from pathlib import Path

import httpx
from asgi_lifespan import LifespanManager

from activation_support import (  # noqa: F401 - fixtures
    INVITE_DETAILS,
    REQUEST_RESET,
    RESET_PASSWORD,
    accept,
    create_contact,
    deliver,
    fresh_rate_limits,
    invite_token,
    link_token,
    send_invite,
    smtp,
)
from conftest import TEST_HASHING, gql, make_builder
from server import create_app

ROOT = Path(__file__).resolve().parent.parent
DANA = "dana@example.com"


async def _until(condition, what: str):
    """Waits for something another task or process does; the bound only stops a
    broken test from hanging."""
    for _ in range(2400):
        if condition():
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"never happened: {what}")


async def test_the_server_runs_the_sender_and_delivers_an_invite(settings, smtp):
    internal = settings.model_copy(update={"OUTBOX_WORKER": "internal", "SMTP_HOST": smtp.host, "SMTP_PORT": smtp.port})
    app = create_app(internal, password_hashing=TEST_HASHING)
    async with LifespanManager(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            builder = await make_builder(app, client, "Acme Homes")
            contact_id = await create_contact(builder, firstName="Dana", primaryEmail=DANA)
            await send_invite(builder, contact_id)
            await _until(lambda: smtp.inbox.to(DANA), "the invite reached the SMTP server")
            token = link_token(smtp.inbox.to(DANA)[0], settings.APP_URL, "accept-invite")
            assert (await accept(client, token, "dana"))["userErrors"] == []


def _cli_env(settings, smtp) -> dict[str, str]:
    return {
        **os.environ,
        "DATABASE_URL": settings.DATABASE_URL,
        "SMTP_HOST": smtp.host,
        "SMTP_PORT": str(smtp.port),
        "APP_URL": settings.APP_URL,
    }


async def test_send_outbox_drains_once(builder, smtp, settings):
    contact_id = await create_contact(builder, firstName="Dana", primaryEmail=DANA)
    await send_invite(builder, contact_id)
    done = await asyncio.to_thread(
        subprocess.run, [sys.executable, "cli.py", "send-outbox"], cwd=ROOT, env=_cli_env(settings, smtp),
        capture_output=True, text=True,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "sent 1 message(s)"
    assert [m["To"] for m in smtp.inbox.messages] == [DANA]


async def test_send_outbox_forever_keeps_delivering_until_stopped(builder, smtp, settings):
    worker = subprocess.Popen(
        [sys.executable, "cli.py", "send-outbox", "--forever"], cwd=ROOT, env=_cli_env(settings, smtp),
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    try:
        contact_id = await create_contact(builder, firstName="Dana", primaryEmail=DANA)
        await send_invite(builder, contact_id)
        await _until(lambda: smtp.inbox.to(DANA), "the worker delivered the invite")
    finally:
        worker.send_signal(signal.SIGTERM)
        _out, err = await asyncio.to_thread(worker.communicate)
    assert worker.returncode == 0, err


async def test_tokens_never_reach_the_logs(app, builder, anonymous, deliver, smtp, settings, caplog):
    """What the application, Strawberry and the HTTP layers log at DEBUG, and
    SQLAlchemy's statement log (`echo=True`; parameters are hidden). Row dumps
    (`echo="debug"`) and a driver's DEBUG trace echo raw values: those are local
    debugging aids, never on in a deployment. The test SMTP server's own log
    (aiosmtpd) is the mailbox, not ours."""
    # set_level also sets the capturing handler's level: the last call must be DEBUG.
    caplog.set_level(logging.WARNING, logger="mail.log")
    caplog.set_level(logging.INFO, logger="sqlalchemy.engine")
    caplog.set_level(logging.INFO)
    for name in ("ownerhub", "strawberry", "httpx", "httpcore", "uvicorn", "aiosmtplib"):
        caplog.set_level(logging.DEBUG, logger=name)
    contact_id = await create_contact(builder, firstName="Dana", primaryEmail=DANA)
    invite = await invite_token(builder, contact_id, deliver, smtp, settings, DANA)
    await anonymous.gql(INVITE_DETAILS, {"token": invite})
    session = (await accept(anonymous.client, invite, "dana"))["token"]
    await accept(anonymous.client, invite, "dana")  # a refused second use
    await anonymous.gql(REQUEST_RESET, {"login": DANA})
    await deliver()
    reset = link_token(smtp.inbox.to(DANA)[-1], settings.APP_URL, "reset-password")
    new_session = (await gql(anonymous.client, RESET_PASSWORD, {"token": reset, "password": "a brand new long one"}))[
        "data"]["resetPassword"]["token"]

    logged = "\n".join(record.getMessage() for record in caplog.records) + caplog.text
    assert {"ownerhub.outbox", "sqlalchemy.engine.Engine"} <= {record.name for record in caplog.records}
    for token in (invite, session, reset, new_session):
        assert token not in logged

"""Logs for people and for machines (issue 17): readable lines at a terminal or with
LOG_FORMAT=console, one JSON object per line otherwise or with LOG_FORMAT=json; a
refusal the client caused is never logged at `error`."""

from __future__ import annotations

import asyncio
import json
import logging
import os
import pty
import re
import subprocess
import sys

import pytest

from conftest import ADMIN_PASSWORD, LOGIN, gql
from db.engine import create_session_factory
from db.engine import create_engine
from db.migrate import upgrade_to_head
from operations_support import ROOT, command_env, fresh_database_url  # noqa: F401 (fixture)
from repository import outbox
from repository.uow import UnitOfWork

LINK = "https://app.example.test/accept-invite?token=Zq3TokenForTheLog"
ANSI = re.compile(r"\x1b\[[0-9;]*m")


async def _queue_invite_email(url: str) -> None:
    await asyncio.to_thread(upgrade_to_head, url)
    engine = create_engine(url)
    try:
        async with UnitOfWork(create_session_factory(engine)) as uow:
            await outbox.enqueue_email(uow.session, builder_account_id=None, to="dana@example.com",
                                       subject="Your invite", text=f"Accept: {LINK}", html=None)
            await uow.commit()
    finally:
        await engine.dispose()


def _send_outbox(env, *, stderr_to_terminal: bool = False) -> str:
    """`ownerhub send-outbox`; its standard error as a pipe, or as a terminal."""
    command = [sys.executable, str(ROOT / "cli.py"), "send-outbox"]
    if not stderr_to_terminal:
        run = subprocess.run(command, env=env, cwd=ROOT, capture_output=True, text=True, timeout=120)
        assert run.returncode == 0, run.stderr
        return run.stderr
    controller, terminal = pty.openpty()
    try:
        run = subprocess.run(command, env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=terminal, timeout=120)
        os.close(terminal)
        chunks = []
        while True:
            try:
                chunk = os.read(controller, 65536)
            except OSError:  # the terminal's other side is closed: all read
                break
            if not chunk:
                break
            chunks.append(chunk)
    finally:
        os.close(controller)
    assert run.returncode == 0
    return b"".join(chunks).decode().replace("\r\n", "\n")


def _link_line(output: str) -> str:
    [line] = [line for line in output.splitlines() if "links:" in line]
    return line


@pytest.mark.parametrize("how", ["LOG_FORMAT=console", "a terminal"])
async def test_console_lines_are_readable_with_the_mail_link_as_the_readme_shows(fresh_database_url, tmp_path, how):
    await _queue_invite_email(fresh_database_url)
    if how == "a terminal":
        output = await asyncio.to_thread(_send_outbox, command_env(fresh_database_url, tmp_path),
                                         stderr_to_terminal=True)
        assert ANSI.search(output)  # coloured for a person
    else:
        output = await asyncio.to_thread(_send_outbox, command_env(fresh_database_url, tmp_path, LOG_FORMAT="console"))
        assert not ANSI.search(output)  # no colour codes in a file or a pipe
    line = ANSI.sub("", _link_line(output))
    assert re.search(rf" \[info\s*\] email 1 to dana@example.com written to \S+/1\.eml; links: {re.escape(LINK)} ", line)
    assert not any(line.startswith("{") for line in output.splitlines())


@pytest.mark.parametrize("setting", [{"LOG_FORMAT": "json"}, {}], ids=["LOG_FORMAT=json", "a pipe"])
async def test_json_lines_for_machines(fresh_database_url, tmp_path, setting):
    await _queue_invite_email(fresh_database_url)
    output = await asyncio.to_thread(_send_outbox, command_env(fresh_database_url, tmp_path, **setting))
    records = [json.loads(line) for line in output.splitlines() if line.strip()]
    [sent] = [record for record in records if "links:" in record["event"]]
    assert sent["level"] == "info" and sent["logger"] == "ownerhub.outbox"
    assert sent["event"].endswith(f"links: {LINK}")


async def test_refusals_the_client_caused_are_not_logged_as_errors(app, client, builder, owner, caplog):
    caplog.set_level(logging.INFO)
    # Refused by a permission class, invalid documents and variables, a page size
    # out of range, a wrong password, and a login over its rate limit.
    refused = [
        await owner.gql("{ contacts(first: 5) { totalCount } }", expect_errors=True),
        await builder.gql("{ contacts(first: 5) { noSuchField } }", expect_errors=True),
        await builder.gql("query($n: Int!) { contacts(first: $n) { totalCount } }", {"n": "five"}, expect_errors=True),
        await builder.gql("{ contacts(first: 100000) { totalCount } }", expect_errors=True),
    ]
    assert all(body.get("errors") for body in refused)
    wrong = await gql(client, LOGIN, {"input": {"username": builder.username, "password": "not " + ADMIN_PASSWORD}})
    assert wrong["data"]["login"]["userErrors"][0]["code"] == "INVALID_INPUT"
    for _ in range(100):
        await app.state.rate_limiter.record_failed_login(builder.username)
    limited = await gql(client, LOGIN, {"input": {"username": builder.username, "password": ADMIN_PASSWORD}})
    assert limited["data"]["login"]["userErrors"][0]["code"] == "RATE_LIMITED"
    assert [record.getMessage() for record in caplog.records if record.levelno >= logging.ERROR] == []
    refusals = [record for record in caplog.records if record.getMessage().startswith("request refused at ")]
    assert len(refusals) == len(refused) and {r.levelno for r in refusals} == {logging.INFO}

"""Crash safety on SQLite (SPEC 10, SECURITY-CASES 35 and 36), with a real
`ownerhub serve` process and real signals.

* kill -9 while a stream of writes is being acknowledged: after a restart the
  database passes `PRAGMA integrity_check` and holds every acknowledged write
  (WAL with `synchronous=FULL`: a commit is on disk before its answer leaves).
* SIGTERM while a mutation runs: the mutation commits or rolls back as a whole,
  and the process exits within its graceful-shutdown timeout.
"""

from __future__ import annotations

import asyncio
import signal
import sqlite3
import time
from base64 import b64decode

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from db.migrate import upgrade_to_head
from fleet_support import ADMIN_PASSWORD, ServerProcess, base_env, create_builder_in, gql, login

pytestmark = pytest.mark.sqlite_crash

CREATE = """
mutation CreateContact($input: CreateContactInput!) {
  createContact(input: $input) { contact { id firstName primaryEmail additionalEmails } userErrors { code } }
}
"""
SET_EMAILS = """
mutation SetAdditionalEmails($input: SetAdditionalEmailsInput!) {
  setAdditionalEmails(input: $input) { contact { id additionalEmails } userErrors { code message } }
}
"""
WRITERS = 4
ACKNOWLEDGED_BEFORE_KILL = 40
GRACEFUL_TIMEOUT = 4
# Exit within the graceful-shutdown timeout, plus this much for the process to
# close its connections and for the test to notice, on a busy machine.
EXIT_MARGIN = 6


@pytest.fixture
async def sqlite_server(tmp_path):
    """A migrated SQLite file with one builder, and a factory for server processes on it."""
    path = tmp_path / "ownerhub.sqlite3"
    url = f"sqlite+aiosqlite:///{path}"
    await asyncio.to_thread(upgrade_to_head, url)
    _account_id, username = await create_builder_in(url, "Crash Test Homes")
    started: list[ServerProcess] = []

    def server(**kwargs) -> ServerProcess:
        process = ServerProcess(base_env(url, tmp_path), tmp_path / f"server-{len(started)}.log", **kwargs)
        started.append(process.start())
        return process

    yield path, username, server
    for process in started:
        await process.stop()


def database_id(global_id: str) -> int:
    return int(b64decode(global_id).decode().rsplit(":", 1)[1])


def contact_rows(path) -> dict[int, tuple]:
    with sqlite3.connect(path) as db:
        contacts = {
            row[0]: row[1:] for row in db.execute("SELECT id, first_name, primary_email FROM contacts")
        }
        emails: dict[int, list[str]] = {}
        for contact_id, email in db.execute(
            "SELECT contact_id, email FROM contact_emails ORDER BY contact_id, position"
        ):
            emails.setdefault(contact_id, []).append(email)
    return {cid: (*values, emails.get(cid, [])) for cid, values in contacts.items()}


def integrity(path) -> str:
    with sqlite3.connect(path) as db:
        return db.execute("PRAGMA integrity_check").fetchone()[0]


async def test_kill_9_during_acknowledged_writes_loses_nothing_acknowledged(sqlite_server):
    path, username, server = sqlite_server
    first = server()
    await first.wait_ready()
    acknowledged: dict[int, tuple] = {}
    enough = asyncio.Event()

    async with httpx.AsyncClient(base_url=first.url, timeout=30) as http:
        token = await login(http, username, ADMIN_PASSWORD)

        async def writer(number: int) -> None:
            for sequence in range(10_000):
                name = f"w{number}-{sequence}"
                variables = {"input": {
                    "firstName": name, "primaryEmail": f"{name}@example.com",
                    "additionalEmails": [f"{name}.work@example.com", f"{name}.home@example.com"],
                }}
                try:
                    body = await gql(http, CREATE, variables, token)
                except httpx.TransportError:
                    return  # the server is gone: this write was never acknowledged
                contact_id = database_id(body["data"]["createContact"]["contact"]["id"])
                acknowledged[contact_id] = (name, f"{name}@example.com",
                                            [f"{name}.work@example.com", f"{name}.home@example.com"])
                if len(acknowledged) >= ACKNOWLEDGED_BEFORE_KILL:
                    enough.set()

        writers = [asyncio.create_task(writer(n)) for n in range(WRITERS)]
        await asyncio.wait_for(enough.wait(), timeout=120)
        first.kill()  # SIGKILL, while the other writers' requests are in flight
        await asyncio.wait_for(asyncio.gather(*writers), timeout=60)

    assert first.process.returncode == -signal.SIGKILL
    assert integrity(path) == "ok"
    rows = contact_rows(path)
    assert {cid: rows.get(cid) for cid in acknowledged} == acknowledged

    # The server comes back on the same file and serves every acknowledged contact.
    second = server()
    await second.wait_ready()
    async with httpx.AsyncClient(base_url=second.url, timeout=30) as http:
        token = await login(http, username, ADMIN_PASSWORD)
        body = await gql(http, "{ contacts(first: 1) { totalCount } }", token=token)
    assert body["data"]["contacts"]["totalCount"] == len(rows) >= len(acknowledged)
    await second.stop()
    assert integrity(path) == "ok"


def assert_shut_down_cleanly(process, exit_code) -> None:
    # uvicorn re-raises the SIGTERM it handled once it has shut down, so that a
    # process manager sees how it ended: -15 here is the graceful path.
    assert exit_code in (0, -signal.SIGTERM), process.log()
    assert "Application shutdown complete." in process.log()


async def _contact_with_emails(http, token) -> tuple[str, int]:
    body = await gql(http, CREATE, {"input": {
        "firstName": "Terry", "primaryEmail": "terry@example.com",
        "additionalEmails": ["terry.old1@example.com", "terry.old2@example.com"],
    }}, token)
    global_id = body["data"]["createContact"]["contact"]["id"]
    return global_id, database_id(global_id)


async def _in_progress(http: httpx.AsyncClient, route: str = "/graphql") -> float:
    text = (await http.get("/metrics")).text
    for family in text_string_to_metric_families(text):
        if family.name == "ownerhub_http_requests_in_progress":
            for sample in family.samples:
                if sample.labels.get("route") == route:
                    return sample.value
    return 0.0


async def _mutation_waiting_for_the_write_lock(server_process, username):
    """Starts setAdditionalEmails while the test holds SQLite's write lock, and
    returns once the server is handling it (the request waits for the lock)."""
    async with httpx.AsyncClient(base_url=server_process.url, timeout=30) as http:
        token = await login(http, username, ADMIN_PASSWORD)
        global_id, contact_id = await _contact_with_emails(http, token)
    lock = sqlite3.connect(server_process.env["DATABASE_URL"].removeprefix("sqlite+aiosqlite:///"),
                           isolation_level=None, check_same_thread=False)
    lock.execute("BEGIN IMMEDIATE")
    http = httpx.AsyncClient(base_url=server_process.url, timeout=60)
    new_emails = ["terry.new1@example.com", "terry.new2@example.com", "terry.new3@example.com"]
    mutation = asyncio.create_task(
        gql(http, SET_EMAILS, {"input": {"contactId": global_id, "emails": new_emails}}, token)
    )
    deadline = time.monotonic() + 60
    async with httpx.AsyncClient(base_url=server_process.url, timeout=10) as probe:
        while await _in_progress(probe) < 1:
            assert time.monotonic() < deadline, "the mutation never reached the server"
            await asyncio.sleep(0.05)
    await asyncio.sleep(0.5)  # from the permission check to its BEGIN IMMEDIATE
    return lock, http, mutation, contact_id, new_emails


async def test_sigterm_lets_a_running_mutation_commit_whole_then_exits(sqlite_server):
    path, username, server = sqlite_server
    process = server(graceful_timeout=GRACEFUL_TIMEOUT)
    await process.wait_ready()
    lock, http, mutation, contact_id, new_emails = await _mutation_waiting_for_the_write_lock(process, username)
    try:
        process.signal(signal.SIGTERM)
        await asyncio.sleep(0.5)
        lock.execute("ROLLBACK")  # the mutation gets the lock within the graceful window
        body = await asyncio.wait_for(mutation, timeout=60)
        exit_code = await process.wait_exit(GRACEFUL_TIMEOUT + EXIT_MARGIN)
    finally:
        lock.close()
        await http.aclose()

    assert body["data"]["setAdditionalEmails"]["contact"]["additionalEmails"] == new_emails
    assert_shut_down_cleanly(process, exit_code)
    assert contact_rows(path)[contact_id] == ("Terry", "terry@example.com", new_emails)
    assert integrity(path) == "ok"


async def test_sigterm_cuts_off_a_mutation_past_the_timeout_which_rolls_back_whole(sqlite_server):
    path, username, server = sqlite_server
    process = server(graceful_timeout=GRACEFUL_TIMEOUT)
    await process.wait_ready()
    lock, http, mutation, contact_id, _new = await _mutation_waiting_for_the_write_lock(process, username)
    try:
        signalled = time.monotonic()
        process.signal(signal.SIGTERM)
        # The lock stays taken: the mutation cannot finish within the timeout.
        exit_code = await process.wait_exit(GRACEFUL_TIMEOUT + EXIT_MARGIN)
        exited_after = time.monotonic() - signalled
    finally:
        lock.execute("ROLLBACK")
        lock.close()
        try:
            await asyncio.wait_for(mutation, timeout=30)
        except (httpx.TransportError, AssertionError):
            pass  # cut off: no answer, or a 5xx
        await http.aclose()

    assert exit_code is not None, f"still running {exited_after:.1f} s after SIGTERM:\n{process.log()}"
    assert_shut_down_cleanly(process, exit_code)
    assert contact_rows(path)[contact_id] == (
        "Terry", "terry@example.com", ["terry.old1@example.com", "terry.old2@example.com"]
    )
    assert integrity(path) == "ok"

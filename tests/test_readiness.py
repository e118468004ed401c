"""Readiness that means ready (issue 17): /readyz is 503 with the reason while the
database lacks this release's migrations, while the database or Redis cannot be
reached, and from SIGTERM on; a database a newer release migrated further stays
ready. GraphQL requests on an unmigrated database get a coded 503, never the
database's own error."""

from __future__ import annotations

import asyncio
import signal

import httpx
import pytest
from alembic import command
from alembic.script import ScriptDirectory
from sqlalchemy import text

from conftest import TEST_HASHING
from db.engine import create_engine
from db.migrate import alembic_config, upgrade_to_head
from fleet_support import ServerProcess, base_env
from operations_support import fresh_database_url  # noqa: F401 (fixture)
from server import create_app, dispose_engines

LOGIN = """
mutation Login($input: LoginInput!) {
  login(input: $input) { token userErrors { code message } }
}
"""
LOGIN_VARIABLES = {"input": {"username": "nobody", "password": "whatever it is"}}


@pytest.fixture
async def app_on(settings):
    built = []

    def build(url: str):
        app = create_app(settings.model_copy(update={"DATABASE_URL": url}), password_hashing=TEST_HASHING)
        built.append(app)
        return app

    yield build
    for app in built:
        await dispose_engines(app)


async def _client(app) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver")


def _previous_revision(url: str) -> str:
    scripts = ScriptDirectory.from_config(alembic_config(url))
    return scripts.get_revision(scripts.get_current_head()).down_revision


async def _set_revision(url: str, revision: str) -> None:
    engine = create_engine(url)
    try:
        async with engine.begin() as connection:
            await connection.execute(text("UPDATE alembic_version SET version_num = :r"), {"r": revision})
    finally:
        await engine.dispose()


async def test_an_empty_database_is_not_ready_and_requests_get_a_coded_503(app_on, fresh_database_url):
    async with await _client(app_on(fresh_database_url)) as http:
        ready = await http.get("/readyz")
        assert (ready.status_code, ready.json()) == (503, {"database": "not migrated"})
        assert (await http.get("/healthz")).status_code == 200  # liveness: alive, just not ready
        answer = await http.post("/graphql", json={"query": LOGIN, "variables": LOGIN_VARIABLES})
    assert answer.status_code == 503
    assert answer.json() == {"errors": [{
        "message": "The service is not ready: its database is not migrated or not reachable.",
        "extensions": {"code": "SERVICE_UNAVAILABLE"},
    }]}


async def test_a_database_behind_the_code_is_not_ready_until_migrated(app_on, fresh_database_url):
    await asyncio.to_thread(command.upgrade, alembic_config(fresh_database_url), _previous_revision(fresh_database_url))
    async with await _client(app_on(fresh_database_url)) as http:
        ready = await http.get("/readyz")
        assert (ready.status_code, ready.json()) == (503, {"database": "not migrated"})
        assert (await http.post("/graphql", json={"query": LOGIN, "variables": LOGIN_VARIABLES})).status_code == 503

        # `ownerhub migrate` while the process runs: ready, and requests served, without a restart.
        await asyncio.to_thread(upgrade_to_head, fresh_database_url)
        ready = await http.get("/readyz")
        assert (ready.status_code, ready.json()) == (200, {"database": "ok"})
        answer = await http.post("/graphql", json={"query": LOGIN, "variables": LOGIN_VARIABLES})
    assert answer.status_code == 200
    assert answer.json()["data"]["login"]["token"] is None and "errors" not in answer.json()


async def test_a_database_migrated_ahead_by_a_newer_release_stays_ready(app_on, fresh_database_url):
    await asyncio.to_thread(upgrade_to_head, fresh_database_url)
    await _set_revision(fresh_database_url, "f0f0f0newer")  # a revision this release does not know
    async with await _client(app_on(fresh_database_url)) as http:
        ready = await http.get("/readyz")
        assert (ready.status_code, ready.json()) == (200, {"database": "ok"})
        answer = await http.post("/graphql", json={"query": LOGIN, "variables": LOGIN_VARIABLES})
    assert answer.status_code == 200 and "errors" not in answer.json()


async def test_readyz_is_503_from_sigterm_on_while_requests_are_still_served(tmp_path):
    # A server process of its own, on a SQLite file: the drain window keeps it
    # serving (readyz 503, everything else answered) before it stops listening.
    url = f"sqlite+aiosqlite:///{tmp_path / 'drain.sqlite3'}"
    await asyncio.to_thread(upgrade_to_head, url)
    server = ServerProcess(base_env(url, tmp_path, SHUTDOWN_DRAIN_SECONDS="3"), tmp_path / "server.log").start()
    try:
        await server.wait_ready()
        async with httpx.AsyncClient(base_url=server.url, timeout=10) as http:
            server.signal(signal.SIGTERM)
            await asyncio.sleep(0.5)
            ready = await http.get("/readyz")
            assert (ready.status_code, ready.json()) == (503, {"server": "stopping"}), server.log()
            assert (await http.get("/healthz")).status_code == 200
            answer = await http.post("/graphql", json={"query": LOGIN, "variables": LOGIN_VARIABLES})
            assert answer.status_code == 200
        assert await server.wait_exit(30) is not None, server.log()
    finally:
        await server.stop()

"""Test harness: one migrated database per run (SQLite by default, PostgreSQL when
DATABASE_URL says so), emptied between tests; the ASGI app driven over HTTP by httpx.

Why the tests empty the tables instead of rolling back a transaction per test: the
app opens several sessions and connections in one request, at the same time
(graphql-core resolves sibling fields concurrently, DataLoader batches run as their
own tasks). One test transaction means one connection, and SAVEPOINTs on one
connection are a stack, so two sessions open at once end each other's savepoint
("no such savepoint"); making it work would mean serialising the app's database
work, which is what the suite is there to test. The suite is kept fast instead by
commits that do not wait for the disk (`_database_folder`, `_commits_without_flush_wait`),
one round trip for the emptying (`empty_tables`) and one for checking it. Tests
that do their database work one session at a time, below the app (the outbox's
repository and sender), run inside one transaction that is rolled back
(`one_transaction`) and leave no tables to empty.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import tempfile
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import hypothesis
import pytest
from sqlalchemy import event, text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from db.engine import WRITE_OPTION, is_sqlite
from db.migrate import upgrade_to_head
from domain.activation import ActivationStatus
from domain.passwords import HashParameters
from models import Base
from repository.uow import UnitOfWork
from server import create_app, dispose_engines
from services.accounts import create_builder
from settings import Settings

ADMIN_PASSWORD = "correct horse battery staple"

# Argon2id at its cheapest: the suite creates and signs in hundreds of accounts, and
# the production cost (64 MiB, three passes) would be most of its run time. Hashes
# are still real Argon2id; tests/unit/test_passwords.py pins the production parameters.
TEST_HASHING = HashParameters(time_cost=1, memory_kib=8, parallelism=1)

# Timing is never asserted: Hypothesis's per-example deadline (200 ms) fails pure
# property tests when the machine is busy, which says nothing about the rule.
hypothesis.settings.register_profile("no-deadline", deadline=None)
hypothesis.settings.load_profile("no-deadline")

MEMORY_FOLDER = Path("/dev/shm")


def _database_url(tmp_root: Path) -> str:
    url = os.environ.get("DATABASE_URL")
    if url and not is_sqlite(url):
        return url
    return f"sqlite+aiosqlite:///{tmp_root / 'test.sqlite3'}"


@contextlib.contextmanager
def _database_folder(tmp_path_factory) -> Iterator[Path]:
    """Where the shared SQLite test database lives: in memory (/dev/shm) where the
    machine has it, so that its thousands of commits do not each wait for the disk
    (the app keeps `synchronous=FULL`; the crash tests check durability on their
    own databases on disk)."""
    if MEMORY_FOLDER.is_dir() and os.access(MEMORY_FOLDER, os.W_OK):
        with tempfile.TemporaryDirectory(prefix="ownerhub-tests-", dir=MEMORY_FOLDER) as folder:
            yield Path(folder)
    else:
        yield tmp_path_factory.mktemp("db")


@pytest.fixture(scope="session")
def database_url(tmp_path_factory) -> Iterator[str]:
    with _database_folder(tmp_path_factory) as folder:
        url = _database_url(folder)
        upgrade_to_head(url)
        yield url


def _commits_without_flush_wait(engine) -> None:
    """PostgreSQL: the test app's commits return before the WAL is flushed to disk
    (`synchronous_commit = off`). What other connections see is unchanged; only a
    crash of the database server could lose the last commits, which no test needs.

    The SET goes to asyncpg itself (`run_async`), outside any transaction, so it
    holds for the connection's life. Sent through the DBAPI adapter's cursor, it
    would open the adapter's transaction and leave it open: the setting would be
    undone by the connection's first rollback, and whatever came first on the new
    connection would run inside that transaction (`empty_tables`' script, rolled
    back when the connection went back to the pool, leaving every table full)."""

    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection, _record):
        dbapi_connection.run_async(lambda connection: connection.execute("SET synchronous_commit = off"))


@pytest.fixture(scope="session")
def settings(database_url, tmp_path_factory) -> Settings:
    root = tmp_path_factory.mktemp("var")
    return Settings(
        _env_file=None,
        DATABASE_URL=database_url,
        APP_URL="https://app.example.test",
        MAIL_DIR=str(root / "mail"),
        MEDIA_DIR=str(root / "media"),
        OUTBOX_WORKER="external",
    )


@pytest.fixture(scope="session")
async def app(settings):
    application = create_app(settings, password_hashing=TEST_HASHING)
    if not is_sqlite(settings.DATABASE_URL):
        _commits_without_flush_wait(application.state.engine)
    yield application
    await dispose_engines(application)


async def empty_tables(engine) -> None:
    """Deletes every row of every table, children first, then checks that every table
    is empty (`_assert_empty`). On PostgreSQL in one round trip: one script, which
    asyncpg sends by the simple query protocol and the server runs as one
    transaction of its own. On SQLite one transaction of DELETEs (in process, no
    round trips to save)."""
    tables = list(reversed(Base.metadata.sorted_tables))
    async with engine.connect() as connection:
        quote = connection.dialect.identifier_preparer.format_table
        statements = [f"DELETE FROM {quote(table)}" for table in tables]
        if is_sqlite(str(engine.url)):
            async with connection.begin():
                for statement in statements:
                    await connection.exec_driver_sql(statement)
        else:
            driver = (await connection.get_raw_connection()).driver_connection
            # Inside a transaction already open on the connection, the script would
            # be rolled back with it when the connection goes back to the pool.
            assert not driver.is_in_transaction(), "a transaction is open on the connection that empties the tables"
            await driver.execute(";".join(statements))
    await _assert_empty(engine, tables)


async def _assert_empty(engine, tables) -> None:
    """Fails the test that just ran, naming the tables that still hold rows: a commit
    that landed after the DELETEs (work of the test still running: a request past
    its cut-off, an app the test built) or DELETEs that were rolled back. Asked once
    the emptying's connection is back in the pool, its transaction ended: what it
    sees is committed."""
    async with engine.connect() as connection:
        quote = connection.dialect.identifier_preparer.format_table
        not_empty = " UNION ALL ".join(
            f"SELECT '{table.name}' WHERE EXISTS (SELECT 1 FROM {quote(table)})" for table in tables
        )
        left = [name for (name,) in await connection.exec_driver_sql(not_empty)]
    assert not left, f"rows left in {', '.join(left)} after the tables were emptied"


@pytest.fixture(autouse=True)
async def clean_database(request, app):
    """Every test starts from empty tables and fresh rate-limit counters
    (all tests call from one client address). A test that ran in `one_transaction`
    committed nothing: there is nothing to empty."""
    yield
    await app.state.rate_limiter.reset()
    if "one_transaction" not in request.fixturenames:
        await empty_tables(app.state.engine)


@pytest.fixture
async def one_transaction(app) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    """Sessions inside one transaction of the test database, rolled back after the
    test, for tests that call the repository, the services or the outbox sender
    directly and use one session at a time: no commit reaches the database, and no
    tables are emptied after them (`clean_database`).

    SQLAlchemy's recipe "Joining a Session into an External Transaction (such as
    for test suites)": a connection begins the transaction, and every session of
    the factory is bound to that connection with join_transaction_mode=
    "create_savepoint", so its commit releases a SAVEPOINT, its rollback returns
    to one, and the transaction itself is left to the fixture.

    One session at a time: SAVEPOINTs on one connection are a stack, and two
    sessions open side by side end each other's ("no such savepoint"). So the app,
    whose requests open sessions and connections concurrently (sibling fields,
    DataLoader batches), keeps committed data and emptied tables, and so do tests
    where two transactions must see or wait for each other's commits (two senders
    draining at once, a claim beside an uncommitted one)."""
    async with app.state.engine.connect() as connection:
        # A writer's transaction (SQLite: BEGIN IMMEDIATE), as a unit of work's.
        connection = await connection.execution_options(**{WRITE_OPTION: True})
        transaction = await connection.begin()
        try:
            yield async_sessionmaker(
                bind=connection, expire_on_commit=False, autoflush=False, join_transaction_mode="create_savepoint"
            )
        finally:
            await transaction.rollback()


@pytest.fixture
async def client(app):
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        yield http


class SqlCounter:
    """Counts the SQL statements sent through `engines` (transaction control
    excluded): an app's are its engine and its read engine (`counted_engines`)."""

    def __init__(self, *engines):
        self.statements: list[str] = []
        self._engines = list(dict.fromkeys(engine.sync_engine for engine in engines))

    def _record(self, conn, cursor, statement, *args):
        if statement.split(None, 1)[0].upper() not in {"BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE", "PRAGMA"}:
            self.statements.append(statement)

    def __enter__(self):
        self.statements.clear()
        for engine in self._engines:
            event.listen(engine, "before_cursor_execute", self._record)
        return self

    def __exit__(self, *exc):
        for engine in self._engines:
            event.remove(engine, "before_cursor_execute", self._record)

    @property
    def count(self) -> int:
        return len(self.statements)


def counted_engines(app) -> tuple:
    """The engines an app of ours sends SQL through (one on SQLite, two on PostgreSQL)."""
    return app.state.engine, app.state.read_engine


@pytest.fixture
def sql_counter(app):
    return SqlCounter(*counted_engines(app))


@dataclass
class Actor:
    """A signed-in user, as the tests drive it through GraphQL."""

    client: httpx.AsyncClient
    token: str | None
    username: str
    builder_account_id: int | None = None
    contact_id: int | None = None

    async def gql(self, query: str, variables: dict | None = None, **kwargs) -> dict:
        return await gql(self.client, query, variables, token=self.token, **kwargs)


async def gql(client, query, variables=None, *, token=None, expect_errors=False) -> dict:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    response = await client.post("/graphql", json={"query": query, "variables": variables or {}}, headers=headers)
    body = response.json()
    if not expect_errors:
        assert "errors" not in body, body
    return body


LOGIN = """
mutation($input: LoginInput!) {
  login(input: $input) { token expiresAt viewer { __typename } userErrors { code message field } }
}
"""


async def wait_until_ready(client, within: float = 60.0) -> None:
    """Polls `/readyz` until it answers 200, as a load balancer does before it sends
    a new server traffic. Each probe gives the database 3 s
    (observability/health.py), which a loaded machine can exceed; until the app has
    seen its schema once, GraphQL requests run that same check first."""
    deadline = asyncio.get_running_loop().time() + within
    while (await client.get("/readyz")).status_code != 200:
        assert asyncio.get_running_loop().time() < deadline, f"not ready within {within} s"
        await asyncio.sleep(0.1)


async def make_builder(app, client, name: str) -> Actor:
    username = f"admin-{uuid.uuid4().hex[:8]}"
    async with UnitOfWork(app.state.session_factory) as uow:
        account = await create_builder(uow, name, username, ADMIN_PASSWORD, app.state.password_hashing)
        await uow.commit()
    body = await gql(client, LOGIN, {"input": {"username": username, "password": ADMIN_PASSWORD}})
    token = body["data"]["login"]["token"]
    assert token
    return Actor(client, token, username, account.id)


@pytest.fixture
async def builder(app, client) -> Actor:
    return await make_builder(app, client, "Acme Homes")


@pytest.fixture
async def other_builder(app, client) -> Actor:
    return await make_builder(app, client, "Rival Builders")


@pytest.fixture
def anonymous(client) -> Actor:
    return Actor(client, None, "")




OWNER_PASSWORD = "my own long passphrase"


async def make_active_owner(app, client, builder: Actor, *, first_name="Olive", email=None) -> tuple[Actor, int]:
    """An ACTIVE owner with a login, written straight to the database.

    For tests of what an owner may do; the invite flow itself is tested through
    GraphQL in the activation tests."""
    from models import Contact, User
    from domain.passwords import hash_password

    email = email or f"{first_name.lower()}-{uuid.uuid4().hex[:6]}@example.com"
    username = f"owner-{uuid.uuid4().hex[:8]}"
    async with UnitOfWork(app.state.session_factory) as uow:
        contact = Contact(
            builder_account_id=builder.builder_account_id, first_name=first_name, last_name="Owner",
            primary_email=email, primary_email_key=email.lower(), activation_status=ActivationStatus.ACTIVE,
        )
        uow.session.add(contact)
        await uow.session.flush()
        uow.session.add(User(
            builder_account_id=builder.builder_account_id, kind="OWNER", contact_id=contact.id,
            username=username, username_key=username.lower(), password_hash=hash_password(OWNER_PASSWORD, app.state.password_hashing),
        ))
        await uow.commit()
    body = await gql(client, LOGIN, {"input": {"username": username, "password": OWNER_PASSWORD}})
    return Actor(client, body["data"]["login"]["token"], username, builder.builder_account_id), contact.id


@pytest.fixture
async def owner(app, client, builder) -> Actor:
    actor, contact_id = await make_active_owner(app, client, builder)
    actor.contact_id = contact_id
    return actor

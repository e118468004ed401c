"""Engine and session factory for SQLite (embedded default) and PostgreSQL.

SQLite is configured for a server with concurrent writers (SPEC 10): WAL journal,
`synchronous=FULL` so an acknowledged commit survives `kill -9`, a busy timeout,
foreign keys on, and every transaction opened with `BEGIN IMMEDIATE` so a writer
takes the write lock up front and waits for it, instead of failing later with
"database is locked" when it upgrades a read lock.
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, async_sessionmaker, create_async_engine

from settings import DEFAULT_DATABASE_URL

SQLITE_BUSY_TIMEOUT_MS = 30_000
# Execution option a unit of work sets on its connection: "this transaction writes".
WRITE_OPTION = "ownerhub_write"
# Execution option of a read of one statement on SQLite (`one_statement`).
ONE_STATEMENT_OPTION = "ownerhub_one_statement"


def is_sqlite(url: str) -> bool:
    return make_url(url).get_backend_name() == "sqlite"


def _configure_sqlite(engine: AsyncEngine) -> None:
    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection, _record):
        # Let SQLAlchemy, not the driver, decide where transactions begin.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(connection):
        # Readers use a deferred BEGIN so they never wait for writers (WAL).
        options = connection.get_execution_options()
        if options.get(ONE_STATEMENT_OPTION, False):
            return  # the statement is a transaction of its own (see `one_statement`)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if options.get(WRITE_OPTION, False) else "BEGIN")


async def one_statement(connection: AsyncConnection) -> AsyncConnection:
    """`connection` for a read of one statement, which is consistent by itself and
    needs no transaction around it (the viewer lookup of every request): on SQLite
    without the BEGIN (the driver runs it in a transaction of its own), on
    PostgreSQL in autocommit (no BEGIN and ROLLBACK round trips)."""
    if connection.dialect.name == "sqlite":
        return await connection.execution_options(**{ONE_STATEMENT_OPTION: True})
    return await connection.execution_options(isolation_level="AUTOCOMMIT")


def create_engine(url: str) -> AsyncEngine:
    # Statement parameters carry outbox bodies (with invite and reset links),
    # token hashes and personal data: never put them in logs or error messages.
    options = {"hide_parameters": True}
    if is_sqlite(url):
        if url == DEFAULT_DATABASE_URL:
            # The embedded default's folder (var/) is made on first use, as `make run`
            # expects; any other SQLite path must name an existing folder (settings.py).
            Path(make_url(url).database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_async_engine(url, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000}, **options)
        _configure_sqlite(engine)
        return engine
    return create_async_engine(url, pool_size=10, max_overflow=10, pool_pre_ping=True, **options)


def create_session_factory(engine: AsyncEngine) -> async_sessionmaker:
    return async_sessionmaker(engine, expire_on_commit=False, autoflush=False)

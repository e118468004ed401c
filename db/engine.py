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
# Execution option of the read engine's connections on SQLite (`ReadConnection`).
AUTOCOMMIT_READS_OPTION = "ownerhub_autocommit_reads"


# Statement parameters carry outbox bodies (with invite and reset links), token
# hashes and personal data: never put them in logs or error messages (on SQLite too).
_POSTGRESQL_OPTIONS = {"pool_size": 10, "max_overflow": 10, "pool_pre_ping": True, "hide_parameters": True}


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
        if options.get(AUTOCOMMIT_READS_OPTION, False):
            return  # each statement is a transaction of its own (see `ReadConnection`)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if options.get(WRITE_OPTION, False) else "BEGIN")


class ReadConnection:
    """`async with ReadConnection(engine) as connection:` a connection for reads of
    plain rows, where each statement is a transaction of its own, with no BEGIN and
    ROLLBACK around a request's reads: on SQLite the driver runs each statement in
    an implicit transaction; on PostgreSQL the connection is in autocommit.

    A read's statements see each other's commits as they land, as they would in a
    PostgreSQL transaction at READ COMMITTED (where every statement takes its own
    snapshot): a transaction around them bought no consistency on PostgreSQL, and
    on SQLite it held one snapshot for the whole request. Every statement applies
    the viewer's read scope by itself (repository/read_scope.py), so who may read
    a row never rests on what an earlier statement answered. Writes do not come
    here: they go through a unit of work (repository/uow.py).

    `engine` is the read engine (`create_read_engine`). On SQLite the option is set
    on the connection (not on an `Engine.execution_options` copy, whose joined event
    dispatch costs more per statement than the BEGIN it saves)."""

    __slots__ = ("_connection",)

    def __init__(self, engine: AsyncEngine) -> None:
        self._connection = engine.connect()

    async def __aenter__(self) -> AsyncConnection:
        connection = await self._connection.__aenter__()
        if connection.dialect.name == "sqlite":
            return await connection.execution_options(**{AUTOCOMMIT_READS_OPTION: True})
        return connection  # PostgreSQL's read engine is in autocommit already

    async def __aexit__(self, *exc_info) -> None:
        await self._connection.__aexit__(*exc_info)  # closes it, shielded from cancellation


def create_read_engine(engine: AsyncEngine) -> AsyncEngine:
    """The engine `ReadConnection` reads on. On SQLite, `engine` itself. On PostgreSQL,
    an engine of its own whose connections are always in autocommit: its pool's
    pre-ping is one round trip (SQLAlchemy's asyncpg ping wraps its `;` in BEGIN and
    ROLLBACK on a connection that is not in autocommit, and the pool gives a
    connection back to the engine's default isolation on return), and no isolation
    level is set and reset per request. Its pool is a second one beside `engine`'s:
    an API process holds up to twice as many connections (docs/deploy.md)."""
    if engine.dialect.name == "sqlite":
        return engine
    return create_async_engine(engine.url, isolation_level="AUTOCOMMIT", **_POSTGRESQL_OPTIONS)


def create_engine(url: str) -> AsyncEngine:
    options = {"hide_parameters": True}  # as `_POSTGRESQL_OPTIONS` says
    if is_sqlite(url):
        if url == DEFAULT_DATABASE_URL:
            # The embedded default's folder (var/) is made on first use, as `make run`
            # expects; any other SQLite path must name an existing folder (settings.py).
            Path(make_url(url).database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_async_engine(url, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000}, **options)
        _configure_sqlite(engine)
        return engine
    return create_async_engine(url, **_POSTGRESQL_OPTIONS)


def create_session_factory(engine: AsyncEngine) -> async_sessionmaker:
    return async_sessionmaker(engine, expire_on_commit=False, autoflush=False)

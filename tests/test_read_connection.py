"""Reads of plain rows run each statement as a transaction of its own
(db/engine.ReadConnection): no BEGIN and ROLLBACK around a request's reads, and
no snapshot held from one statement to the next. A read sees what was committed
before each of its statements, on SQLite as on PostgreSQL at READ COMMITTED."""

from __future__ import annotations

from sqlalchemy import func, select, text

from db.engine import ReadConnection
from models import BuilderAccount


async def in_transaction(connection) -> bool:
    """Whether the database holds a transaction open on `connection` from one statement to the next."""
    if connection.dialect.name == "sqlite":
        return (await connection.get_raw_connection()).driver_connection.in_transaction
    # A setting made local to the transaction (set_config's is_local) is still
    # there for the next statement only when both run in one transaction.
    await connection.execute(text("SELECT set_config('ownerhub.probe', 'set', true)"))
    probe = (await connection.execute(text("SELECT current_setting('ownerhub.probe', true)"))).scalar_one()
    return probe == "set"


async def test_a_read_holds_no_transaction_between_its_statements(app):
    async with ReadConnection(app.state.read_engine) as connection:
        await connection.execute(select(func.count()).select_from(BuilderAccount))
        assert not await in_transaction(connection)


async def test_each_statement_of_a_read_sees_what_was_committed_before_it(app):
    count = select(func.count()).select_from(BuilderAccount)
    async with ReadConnection(app.state.read_engine) as connection:
        before = (await connection.execute(count)).scalar_one()
        async with app.state.engine.begin() as writer:
            await writer.execute(BuilderAccount.__table__.insert().values(name="Committed meanwhile"))
        assert (await connection.execute(count)).scalar_one() == before + 1


async def test_the_plain_connection_still_reads_in_a_transaction(app):
    """The check above can fail: without ReadConnection, a read is in a transaction."""
    async with app.state.engine.connect() as connection:
        await connection.execute(select(func.count()).select_from(BuilderAccount))
        await connection.execute(select(func.count()).select_from(BuilderAccount))
        assert await in_transaction(connection)

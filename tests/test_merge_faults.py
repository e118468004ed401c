"""Faults and races in merging (SECURITY-CASES 34): an exception injected after any
write of a merge or an undo leaves the database exactly as before; opposite merges
at the same time end with one winner and a clean refusal, no deadlock, and the
claimed-email uniqueness intact."""

from __future__ import annotations

import asyncio
import contextlib

from sqlalchemy import event, func, select

from merge_support import (
    MERGE,
    UNDO,
    add_job,
    add_lead,
    create_contact,
    define_field,
    make_pending,
    merge,
    pk,
    read_contact,
    set_custom_value,
    undo,
)
from domain.activation import CLAIMING_STATUSES
from models import Base, Contact

WRITES = ("INSERT", "UPDATE", "DELETE")


class InjectedFault(Exception):
    pass


class FaultAt:
    """Raises InjectedFault in place of the app's `n`-th write statement, through
    SQLAlchemy's public event hook, as a crash or a lost connection would."""

    def __init__(self, n: int):
        self.n = n
        self.writes = 0

    def __call__(self, conn, cursor, statement, *args):
        if statement.lstrip().split(None, 1)[0].upper() in WRITES:
            self.writes += 1
            if self.writes == self.n:
                raise InjectedFault(f"injected before write {self.n}: {statement[:60]}")

    @property
    def fired(self) -> bool:
        return self.writes >= self.n


@contextlib.contextmanager
def fault_at(app, n: int):
    fault = FaultAt(n)
    engine = app.state.engine.sync_engine
    event.listen(engine, "before_cursor_execute", fault)
    try:
        yield fault
    finally:
        event.remove(engine, "before_cursor_execute", fault)


async def every_row(app) -> dict[str, list[tuple]]:
    dump = {}
    async with app.state.session_factory() as session:
        for table in Base.metadata.sorted_tables:
            rows = await session.execute(select(table).order_by(*table.primary_key.columns))
            dump[table.name] = [tuple(row) for row in rows]
    return dump


async def busy_scene(app, builder) -> tuple[str, list[str]]:
    """A merge that writes to every table it can: emails, info, fields, invites, jobs, leads."""
    survivor = await create_contact(builder, firstName="Dana", primaryEmail="dana@example.com")
    second = await create_contact(builder, firstName="D", phone="555 0100", primaryEmail="d@example.org",
                                  additionalEmails=["d2@example.org"])
    third = await create_contact(builder, lastName="Reyes", primaryEmail="r@example.net")
    field = await define_field(app, builder, "Lot")
    await set_custom_value(app, second, field, "12")
    await make_pending(app, third)
    await add_job(app, builder, "Job", [second, survivor, third])
    await add_lead(app, builder, "Lead", [third])
    return survivor, [second, third]


async def assert_each_write_can_fail_cleanly(app, actor, document, variables, field) -> dict:
    """Fails the request at its 2nd write, then its 3rd, ... until it has fewer writes
    than that and succeeds; after each failure every table is as before."""
    before = await every_row(app)
    n = 2
    while True:
        with fault_at(app, n) as fault:
            body = await actor.gql(document, variables, expect_errors=True)
        if not fault.fired:
            break
        # The failed mutation answers null; nothing else is in the answer.
        assert list(body["data"].values()) == [None] and body["errors"], body
        assert await every_row(app) == before, f"write {n} failed but left changes"
        n += 1
    assert n > 4, "the merge was expected to write several statements"
    payload = body["data"][field]
    assert payload["userErrors"] == []
    return payload


async def test_a_fault_after_any_write_of_a_merge_leaves_the_database_as_before(app, builder):
    survivor, merged = await busy_scene(app, builder)
    variables = {"input": {"survivorId": survivor, "mergedIds": merged}}

    payload = await assert_each_write_can_fail_cleanly(app, builder, MERGE, variables, "mergeContacts")

    assert payload["contact"]["emails"] == ["dana@example.com", "d@example.org", "d2@example.org", "r@example.net"]


async def test_a_fault_after_any_write_of_an_undo_leaves_the_database_as_before(app, builder):
    survivor, merged = await busy_scene(app, builder)
    merge_id = (await merge(builder, survivor, merged))["merge"]["id"]

    payload = await assert_each_write_can_fail_cleanly(app, builder, UNDO, {"input": {"mergeId": merge_id}}, "undoMerge")

    assert [c["id"] for c in payload["restoredContacts"]] == merged


async def assert_claimed_emails_unique(app) -> None:
    async with app.state.session_factory() as session:
        duplicated = (
            await session.execute(
                select(Contact.builder_account_id, Contact.primary_email_key)
                .where(Contact.activation_status.in_(CLAIMING_STATUSES), Contact.merged_into_id.is_(None))
                .group_by(Contact.builder_account_id, Contact.primary_email_key)
                .having(func.count() > 1)
            )
        ).all()
    assert duplicated == []


async def test_opposite_merges_at_once_one_wins_the_other_is_refused(app, builder):
    for round_ in range(4):
        a = await create_contact(builder, firstName=f"A{round_}", primaryEmail=f"same{round_}@example.com",
                                 additionalEmails=[f"a{round_}@example.com"])
        b = await create_contact(builder, firstName=f"B{round_}", primaryEmail=f"same{round_}@example.com",
                                 additionalEmails=[f"b{round_}@example.com"])
        await make_pending(app, a)

        results = await asyncio.gather(merge(builder, a, [b]), merge(builder, b, [a]))

        won = [r for r in results if not r["userErrors"]]
        refused = [r for r in results if r["userErrors"]]
        assert len(won) == 1 and len(refused) == 1, results
        assert [e["code"] for e in refused[0]["userErrors"]] == ["MERGE_CONFLICT"]
        winner = won[0]["contact"]
        assert (await read_contact(builder, a))["id"] == (await read_contact(builder, b))["id"] == winner["id"]
        assert len({e.lower() for e in winner["emails"]}) == len(winner["emails"]) == 3
    await assert_claimed_emails_unique(app)


async def test_a_cycle_of_merges_at_once_never_deadlocks_or_loops(app, builder):
    for round_ in range(3):
        a, b, c = [await create_contact(builder, firstName=f"{n}{round_}", primaryEmail=f"{n}{round_}@example.com")
                   for n in "abc"]

        results = await asyncio.gather(merge(builder, a, [b]), merge(builder, b, [c]), merge(builder, c, [a]))

        successes = sum(not r["userErrors"] for r in results)
        assert 1 <= successes <= 2, results
        assert all(e["code"] == "MERGE_CONFLICT" for r in results for e in r["userErrors"])
        # Every old id still leads to a live contact: no redirect cycle.
        landed = {(await read_contact(builder, x))["id"] for x in (a, b, c)}
        assert len(landed) == 3 - successes
        async with app.state.session_factory() as session:
            live = await session.execute(
                select(Contact.id).where(Contact.id.in_([pk(a), pk(b), pk(c)]), Contact.merged_into_id.is_(None))
            )
            assert {pk(x) for x in landed} == set(live.scalars())
    await assert_claimed_emails_unique(app)


async def test_two_undos_of_one_merge_at_once_restore_once(app, builder):
    survivor, merged = await busy_scene(app, builder)
    merge_id = (await merge(builder, survivor, merged))["merge"]["id"]

    results = await asyncio.gather(*(undo(builder, merge_id) for _ in range(2)))

    assert sorted(len(r["userErrors"]) for r in results) == [0, 1], results
    refused = next(r for r in results if r["userErrors"])
    assert [e["code"] for e in refused["userErrors"]] == ["MERGE_CONFLICT"]
    assert "already been undone" in refused["userErrors"][0]["message"]
    assert [(await read_contact(builder, m))["id"] for m in merged] == merged


async def test_an_undo_racing_a_new_merge_into_the_survivor_stays_consistent(app, builder):
    survivor, merged = await busy_scene(app, builder)
    merge_id = (await merge(builder, survivor, merged))["merge"]["id"]
    newcomer = await create_contact(builder, firstName="Newcomer", primaryEmail="new@example.com")

    undone, merged_again = await asyncio.gather(undo(builder, merge_id), merge(builder, survivor, [newcomer]))

    assert merged_again["userErrors"] == []
    if undone["userErrors"]:
        # The new merge came first: this one is no longer the latest.
        assert [e["code"] for e in undone["userErrors"]] == ["MERGE_CONFLICT"]
        assert [(await read_contact(builder, m))["id"] for m in merged] == [survivor, survivor]
    else:
        assert [(await read_contact(builder, m))["id"] for m in merged] == merged
    assert (await read_contact(builder, newcomer))["id"] == survivor
    await assert_claimed_emails_unique(app)

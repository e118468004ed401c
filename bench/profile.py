"""Where a benchmark query's CPU goes, by layer: runs it in process (httpx's ASGI
transport, production settings) under cProfile and sums each layer's own time:
graphql-core's execution, the rest of graphql-core, Strawberry, each of the
project's packages (schema/, resolvers/, repository/, ...), SQLAlchemy, the SQL
driver, HTTP (Starlette and Strawberry's view are in their layers; the in-process
client is its own), the event loop, JSON. Then the most expensive functions.

Batches of the same requests: first without the profiler (`--batches`, the
cheapest reported), to measure the CPU per request of the main thread
(time.thread_time) and of the process's other threads (aiosqlite runs every
SQLite call in a thread of its own: the SQL driver's work on SQLite), which a
busy machine bends less than wall time; then one under cProfile, for each
layer's share of the main thread's time (waiting left out: the event loop in
epoll, and the hand-over of each SQLite call to aiosqlite's thread, where the
main thread waits for the GIL). A layer's ms per request is its share times the
main thread's CPU. cProfile inflates small calls, so the shares lean a little
towards layers of many small calls; the in-process client's own work is in the
main thread too, as its own row.

    python -m bench.profile --database sqlite --query list --requests 200
    python -m bench.profile --query profile --server peer
    python -m bench.profile --query write --requests 201   # per mutation of the write mix

The write mix (`--query write`) sends bench/load.lua's three mutations per
contact in turn, so a "request" is one mutation; the peer does not serve it.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import itertools
import os
import pstats
import time
from collections import defaultdict
from pathlib import Path

import httpx
import orjson

from bench import queries
from bench.driver import create_body, database_url, invite_body, set_emails_body
from bench.generate import BUILDER_TOKEN, OWNER_TOKEN, ensure

ROOT = Path(__file__).resolve().parent.parent
OTHER_THREADS = "other threads (aiosqlite's: the SQL driver on SQLite; not profiled)"
# By where a function's code lives; the first match wins.
LIBRARIES = [
    ("graphql-core execution", "/graphql/execution/"),
    ("graphql-core parse, validate, other", "/graphql/"),
    ("strawberry", "/strawberry/"),
    ("sqlalchemy", "/sqlalchemy/"),
    ("SQL driver (aiosqlite, asyncpg, sqlite3)", "/aiosqlite/"),
    ("SQL driver (aiosqlite, asyncpg, sqlite3)", "/asyncpg/"),
    ("SQL driver (aiosqlite, asyncpg, sqlite3)", "/sqlite3/"),
    ("HTTP (starlette)", "/starlette/"),
    ("the in-process client (httpx)", "/httpx/"),
    ("the in-process client (httpx)", "/httpcore/"),
    ("event loop (asyncio, threads)", "/asyncio/"),
    ("event loop (asyncio, threads)", "/threading.py"),
    ("event loop (asyncio, threads)", "/concurrent/"),
]
# Built-in functions have no file: by the name cProfile gives them.
BUILTINS = [
    ("SQL driver (aiosqlite, asyncpg, sqlite3)", ("sqlite3", "asyncpg")),
    ("sqlalchemy", ("greenlet",)),  # its bridge from asyncio to its synchronous core
    ("JSON (orjson, json)", ("orjson", "_json", "json.")),
    ("event loop (asyncio, threads)", ("_asyncio", "_thread", "uvloop", "select.epoll", "poll")),
]


def layer(filename: str, name: str) -> str:
    for label, marker in LIBRARIES:
        if marker in filename:
            return label
    if filename.startswith(f"{ROOT}/") and "-packages/" not in filename:
        top = Path(filename).relative_to(ROOT).parts[0]
        return f"ownerhub {top}" if top.endswith(".py") else f"ownerhub {top}/"
    if filename == "~":
        for label, markers in BUILTINS:
            if any(marker in name for marker in markers):
                return label
    return "builtins and stdlib"


def idle(name: str) -> bool:
    """Waiting, not work: the event loop in epoll, and the hand-over of a call to
    aiosqlite's thread, where the main thread waits for the GIL that thread holds."""
    return ("poll" in name and "epoll" in name) or "SimpleQueue" in name


def build_app(server: str, url: str):
    from settings import Settings

    settings = Settings(_env_file=None, DATABASE_URL=url, ENVIRONMENT="production", OUTBOX_WORKER="external")
    if server == "graphql":
        from server import create_app

        return create_app(settings)
    from bench import baseline, peer

    return (peer if server == "peer" else baseline).create_app(settings)


class Requests:
    """The requests of `query`, one after another: the same body for a read; for
    the write mix, a contact created, its additional emails set, then invited, one
    mutation per request (bench/load.lua's order), each with a fresh email."""

    def __init__(self, query: str) -> None:
        self.query = query
        self.numbers = itertools.count(int.from_bytes(os.urandom(4)))  # emails no earlier run used
        self.step, self.contact_id = 0, ""
        if query == "profile":
            self.body, token = orjson.dumps({"query": queries.PROFILE}), OWNER_TOKEN
        else:
            self.body = orjson.dumps({"query": queries.LIST, "variables": queries.LIST_VARIABLES})
            token = BUILDER_TOKEN
        self.headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}

    async def send(self, client: httpx.AsyncClient) -> None:
        if self.query != "write":
            await client.post("/graphql", content=self.body, headers=self.headers)
            return
        step, self.step = self.step, (self.step + 1) % 3
        if step == 0:
            answer = await client.post("/graphql", content=create_body(next(self.numbers)), headers=self.headers)
            self.contact_id = answer.json()["data"]["createContact"]["contact"]["id"]
        elif step == 1:
            await client.post("/graphql", content=set_emails_body(self.contact_id, next(self.numbers)),
                              headers=self.headers)
        else:
            await client.post("/graphql", content=invite_body(self.contact_id), headers=self.headers)


async def run(args, url: str) -> None:
    app = build_app(args.server, url)
    requests = Requests(args.query)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://bench") as client:
        for _ in range(21):
            await requests.send(client)
        batches = []
        for _ in range(args.batches):
            process_before, main_before = time.process_time(), time.thread_time()
            for _ in range(args.requests):
                await requests.send(client)
            main_thread = time.thread_time() - main_before
            batches.append((main_thread, time.process_time() - process_before - main_thread))
        main_thread, other_threads = min(batches)  # the batch least bent by the rest of the machine
        profiler = cProfile.Profile()
        profiler.enable()
        for _ in range(args.requests):
            await requests.send(client)
        profiler.disable()
    for engine in {app.state.engine, getattr(app.state, "read_engine", app.state.engine)}:
        await engine.dispose()
    report(args, pstats.Stats(profiler), main_thread / args.requests, other_threads / args.requests)


def report(args, stats: pstats.Stats, main_cpu: float, other_cpu: float) -> None:
    requests = args.requests
    by_layer: dict[str, float] = defaultdict(float)
    calls: dict[str, int] = defaultdict(int)
    for (filename, _line, name), (_cc, ncalls, tottime, _ct, _callers) in stats.stats.items():
        if not idle(name):
            by_layer[layer(filename, name)] += tottime
            calls[layer(filename, name)] += ncalls
    total = sum(by_layer.values())
    print(f"{args.server}, {args.query}, {args.database}: {(main_cpu + other_cpu) * 1000:.2f} ms of CPU per request"
          f" in process ({main_cpu * 1000:.2f} main thread, {other_cpu * 1000:.2f} other threads; the cheapest of"
          f" {args.batches} batches of {requests} requests)\n")
    print("| layer | share of the main thread | ms per request | calls per request |\n|---|---|---|---|")
    for name, seconds in sorted(by_layer.items(), key=lambda item: -item[1]):
        print(f"| {name} | {seconds / total:.0%} | {seconds / total * main_cpu * 1000:.2f} | {calls[name] / requests:.0f} |")
    print(f"| {OTHER_THREADS} | | {other_cpu * 1000:.2f} | |")
    print(f"\nTop {args.top} functions by own time:\n")
    print("| function | layer | calls per request | share of the main thread |\n|---|---|---|---|")
    rows = sorted((item for item in stats.stats.items() if not idle(item[0][2])), key=lambda item: -item[1][2])
    for (filename, line, name), (_cc, ncalls, tottime, _ct, _callers) in rows[:args.top]:
        where = filename.split("-packages/")[-1].removeprefix(f"{ROOT}/")
        print(f"| `{name}` ({where}:{line}) | {layer(filename, name)} | {ncalls / requests:.0f} | {tottime / total:.1%} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--contacts", type=int, default=10_000)
    parser.add_argument("--query", choices=("profile", "list", "write"), default="list")
    parser.add_argument("--server", choices=("graphql", "peer", "baseline"), default="graphql")
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--top", type=int, default=15)
    parser.add_argument("--batches", type=int, default=3, help="unprofiled batches; the cheapest one is reported")
    args = parser.parse_args()
    if args.query == "write" and args.server == "peer":
        parser.error("the peer serves the two reads only")
    url = database_url(args.database, args.contacts)
    ensure(url, args.contacts)
    asyncio.run(run(args, url))


if __name__ == "__main__":
    main()

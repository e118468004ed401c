"""Where a benchmark query's time goes: runs it in process under cProfile and
sums the time spent in each layer's own functions (graphql-core, Strawberry,
SQLAlchemy, ...), then lists the most expensive functions.

    python -m bench.profile --database sqlite --query list --requests 200
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import pstats
from collections import defaultdict

import httpx

from bench import queries
from bench.driver import database_url
from bench.generate import BUILDER_TOKEN, OWNER_TOKEN, ensure

LAYERS = [
    ("graphql-core execution", "/graphql/execution/"),
    ("graphql-core other", "/graphql/"),
    ("strawberry", "/strawberry/"),
    ("sqlalchemy", "/sqlalchemy/"),
    ("aiosqlite / asyncpg", "/aiosqlite/"),
    ("aiosqlite / asyncpg", "/asyncpg/"),
    ("starlette", "/starlette/"),
    ("httpx (the client)", "/httpx/"),
    ("httpx (the client)", "/httpcore/"),
    ("ownerhub", "/wt-"),
    ("ownerhub", "/work/main/"),
    ("asyncio / threads", "/asyncio/"),
    ("asyncio / threads", "/threading.py"),
]


def layer(filename: str) -> str:
    for name, marker in LAYERS:
        if marker in filename:
            return name
    return "builtins and stdlib" if not filename.startswith("/") or "/lib/python3" in filename else "other"


async def run(url: str, query: str, requests: int, top: int) -> None:
    from server import create_app
    from settings import Settings

    app = create_app(Settings(_env_file=None, DATABASE_URL=url, ENVIRONMENT="production", OUTBOX_WORKER="external"))
    body = {"query": queries.PROFILE} if query == "profile" else {"query": queries.LIST, "variables": queries.LIST_VARIABLES}
    headers = {"Authorization": f"Bearer {OWNER_TOKEN if query == 'profile' else BUILDER_TOKEN}"}
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://bench") as client:
        for _ in range(20):
            await client.post("/graphql", json=body, headers=headers)
        profiler = cProfile.Profile()
        profiler.enable()
        for _ in range(requests):
            await client.post("/graphql", json=body, headers=headers)
        profiler.disable()
    await app.state.engine.dispose()

    stats = pstats.Stats(profiler)
    by_layer: dict[str, float] = defaultdict(float)
    calls: dict[str, int] = defaultdict(int)
    idle = 0.0
    for (filename, _line, name), (_cc, ncalls, tottime, _ct, _callers) in stats.stats.items():
        if "poll" in name and "epoll" in name:  # the event loop waiting: not work
            idle += tottime
            continue
        by_layer[layer(filename)] += tottime
        calls[layer(filename)] += ncalls
    total = sum(by_layer.values())
    print(f"{query}: {total / requests * 1000:.2f} ms of profiled work per request, {idle / requests * 1000:.2f} ms"
          " waiting in epoll (cProfile inflates small calls; the shares are what matter)\n")
    print("| layer | share | calls per request |\n|---|---|---|")
    for name, seconds in sorted(by_layer.items(), key=lambda item: -item[1]):
        print(f"| {name} | {seconds / total:.0%} | {calls[name] / requests:.0f} |")
    print(f"\nTop {top} functions by own time:\n")
    print("| function | calls per request | own ms per request |\n|---|---|---|")
    rows = sorted((item for item in stats.stats.items() if "epoll" not in item[0][2]),
                  key=lambda item: -item[1][2])[:top]
    for (filename, line, name), (_cc, ncalls, tottime, _ct, _callers) in rows:
        where = filename.split("site-packages/")[-1].split("wt-bench/")[-1]
        print(f"| `{name}` ({where}:{line}) | {ncalls / requests:.0f} | {tottime / requests * 1000:.2f} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--contacts", type=int, default=10_000)
    parser.add_argument("--query", choices=("profile", "list"), default="list")
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--top", type=int, default=15)
    args = parser.parse_args()
    url = database_url(args.database, args.contacts)
    ensure(url, args.contacts)
    asyncio.run(run(url, args.query, args.requests, args.top))


if __name__ == "__main__":
    main()

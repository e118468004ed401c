"""Instructions per request of the benchmark's queries, counted under callgrind:
the GraphQL server and the hand-written baseline (bench/baseline.py) in one run,
with the ratio baseline ÷ server beside each query.

Unlike throughput, an instruction count hardly moves with the rest of the
machine's load (within about 1%), so it judges a change of the per-request cost
on a busy machine. Each app is built with production settings, its lifespan
entered, and the bench's bodies (bench/queries.py; the write mix's three
mutations per contact as bench/driver.py builds them) sent to it as raw ASGI
calls on uvloop's event loop (uvicorn's in the benchmark): a scope, one body
message, the bench's bearer token; no HTTP, no client library, so only the app's
own work is counted. After the warm-up requests,
callgrind's collection is switched on (`callgrind_control -i on`) for N requests
and off again, and the counters are dumped; every thread of the process counts
(aiosqlite's included), the kernel's and the database server's work do not.
A write-mix figure is per mutation (creates, sets of emails and invites in turn).

    python -m bench.instructions                                  # SQLite, profile and list, server and baseline
    python -m bench.instructions --database postgresql --queries profile,list,write
    python -m bench.instructions --servers graphql --queries profile --requests 20
    python -m bench.instructions --database postgresql \\
        --database-url postgresql+asyncpg://postgres@127.0.0.1:5432/my_bench_db

The data set is bench/generate.py's (`ensure`: made once, 10k contacts unless
told); on PostgreSQL it goes to the database `--database-url` names (default: the
driver's `ownerhub_bench_10k_v2`). Needs valgrind (`apt-get install valgrind`).
The script starts itself under `valgrind --tool=callgrind --instr-atstart=no`
and reads the dumps when that process ends; the imports and warm-up run
uninstrumented, a run of the defaults takes one to three minutes.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import orjson

from bench import queries
from bench.driver import create_body, database_url, invite_body, set_emails_body
from bench.generate import BUILDER_TOKEN, OWNER_TOKEN, ensure

QUERIES = ("profile", "list", "write")
SERVERS = ("graphql", "baseline")
OFF_AND_ON = "switching"
READ_BODIES = {
    "profile": (orjson.dumps({"query": queries.PROFILE}), OWNER_TOKEN),
    "list": (orjson.dumps({"query": queries.LIST, "variables": queries.LIST_VARIABLES}), BUILDER_TOKEN),
}


# -- the counted process (runs under callgrind) ----------------------------------------

async def call(app, body: bytes, token: str) -> tuple[int, bytes]:
    """One POST /graphql as a raw ASGI call; the status and the body of the answer."""
    scope = {
        "type": "http", "asgi": {"version": "3.0", "spec_version": "2.3"}, "http_version": "1.1",
        "method": "POST", "scheme": "http", "path": "/graphql", "raw_path": b"/graphql", "query_string": b"",
        "root_path": "", "server": ("127.0.0.1", 8000), "client": ("127.0.0.1", 50000),
        "headers": [
            (b"host", b"127.0.0.1:8000"), (b"content-type", b"application/json"),
            (b"authorization", f"Bearer {token}".encode()), (b"content-length", str(len(body)).encode()),
        ],
    }
    sent = False

    async def receive():
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        await asyncio.Event().wait()  # the client stays connected

    status, chunks = 0, []

    async def send(message):
        nonlocal status
        if message["type"] == "http.response.start":
            status = message["status"]
        elif message["type"] == "http.response.body":
            chunks.append(message.get("body", b""))

    await app(scope, receive, send)
    return status, b"".join(chunks)


class Writes:
    """The write mix, one mutation per step: a contact created, its additional emails
    set, then invited, as bench/load.lua sends them."""

    def __init__(self) -> None:
        self.numbers = itertools.count(int.from_bytes(os.urandom(4)))  # emails no earlier run used
        self.step = 0
        self.contact_id = ""

    async def send(self, app) -> tuple[int, bytes]:
        step, self.step = self.step, (self.step + 1) % 3
        if step == 0:
            body = create_body(next(self.numbers))
        elif step == 1:
            body = set_emails_body(self.contact_id, next(self.numbers))
        else:
            body = invite_body(self.contact_id)
        status, answer = await call(app, body, BUILDER_TOKEN)
        if step == 0 and status == 200:
            self.contact_id = orjson.loads(answer)["data"]["createContact"]["contact"]["id"]
        return status, answer


def build_app(server: str, url: str):
    from settings import Settings

    settings = Settings(_env_file=None, DATABASE_URL=url, ENVIRONMENT="production", OUTBOX_WORKER="external")
    if server == "graphql":
        from server import create_app

        return create_app(settings)
    from bench import baseline

    return baseline.create_app(settings)


async def lifespan(app):
    """Enters the app's lifespan (the raw ASGI protocol); returns the function that leaves it."""
    inbox: asyncio.Queue = asyncio.Queue()
    started, stopped = asyncio.Event(), asyncio.Event()

    async def send(message):
        if message["type"].startswith("lifespan.startup"):
            started.set()
        elif message["type"].startswith("lifespan.shutdown"):
            stopped.set()

    task = asyncio.ensure_future(app({"type": "lifespan", "asgi": {"version": "3.0"}, "state": {}}, inbox.get, send))
    await inbox.put({"type": "lifespan.startup"})
    await started.wait()

    async def leave():
        await inbox.put({"type": "lifespan.shutdown"})
        await stopped.wait()
        await task

    return leave


def callgrind(*args: str) -> None:
    subprocess.run(["callgrind_control", *args, str(os.getpid())], check=True, stdout=subprocess.DEVNULL)


async def counted(label: str, requests: int, request) -> None:
    """Collection on for `requests` calls of `request`, then dumped under `label`."""
    callgrind("-z")
    callgrind("-i", "on")
    for _ in range(requests):
        await request()
    callgrind("-i", "off")
    callgrind("-d", label)


async def nothing() -> None:
    pass


async def count(args, url: str) -> None:
    # What switching collection on and off costs the process itself (the rest of
    # subprocess.run), subtracted from every count.
    await counted(f"{OFF_AND_ON}:", 0, nothing)
    for server in args.servers:
        app = build_app(server, url)
        leave = await lifespan(app)
        for query in args.queries:
            if query == "write":
                writes = Writes()
                request = lambda: writes.send(app)  # noqa: E731
            else:
                body, token = READ_BODIES[query]
                request = lambda: call(app, body, token)  # noqa: E731
            for _ in range(args.warmup):
                status, answer = await request()
                if status != 200 or b'"errors"' in answer or b'"userErrors":[{' in answer:
                    raise SystemExit(f"{server} answered {query} with {status}: {answer[:300]!r}")
            await counted(f"{server}:{query}", args.requests, request)
        await leave()


# -- the driving process ---------------------------------------------------------------

def totals(folder: Path) -> dict[tuple[str, str], int]:
    """Instructions of each dump, by the (server, query) its trigger names, less the
    cost of switching collection on and off."""
    found = {}
    for path in folder.glob("callgrind.out.*"):
        text = path.read_text(errors="replace")
        trigger = re.search(r"^desc: Trigger: dump (\w*):(\w*)$", text, re.M)
        total = re.search(r"^totals: (\d+)$", text, re.M)
        if trigger and total:
            found[trigger.group(1), trigger.group(2)] = int(total.group(1))
    switching = found.pop((OFF_AND_ON, ""))
    return {key: value - switching for key, value in found.items()}


def report(args, found: dict[tuple[str, str], int]) -> None:
    per = {key: value / args.requests / 1e6 for key, value in found.items()}
    print(f"M instructions per request, {args.database}, {args.requests} requests counted after {args.warmup}"
          f" warm-up requests (write: per mutation)\n")
    heads = [*args.servers] + (["ratio (baseline ÷ server)"] if set(SERVERS) <= set(args.servers) else [])
    print("| query | " + " | ".join(heads) + " |\n" + "|---" * (len(heads) + 1) + "|")
    for query in args.queries:
        cells = [f"{per[server, query]:.2f}" if (server, query) in per else "-" for server in args.servers]
        if len(heads) > len(args.servers):
            both = ("graphql", query) in per and ("baseline", query) in per
            cells.append(f"{per['baseline', query] / per['graphql', query]:.2f}" if both else "-")
        print(f"| {query} | " + " | ".join(cells) + " |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--database-url", help="where the data set is (default: the driver's for --database)")
    parser.add_argument("--contacts", type=int, default=10_000)
    parser.add_argument("--queries", default="profile,list", help=f"comma-separated, of {', '.join(QUERIES)}")
    parser.add_argument("--servers", default="graphql,baseline", help=f"comma-separated, of {', '.join(SERVERS)}")
    parser.add_argument("--requests", type=int, default=30, help="counted requests per query and server")
    parser.add_argument("--warmup", type=int, default=30, help="uncounted requests before them")
    parser.add_argument("--counted", action="store_true", help=argparse.SUPPRESS)  # the process under callgrind
    args = parser.parse_args()
    args.queries = [query for query in args.queries.split(",") if query]
    args.servers = [server for server in args.servers.split(",") if server]
    if not set(args.queries) <= set(QUERIES) or not set(args.servers) <= set(SERVERS):
        parser.error(f"queries are among {QUERIES}, servers among {SERVERS}")
    if args.warmup < 3 and "write" in args.queries:
        parser.error("the write mix needs at least 3 warm-up requests (one contact through its three steps)")
    url = args.database_url or database_url(args.database, args.contacts)
    if args.counted:
        import uvloop  # the event loop uvicorn serves the benchmark with

        uvloop.run(count(args, url))
        return
    if shutil.which("valgrind") is None or shutil.which("callgrind_control") is None:
        raise SystemExit("counting instructions needs valgrind: apt-get install valgrind")
    ensure(url, args.contacts)
    with tempfile.TemporaryDirectory(prefix="ownerhub-callgrind-") as folder:
        command = [
            "valgrind", "--tool=callgrind", "--instr-atstart=no", f"--callgrind-out-file={folder}/callgrind.out",
            sys.executable, "-m", "bench.instructions", *sys.argv[1:], "--database-url", url, "--counted",
        ]
        done = subprocess.run(command, stderr=subprocess.PIPE, text=True, check=False)
        if done.returncode:
            raise SystemExit(f"the counted run failed:\n{done.stderr[-3000:]}")
        report(args, totals(Path(folder)))


if __name__ == "__main__":
    main()

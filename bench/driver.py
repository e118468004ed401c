"""Load driver: the GraphQL server against the hand-written baseline (issue 7).

Starts both as uvicorn processes (one worker each, uvloop + httptools, on
127.0.0.1), then runs every query on both, alternately, over several rounds,
with a bounded number of concurrent keep-alive clients for a bounded time. Per
query and server it reports requests/s, p50 and p99 latency, CPU ms per request
(from /proc of the server process), SQL statements per request (counted in
process, once, before the load), peak RSS, and the ratio to the baseline: the
median over rounds of (server req/s / baseline req/s in the same round).

    python -m bench.driver --database sqlite --contacts 10000 --rounds 3 --seconds 5
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import os
import socket
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import orjson

from bench import queries
from bench.generate import BUILDER_TOKEN, DATA_VERSION, OWNER_TOKEN, ensure

ROOT = Path(__file__).resolve().parent.parent
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
MAX_CONCURRENCY = 256
MAX_SECONDS = 120


def database_url(kind: str, contacts: int) -> str:
    """Where the data set of this size lives; its name carries the generator's DATA_VERSION."""
    label = f"{contacts // 1000}k" if contacts < 1_000_000 else f"{contacts // 1_000_000}m"
    if kind == "sqlite":
        return f"sqlite+aiosqlite:///{ROOT / 'var' / 'bench' / f'bench-{label}-v{DATA_VERSION}.sqlite3'}"
    name = f"ownerhub_bench_{label}_v{DATA_VERSION}"
    subprocess.run(["psql", "-h", "127.0.0.1", "-U", "postgres", "-d", "postgres", "-q", "-c",
                    f"CREATE DATABASE {name}"], capture_output=True, check=False)
    return f"postgresql+asyncpg://postgres@127.0.0.1:5432/{name}"


# -- what each query sends -----------------------------------------------------

def _post(path: str, body: bytes, token: str) -> bytes:
    return (f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
            f"Authorization: Bearer {token}\r\nContent-Length: {len(body)}\r\n\r\n").encode() + body


PROFILE_REQUEST = _post("/graphql", orjson.dumps({"query": queries.PROFILE}), OWNER_TOKEN)
LIST_REQUEST = _post("/graphql", orjson.dumps({"query": queries.LIST, "variables": queries.LIST_VARIABLES}),
                     BUILDER_TOKEN)
_writes = itertools.count()


def create_body(n: int) -> bytes:
    return orjson.dumps({"query": queries.CREATE_CONTACT, "variables": {"input": {
        "firstName": "Wendy", "lastName": "Writer", "primaryEmail": f"writer{os.getpid()}.{n}@example.net",
        "additionalEmails": [f"w{n}@example.org"]}}})


def set_emails_body(contact_id: str, n: int) -> bytes:
    return orjson.dumps({"query": queries.SET_EMAILS, "variables": {"input": {
        "contactId": contact_id, "emails": [f"w{n}.a@example.org", f"w{n}.b@example.org"]}}})


def invite_body(contact_id: str) -> bytes:
    return orjson.dumps({"query": queries.SEND_INVITE, "variables": {"input": {"contactId": contact_id}}})


# -- a minimal keep-alive HTTP/1.1 client: cheap enough not to be the bottleneck --

class Connection:
    def __init__(self, reader, writer):
        self.reader, self.writer = reader, writer

    async def send(self, request: bytes) -> tuple[int, bytes]:
        self.writer.write(request)
        head = await self.reader.readuntil(b"\r\n\r\n")
        status = int(head[9:12])
        length = 0
        for line in head.split(b"\r\n"):
            if line[:15].lower() == b"content-length:":
                length = int(line[15:])
        return status, await self.reader.readexactly(length)


@dataclass
class Sample:
    requests: int = 0
    errors: int = 0
    seconds: float = 0.0
    latencies: list[float] = field(default_factory=list)
    cpu_seconds: float = 0.0

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


async def _timed(conn: Connection, request: bytes, sample: Sample) -> tuple[int, bytes]:
    """Sends one request and records it: its latency, and an error unless it was answered in full."""
    started = time.perf_counter()
    status, body = await conn.send(request)
    sample.latencies.append(time.perf_counter() - started)
    sample.requests += 1
    if status != 200 or b'"errors"' in body or b'"userErrors":[{' in body:
        sample.errors += 1
    return status, body


async def _write_mix(conn: Connection, sample: Sample) -> None:
    """Creates a contact, sets its additional emails, invites it: three requests."""
    n = next(_writes)
    status, body = await _timed(conn, _post("/graphql", create_body(n), BUILDER_TOKEN), sample)
    contact = status == 200 and orjson.loads(body)["data"]["createContact"]["contact"]
    if not contact:
        return
    await _timed(conn, _post("/graphql", set_emails_body(contact["id"], n), BUILDER_TOKEN), sample)
    await _timed(conn, _post("/graphql", invite_body(contact["id"]), BUILDER_TOKEN), sample)


async def _worker(port: int, query: str, deadline: float, sample: Sample) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    conn = Connection(reader, writer)
    request = PROFILE_REQUEST if query == "profile" else LIST_REQUEST
    try:
        while time.perf_counter() < deadline:
            if query == "write":
                await _write_mix(conn, sample)
            else:
                await _timed(conn, request, sample)
    finally:
        writer.close()


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS  # utime + stime


def peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


async def load(pid: int, port: int, query: str, seconds: float, concurrency: int) -> Sample:
    sample = Sample()
    cpu_before = cpu_seconds(pid)
    started = time.perf_counter()
    await asyncio.gather(*(_worker(port, query, started + seconds, sample) for _ in range(concurrency)))
    sample.seconds = time.perf_counter() - started
    sample.cpu_seconds = cpu_seconds(pid) - cpu_before
    return sample


# -- the two servers -------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(kind: str, url: str) -> tuple[subprocess.Popen, int]:
    """Starts one server; its output (the GraphQL server's JSON access log among it)
    goes to var/bench/<kind>-server.log rather than between the driver's lines."""
    port = free_port()
    target = ["server:app"] if kind == "graphql" else ["--factory", "bench.baseline:create_app_from_env"]
    env = {**os.environ, "DATABASE_URL": url, "ENVIRONMENT": "production", "OUTBOX_WORKER": "external"}
    log_path = ROOT / "var" / "bench" / f"{kind}-server.log"
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with open(log_path, "wb") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "uvicorn", *target, "--host", "127.0.0.1", "--port", str(port),
             "--loop", "uvloop", "--http", "httptools", "--no-access-log", "--log-level", "warning"],
            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
        )
    for _ in range(300):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return process, port
        except OSError:
            if process.poll() is not None:
                tail = log_path.read_text(errors="replace")[-2000:]
                raise SystemExit(f"{kind} server exited with {process.returncode}; {log_path}:\n{tail}")
            time.sleep(0.1)
    process.terminate()
    raise SystemExit(f"{kind} server did not start; see {log_path}")


# -- statements per request, counted in process ------------------------------------

async def statements_per_request(url: str) -> dict[tuple[str, str], float]:
    """SQL statements each server sends for one request of each query (transaction control
    excluded); for the write mix, the average over its three mutations."""
    import httpx
    from sqlalchemy import event

    from bench import baseline
    from server import create_app
    from settings import Settings

    settings = Settings(_env_file=None, DATABASE_URL=url, OUTBOX_WORKER="external")
    apps = {"graphql": create_app(settings), "baseline": baseline.create_app(settings)}
    counts: dict[tuple[str, str], float] = {}
    answers: dict[tuple[str, str], bytes] = {}
    for kind, app in apps.items():
        statements: list[str] = []

        def record(conn, cursor, statement, *args):
            if statement.split(None, 1)[0].upper() not in {"BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE", "PRAGMA"}:
                statements.append(statement)

        engine = app.state.engine.sync_engine
        event.listen(engine, "before_cursor_execute", record)
        try:
            async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://bench") as client:
                # The server's one-time look at the schema's migrations (a served app
                # does it at start-up) is not a statement of any request.
                await client.get("/readyz")
                for query, body, token in (
                    ("profile", {"query": queries.PROFILE}, OWNER_TOKEN),
                    ("list", {"query": queries.LIST, "variables": queries.LIST_VARIABLES}, BUILDER_TOKEN),
                ):
                    statements.clear()
                    response = await client.post("/graphql", json=body, headers={"Authorization": f"Bearer {token}"})
                    counts[query, kind] = len(statements)
                    answers[query, kind] = response.content
                statements.clear()
                write_headers = {"Authorization": f"Bearer {BUILDER_TOKEN}", "Content-Type": "application/json"}
                n = next(_writes)  # a fresh primary email for each server: the invite claims it
                created = await client.post("/graphql", content=create_body(n), headers=write_headers)
                contact_id = created.json()["data"]["createContact"]["contact"]["id"]
                await client.post("/graphql", content=set_emails_body(contact_id, n), headers=write_headers)
                invited = await client.post("/graphql", content=invite_body(contact_id), headers=write_headers)
                counts["write", kind] = len(statements) / 3
                if invited.json()["data"]["sendInvite"]["userErrors"]:
                    raise SystemExit(f"{kind} refused the write mix's invite: {invited.text}")
        finally:
            event.remove(engine, "before_cursor_execute", record)
            await app.state.engine.dispose()
    for query in ("profile", "list"):
        if answers[query, "graphql"] != answers[query, "baseline"]:
            raise SystemExit(f"the baseline's answer to {query} differs from the GraphQL server's")
    return counts


# -- the run ----------------------------------------------------------------------------

def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))] if ordered else 0.0


async def run(args, url: str) -> None:
    counts = await statements_per_request(url)
    servers = {kind: start_server(kind, url) for kind in ("graphql", "baseline")}
    samples: dict[tuple[str, str], list[Sample]] = {}
    ratios: dict[str, list[float]] = {}
    cpu_ratios: dict[str, list[float]] = {}
    try:
        for kind, (process, port) in servers.items():  # warm up both (imports, caches, pools)
            for query in args.queries:
                await load(process.pid, port, query, 1.0, args.concurrency)
        for round_no in range(args.rounds):
            for query in args.queries:
                order = ["graphql", "baseline"] if round_no % 2 == 0 else ["baseline", "graphql"]
                for kind in order:
                    process, port = servers[kind]
                    samples.setdefault((query, kind), []).append(
                        await load(process.pid, port, query, args.seconds, args.concurrency))
                graphql, base = samples[query, "graphql"][-1], samples[query, "baseline"][-1]
                ratios.setdefault(query, []).append(graphql.rps / base.rps if base.rps else 0.0)
                # CPU per request of the baseline over the server's: what the throughput
                # ratio would be with a whole core each, less swayed by a loaded machine.
                cpu_ratios.setdefault(query, []).append(
                    (base.cpu_seconds / max(base.requests, 1)) / (graphql.cpu_seconds / max(graphql.requests, 1))
                    if graphql.cpu_seconds and base.cpu_seconds else 0.0)
                print(f"round {round_no + 1} {query:8} graphql {graphql.rps:7.0f}/s baseline {base.rps:7.0f}/s"
                      f" ratio {ratios[query][-1]:.2f}", file=sys.stderr, flush=True)
        rss = {kind: peak_rss_mb(process.pid) for kind, (process, _) in servers.items()}
    finally:
        for process, _ in servers.values():
            process.terminate()
        for process, _ in servers.values():
            process.wait(timeout=30)

    print(f"\n{args.database}, {args.contacts} contacts, {args.rounds} rounds x {args.seconds:g} s,"
          f" {args.concurrency} clients, one uvicorn worker each (uvloop + httptools)\n")
    print("| query | server | req/s | p50 ms | p99 ms | CPU ms/req | SQL/req | peak RSS MB | errors | ratio | CPU ratio |")
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for query in args.queries:
        for kind in ("graphql", "baseline"):
            runs = samples[query, kind]
            latencies = [value for s in runs for value in s.latencies]
            requests = sum(s.requests for s in runs)
            ratio = f"{statistics.median(ratios[query]):.2f}" if kind == "graphql" else "1"
            cpu_ratio = f"{statistics.median(cpu_ratios[query]):.2f}" if kind == "graphql" else "1"
            print(f"| {query} | {kind} | {statistics.median(s.rps for s in runs):.0f} |"
                  f" {percentile(latencies, 0.5) * 1000:.1f} | {percentile(latencies, 0.99) * 1000:.1f} |"
                  f" {sum(s.cpu_seconds for s in runs) * 1000 / max(requests, 1):.2f} |"
                  f" {counts[query, kind]:.3g} | {rss[kind]:.0f} | {sum(s.errors for s in runs)} | {ratio} | {cpu_ratio} |")
    print("\nper-round ratios: " + "; ".join(
        f"{q} " + " ".join(f"{r:.2f}" for r in ratios[q]) for q in args.queries))
    print("cpu-ratio " + " ".join(f"{q}={statistics.median(cpu_ratios[q]):.2f}" for q in args.queries))
    summary = " ".join(f"{q}={statistics.median(ratios[q]):.2f}" for q in ("profile", "list") if q in ratios)
    print(f"\nratio {summary}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--contacts", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seconds", type=float, default=5.0, help="per query, server and round")
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--queries", default="profile,list,write")
    parser.add_argument("--generate-only", action="store_true", help="make the data set, run nothing")
    args = parser.parse_args()
    args.queries = args.queries.split(",")
    if not 1 <= args.concurrency <= MAX_CONCURRENCY or not 0 < args.seconds <= MAX_SECONDS:
        raise SystemExit(f"keep it bounded: 1-{MAX_CONCURRENCY} clients, at most {MAX_SECONDS} s a run")
    url = database_url(args.database, args.contacts)
    ensure(url, args.contacts)  # migrations run their own event loop: before ours
    if args.generate_only:
        return
    import uvloop

    uvloop.install()
    asyncio.run(run(args, url))


if __name__ == "__main__":
    main()

"""Load driver: the GraphQL server and the plain-Strawberry peer against the
hand-written baseline (issues 7 and 15).

Starts the three as uvicorn processes (one worker each, uvloop + httptools, on
127.0.0.1), then runs every query on each, in turn (the order rotates every round),
over several rounds. The load is Debian's wrk (one thread, a bounded number of
keep-alive connections, for a bounded time) with bench/load.lua, a native client
that takes little of the cores from the servers. Per query and server it reports
requests/s, p50 and p99 latency (wrk's), CPU ms per request (from /proc of the
server process), SQL statements per request (counted in process, once, before the
load), peak RSS, and the ratio to the baseline: the median over rounds of
(server req/s / baseline req/s in the same round), with the CPU ratio beside it.
The peer serves the two reads only (profile, list), not the write mix.

    python -m bench.driver --database sqlite --contacts 10000 --rounds 3 --seconds 5
"""

from __future__ import annotations

import argparse
import asyncio
import functools
import itertools
import os
import shutil
import socket
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass
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
        (ROOT / "var" / "bench").mkdir(parents=True, exist_ok=True)  # a fresh clone has no var/
        return f"sqlite+aiosqlite:///{ROOT / 'var' / 'bench' / f'bench-{label}-v{DATA_VERSION}.sqlite3'}"
    name = f"ownerhub_bench_{label}_v{DATA_VERSION}"
    subprocess.run(["psql", "-h", "127.0.0.1", "-U", "postgres", "-d", "postgres", "-q", "-c",
                    f"CREATE DATABASE {name}"], capture_output=True, check=False)
    return f"postgresql+asyncpg://postgres@127.0.0.1:5432/{name}"


# -- what each query sends -----------------------------------------------------

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


# -- the load: Debian's wrk with bench/load.lua, a native client that leaves the cores to the servers --

@dataclass
class Sample:
    """One wrk run against one server: what wrk's done() hook reported, and the CPU
    the server process spent meanwhile."""

    requests: int = 0
    errors: int = 0
    seconds: float = 0.0
    p50_ms: float = 0.0
    p99_ms: float = 0.0
    cpu_seconds: float = 0.0

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    @property
    def cpu_per_request(self) -> float:
        return self.cpu_seconds / max(self.requests, 1)


def wrk_path() -> str:
    path = shutil.which("wrk")
    if path is None:
        raise SystemExit("the benchmark's load needs wrk: apt-get install wrk (make bench installs it)")
    return path


@functools.cache
def request_files() -> dict[str, Path]:
    """The POST bodies wrk sends, as files for load.lua: one per read query, and the
    three mutations' documents of the write mix as JSON strings (load.lua builds the
    bodies around them, with their variables)."""
    folder = ROOT / "var" / "bench" / "requests"
    folder.mkdir(parents=True, exist_ok=True)
    contents = {
        "profile": orjson.dumps({"query": queries.PROFILE}),
        "list": orjson.dumps({"query": queries.LIST, "variables": queries.LIST_VARIABLES}),
        "create": orjson.dumps(queries.CREATE_CONTACT),
        "set_emails": orjson.dumps(queries.SET_EMAILS),
        "invite": orjson.dumps(queries.SEND_INVITE),
    }
    files = {}
    for name, content in contents.items():
        files[name] = folder / f"{name}.txt"
        files[name].write_bytes(content)
    return files


_runs = itertools.count()


def load(pid: int, port: int, query: str, seconds: int, concurrency: int) -> Sample:
    """One wrk run (one thread, `concurrency` keep-alive connections) of one query."""
    files = request_files()
    env = {**os.environ, "BENCH_QUERY": query, "BENCH_NONCE": f"{os.getpid()}x{next(_runs)}",
           "BENCH_TOKEN": OWNER_TOKEN if query == "profile" else BUILDER_TOKEN,
           "BENCH_BODY": str(files.get(query, files["list"])), "BENCH_CREATE": str(files["create"]),
           "BENCH_SET_EMAILS": str(files["set_emails"]), "BENCH_INVITE": str(files["invite"])}
    command = [wrk_path(), "-t1", f"-c{concurrency}", f"-d{seconds}s", "--timeout", "60s",
               "-s", str(ROOT / "bench" / "load.lua"), f"http://127.0.0.1:{port}/graphql"]
    cpu_before = cpu_seconds(pid)
    finished = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    cpu = cpu_seconds(pid) - cpu_before
    report = next((line for line in finished.stdout.splitlines() if line.startswith("BENCH ")), None)
    if finished.returncode != 0 or report is None:
        raise SystemExit(f"wrk failed ({finished.returncode}): {finished.stderr.strip() or finished.stdout.strip()}")
    values = dict(item.split("=") for item in report.split()[1:])
    return Sample(requests=int(values["requests"]), errors=int(values["errors"]), seconds=float(values["seconds"]),
                  p50_ms=float(values["p50_ms"]), p99_ms=float(values["p99_ms"]), cpu_seconds=cpu)


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS  # utime + stime


def peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


# -- the three servers -----------------------------------------------------------

def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(kind: str, url: str) -> tuple[subprocess.Popen, int]:
    """Starts one server ("graphql", "baseline" or "peer"); its output (the GraphQL server's JSON access log among it)
    goes to var/bench/<kind>-server.log rather than between the driver's lines."""
    port = free_port()
    target = ["server:app"] if kind == "graphql" else ["--factory", f"bench.{kind}:create_app_from_env"]
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
    excluded); for the write mix, the average over its three mutations (not the peer's:
    it serves the reads only). Checks that the three answer the reads alike."""
    import httpx
    from sqlalchemy import event

    from bench import baseline, peer
    from server import create_app
    from settings import Settings

    settings = Settings(_env_file=None, DATABASE_URL=url, OUTBOX_WORKER="external")
    apps = {"graphql": create_app(settings), "baseline": baseline.create_app(settings), "peer": peer.create_app(settings)}
    counts: dict[tuple[str, str], float] = {}
    answers: dict[tuple[str, str], bytes] = {}
    for kind, app in apps.items():
        statements: list[str] = []

        def record(conn, cursor, statement, *args):
            if statement.split(None, 1)[0].upper() not in {"BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE", "PRAGMA"}:
                statements.append(statement)

        # The server reads through a second engine on PostgreSQL (db/engine.create_read_engine).
        engines = list(dict.fromkeys((app.state.engine, getattr(app.state, "read_engine", app.state.engine))))
        for engine in engines:
            event.listen(engine.sync_engine, "before_cursor_execute", record)
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
                if kind == "peer":  # it serves the reads only
                    continue
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
            for engine in engines:
                event.remove(engine.sync_engine, "before_cursor_execute", record)
                await engine.dispose()
    for query in ("profile", "list"):
        if answers[query, "graphql"] != answers[query, "baseline"]:
            raise SystemExit(f"the baseline's answer to {query} differs from the GraphQL server's")
        # Strawberry's view writes JSON with other spacing: the same document, not the same bytes.
        if orjson.loads(answers[query, "peer"]) != orjson.loads(answers[query, "graphql"]):
            raise SystemExit(f"the peer's answer to {query} differs from the GraphQL server's")
    return counts


# -- the run ----------------------------------------------------------------------------

READS = ("profile", "list")  # the queries the peer serves too


def kinds_for(query: str) -> list[str]:
    return ["graphql", "baseline", "peer"] if query in READS else ["graphql", "baseline"]


def rotated(kinds: list[str], round_no: int) -> list[str]:
    """Each server takes each place in the order once in every len(kinds) rounds."""
    shift = round_no % len(kinds)
    return kinds[shift:] + kinds[:shift]


def run(args, url: str) -> None:
    wrk_path()  # before anything starts: the message, not a traceback
    counts = asyncio.run(statements_per_request(url))
    wanted = {kind for query in args.queries for kind in kinds_for(query)}
    servers = {kind: start_server(kind, url) for kind in ("graphql", "baseline", "peer") if kind in wanted}
    samples: dict[tuple[str, str], list[Sample]] = {}
    ratios: dict[tuple[str, str], list[float]] = {}
    cpu_ratios: dict[tuple[str, str], list[float]] = {}
    try:
        for query in args.queries:  # warm up each server (imports, caches, pools)
            for kind in kinds_for(query):
                process, port = servers[kind]
                load(process.pid, port, query, 1, args.concurrency)
        for round_no in range(args.rounds):
            for query in args.queries:
                for kind in rotated(kinds_for(query), round_no):
                    process, port = servers[kind]
                    samples.setdefault((query, kind), []).append(
                        load(process.pid, port, query, args.seconds, args.concurrency))
                base = samples[query, "baseline"][-1]
                line = [f"round {round_no + 1} {query:8} baseline {base.rps:7.0f}/s"]
                for kind in kinds_for(query)[::2]:  # graphql, peer
                    sample = samples[query, kind][-1]
                    ratios.setdefault((query, kind), []).append(sample.rps / base.rps if base.rps else 0.0)
                    # CPU per request of the baseline over the server's: what the throughput
                    # ratio would be with a whole core each, less swayed by a loaded machine.
                    cpu_ratios.setdefault((query, kind), []).append(
                        base.cpu_per_request / sample.cpu_per_request if sample.cpu_seconds and base.cpu_seconds else 0.0)
                    line.append(f"{kind} {sample.rps:7.0f}/s ratio {ratios[query, kind][-1]:.2f}")
                print(" ".join(line), file=sys.stderr, flush=True)
        rss = {kind: peak_rss_mb(process.pid) for kind, (process, _) in servers.items()}
    finally:
        for process, _ in servers.values():
            process.terminate()
        for process, _ in servers.values():
            process.wait(timeout=30)
    report(args, counts, samples, ratios, cpu_ratios, rss)


def report(args, counts, samples, ratios, cpu_ratios, rss) -> None:
    def median(values) -> float:
        return statistics.median(values)

    print(f"\n{args.database}, {args.contacts} contacts, {args.rounds} rounds x {args.seconds:g} s,"
          f" {args.concurrency} connections (wrk -t1), one uvicorn worker each (uvloop + httptools)\n")
    print("| query | server | req/s | p50 ms | p99 ms | CPU ms/req | SQL/req | peak RSS MB | errors | ratio | CPU ratio |")
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for query in args.queries:
        for kind in kinds_for(query):
            runs = samples[query, kind]
            requests = sum(s.requests for s in runs)
            ratio = f"{median(ratios[query, kind]):.2f}" if kind != "baseline" else "1"
            cpu_ratio = f"{median(cpu_ratios[query, kind]):.2f}" if kind != "baseline" else "1"
            print(f"| {query} | {kind} | {median(s.rps for s in runs):.0f} |"
                  f" {median(s.p50_ms for s in runs):.1f} | {median(s.p99_ms for s in runs):.1f} |"
                  f" {sum(s.cpu_seconds for s in runs) * 1000 / max(requests, 1):.2f} |"
                  f" {counts[query, kind]:.3g} | {rss[kind]:.0f} | {sum(s.errors for s in runs)} | {ratio} | {cpu_ratio} |")
    print("\nper-round ratios: " + "; ".join(
        f"{prefix(kind)}{q} " + " ".join(f"{r:.2f}" for r in ratios[q, kind]) for (q, kind) in ratios))
    print("cpu-ratio " + " ".join(f"{prefix(kind)}{q}={median(cpu_ratios[q, kind]):.2f}" for (q, kind) in cpu_ratios))
    summary = [f"{prefix(kind)}{q}={median(ratios[q, kind]):.2f}"
               for kind in ("graphql", "peer") for q in READS if (q, kind) in ratios]
    print(f"\nratio {' '.join(summary)}")


def prefix(kind: str) -> str:
    return "peer_" if kind == "peer" else ""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--contacts", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seconds", type=int, default=5, help="per query, server and round (whole seconds: wrk's)")
    parser.add_argument("--concurrency", type=int, default=16, help="wrk's keep-alive connections")
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
    run(args, url)


if __name__ == "__main__":
    main()

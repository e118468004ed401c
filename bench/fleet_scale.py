"""Scale measurement (issue 9): throughput of the owner profile query and the
contact list with 1 and with 2 server processes on PostgreSQL.

    DATABASE_URL=postgresql+asyncpg://postgres@127.0.0.1:5432/postgres \
        .venv/bin/python bench/fleet_scale.py [--seconds 10] [--concurrency 16]

`DATABASE_URL` names the server only: the script creates its own database
(`ownerhub_fleet_bench_<random>`), seeds the demo data set, makes one of its
contacts an active owner, and drops the database at the end. For each process
count it starts `ownerhub serve --workers N` on a free loopback port, warms up,
then keeps `--concurrency` requests in flight for `--seconds` per query and
reports requests per second and latency percentiles. All load stays on
127.0.0.1 and is bounded in time.

The load generator runs on the same machine as the servers and PostgreSQL, so
the ratio it reports is a lower bound of what a second process buys on a
machine with spare cores.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import subprocess
import sys
import time
import uuid
from datetime import timedelta
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from fleet_support import (  # noqa: E402
    OWNER_PASSWORD,
    create_postgresql_database,
    drop_postgresql_database,
    free_port,
    login,
)

PROFILE = """
query OwnerProfile {
  me { ... on OwnerUser { username contact { id displayName emails activationStatus
       address { street city state postalCode }
       jobs { id name owners { id displayName } } } } }
}
"""
CONTACT_LIST = """
query ContactList {
  contacts(first: 50, orderBy: LAST_NAME) {
    totalCount
    edges { cursor node { id displayName emails activationStatus
                          viewerCan { editInfo invite lockedReason } } }
    pageInfo { hasNextPage endCursor }
  }
}
"""


async def prepare(url: str) -> tuple[str, str]:
    """Seeds the demo data; returns (admin username, owner username)."""
    from sqlalchemy import select

    from db.engine import create_engine, create_session_factory
    from db.migrate import upgrade_to_head
    from domain.activation import ActivationStatus
    from domain.passwords import PRODUCTION_PARAMETERS, hash_password
    from models import Contact, JobOwner, User
    from repository.uow import UnitOfWork
    from services.demo import seed

    await asyncio.to_thread(upgrade_to_head, url)
    engine = create_engine(url)
    try:
        factory = create_session_factory(engine)
        async with UnitOfWork(factory) as uow:
            await seed(uow, PRODUCTION_PARAMETERS, app_url="http://127.0.0.1", invite_ttl=timedelta(days=7))
            await uow.commit()
        async with UnitOfWork(factory) as uow:
            contact = (await uow.session.execute(
                select(Contact).join(JobOwner, JobOwner.contact_id == Contact.id)
                .where(Contact.primary_email_key.is_not(None), Contact.activation_status == ActivationStatus.INACTIVE)
                .order_by(Contact.id).limit(1)
            )).scalar_one()
            contact.activation_status = ActivationStatus.ACTIVE
            username = f"bench-owner-{uuid.uuid4().hex[:6]}"
            uow.session.add(User(
                builder_account_id=contact.builder_account_id, kind="OWNER", contact_id=contact.id,
                username=username, username_key=username, password_hash=hash_password(OWNER_PASSWORD, PRODUCTION_PARAMETERS),
            ))
            await uow.commit()
    finally:
        await engine.dispose()
    return "cedar-admin", username


async def measure(url: str, query: str, token: str, seconds: float, concurrency: int) -> dict:
    latencies: list[float] = []
    errors = 0
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(base_url=url, timeout=30, limits=limits) as http:
        headers = {"Authorization": f"Bearer {token}"}
        body = {"query": query}

        async def worker(until: float, record: bool) -> None:
            nonlocal errors
            while time.monotonic() < until:
                started = time.perf_counter()
                response = await http.post("/graphql", json=body, headers=headers)
                if response.status_code != 200 or "errors" in response.json():
                    errors += 1
                if record:
                    latencies.append(time.perf_counter() - started)

        await asyncio.gather(*(worker(time.monotonic() + 2, False) for _ in range(concurrency)))
        started = time.monotonic()
        await asyncio.gather(*(worker(started + seconds, True) for _ in range(concurrency)))
        elapsed = time.monotonic() - started
    latencies.sort()
    return {
        "rps": len(latencies) / elapsed,
        "p50": statistics.median(latencies) * 1000,
        "p95": latencies[int(len(latencies) * 0.95)] * 1000,
        "errors": errors,
    }


async def with_server(database_url: str, workers: int, admin: str, owner: str, seconds, concurrency, log_dir):
    port = free_port()
    env = {**os.environ, "DATABASE_URL": database_url, "OUTBOX_WORKER": "external", "ENVIRONMENT": "production"}
    env.pop("REDIS_URL", None)
    log = open(log_dir / f"bench-server-{workers}.log", "ab")
    process = subprocess.Popen(
        [sys.executable, str(ROOT / "cli.py"), "serve", "--port", str(port), "--workers", str(workers)],
        env=env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        async with httpx.AsyncClient(base_url=url, timeout=5) as http:
            deadline = time.monotonic() + 90
            while True:
                try:
                    if (await http.get("/readyz")).status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                if time.monotonic() > deadline or process.poll() is not None:
                    raise SystemExit(f"server with {workers} worker(s) did not start")
                await asyncio.sleep(0.3)
            await asyncio.sleep(2 * workers)  # every worker is up, not only the first
            from services.demo import DEMO_PASSWORD

            admin_token = await login(http, admin, DEMO_PASSWORD)
            owner_token = await login(http, owner, OWNER_PASSWORD)
        return {
            "profile": await measure(url, PROFILE, owner_token, seconds, concurrency),
            "list": await measure(url, CONTACT_LIST, admin_token, seconds, concurrency),
        }
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--concurrency", type=int, default=16)
    arguments = parser.parse_args()
    server = os.environ.get("DATABASE_URL", "")
    if not server.startswith("postgresql"):
        raise SystemExit("set DATABASE_URL to a PostgreSQL server (postgresql+asyncpg://...)")
    load_before = os.getloadavg()[0]
    database_url = await create_postgresql_database(server)
    log_dir = Path(os.environ.get("TMPDIR", "/tmp"))
    try:
        admin, owner = await prepare(database_url)
        results = {}
        for workers in (1, 2):
            results[workers] = await with_server(
                database_url, workers, admin, owner, arguments.seconds, arguments.concurrency, log_dir
            )
    finally:
        await drop_postgresql_database(database_url)

    print(
        f"{os.cpu_count()} CPUs, load average {load_before:.1f} before and {os.getloadavg()[0]:.1f} after; "
        f"{arguments.concurrency} requests in flight, {arguments.seconds:.0f} s per run\n"
    )
    print("| query | processes | requests/s | p50 ms | p95 ms | errors |")
    print("|---|---|---|---|---|---|")
    for name in ("profile", "list"):
        for workers in (1, 2):
            r = results[workers][name]
            print(f"| {name} | {workers} | {r['rps']:.0f} | {r['p50']:.1f} | {r['p95']:.1f} | {r['errors']} |")
    for name in ("profile", "list"):
        ratio = results[2][name]["rps"] / results[1][name]["rps"]
        print(f"\n{name}: 2 processes / 1 process = {ratio:.2f}x", end="")
    print()


if __name__ == "__main__":
    asyncio.run(main())

"""compose.yaml run as plain processes (issue 17): no container runtime here, so its
exact commands and settings, as `docker compose config` resolves them, are started
on this machine: `migrate` once, the two `server` replicas, the `outbox-sender`, on
this machine's PostgreSQL (a fresh database) and Redis, delivering to a real SMTP
server. Then a login, an invite and its delivery go through them.

What a container would give differently, and only that, is rewritten: the host names
`postgres` and `redis` become this machine's (with a fresh database and a key prefix
of its own), the servers' port becomes a free one, and the volumes' folders become
temporary ones.

Runs in the PostgreSQL pass of `.ci/run` (tests/fleet/conftest.py)."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest
from sqlalchemy.engine import make_url

from activation_support import accept, create_contact, link_token, send_invite, smtp  # noqa: F401 (fixture)
from compose_support import resolved_compose
from conftest import Actor
from fleet_support import (
    ADMIN_PASSWORD,
    ServerProcess,
    create_builder_in,
    create_postgresql_database,
    drop_postgresql_database,
    free_port,
    login,
    terminate_all,
)

pytestmark = pytest.mark.postgresql_fleet

ROOT = Path(__file__).resolve().parents[2]
REDIS = make_url("redis://127.0.0.1:6379/0")
APP_URL = "https://homes.example.test"


def command_line(command: list[str], port: int | None) -> list[str]:
    """The service's command, `ownerhub` being this checkout's, on `port` if it serves."""
    assert command[0] == "ownerhub"
    args = list(command[1:])
    if port is not None:
        args[args.index("--port") + 1] = str(port)
        args[args.index("--host") + 1] = "127.0.0.1"
    return [sys.executable, str(ROOT / "cli.py"), *args]


def process_env(service: dict, database_url: str, tmp_path: Path, key_prefix: str) -> dict[str, str]:
    environment = dict(service["environment"])
    compose_db = make_url(environment["DATABASE_URL"])
    local_db = make_url(database_url)
    assert (compose_db.host, compose_db.port, compose_db.database) == ("postgres", 5432, "ownerhub")
    # postgres:// as compose writes it, pointed at this machine's server and the fresh database.
    environment["DATABASE_URL"] = compose_db.set(
        host=local_db.host, port=local_db.port, database=local_db.database,
        username=local_db.username, password=local_db.password,
    ).render_as_string(hide_password=False)
    compose_redis = make_url(environment["REDIS_URL"])
    assert (compose_redis.host, compose_redis.port) == ("redis", 6379)
    environment["REDIS_URL"] = compose_redis.set(host=REDIS.host).render_as_string(hide_password=False)
    environment["REDIS_KEY_PREFIX"] = key_prefix
    for volume in service["volumes"]:  # the named volumes' mount points
        folder = tmp_path / volume["source"]
        folder.mkdir(exist_ok=True)
        for name, value in environment.items():
            if value == volume["target"]:
                environment[name] = str(folder)
    passed = {k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "LANG", "TMPDIR")}
    return {**passed, **environment, "PYTHONUNBUFFERED": "1"}


@dataclass
class ComposeServer(ServerProcess):
    """A `server` replica: the compose service's own command, on a free port."""

    command: list[str] = field(default_factory=list)

    def start(self) -> ComposeServer:
        self._log = open(self.log_path, "ab")
        self.process = subprocess.Popen(command_line(self.command, self.port), env=self.env, cwd=ROOT,
                                        stdout=self._log, stderr=subprocess.STDOUT)
        return self


@pytest.fixture
async def compose_database():
    url = await create_postgresql_database(os.environ["DATABASE_URL"])
    try:
        yield url
    finally:
        await drop_postgresql_database(url)


async def test_compose_services_as_processes_serve_a_login_and_deliver_an_invite(compose_database, smtp, tmp_path):
    services = resolved_compose(
        POSTGRES_PASSWORD="compose-test", APP_URL=APP_URL, SMTP_HOST=smtp.host, SMTP_PORT=str(smtp.port),
    )["services"]
    key_prefix = f"ownerhub-compose-{uuid.uuid4().hex[:12]}"

    def env_of(name: str) -> dict[str, str]:
        return process_env(services[name], compose_database, tmp_path, key_prefix)

    # `migrate` first: the servers and the sender wait for it to complete.
    migrated = await asyncio.to_thread(
        subprocess.run, command_line(services["migrate"]["command"], None), env=env_of("migrate"),
        cwd=ROOT, capture_output=True, text=True, timeout=120,
    )
    assert migrated.returncode == 0, migrated.stderr

    servers = [
        ComposeServer(env_of("server"), tmp_path / f"server-{replica}.log", command=services["server"]["command"]).start()
        for replica in range(services["server"]["deploy"]["replicas"])
    ]
    sender_log = open(tmp_path / "sender.log", "ab")
    sender = subprocess.Popen(command_line(services["outbox-sender"]["command"], None), env=env_of("outbox-sender"),
                              cwd=ROOT, stdout=sender_log, stderr=subprocess.STDOUT)
    try:
        assert len(servers) == 2
        await asyncio.gather(*(server.wait_ready() for server in servers))
        _account_id, admin = await create_builder_in(compose_database, "Compose Homes")
        async with httpx.AsyncClient(base_url=servers[0].url, timeout=60) as first, \
                httpx.AsyncClient(base_url=servers[1].url, timeout=60) as second:
            for http in (first, second):
                ready = await http.get("/readyz")
                assert (ready.status_code, ready.json()) == (200, {"database": "ok", "redis": "ok"})
            # Sign in on one replica, invite through the other: sessions live in the database.
            token = await login(first, admin, ADMIN_PASSWORD)
            builder = Actor(second, token, admin)
            contact_id = await create_contact(builder, firstName="Dana", primaryEmail="dana@example.com")
            await send_invite(builder, contact_id)

            # The sender process delivers it over SMTP, with a link to APP_URL.
            for _ in range(300):
                if smtp.inbox.to("dana@example.com"):
                    break
                await asyncio.sleep(0.1)
            [invite] = smtp.inbox.to("dana@example.com")
            invite_token = link_token(invite, APP_URL, "accept-invite")
            accepted = await accept(first, invite_token, "dana-compose")
            assert accepted["userErrors"] == [] and accepted["token"]
    finally:
        for server in servers:
            await server.stop()
        terminate_all([sender])
        sender_log.close()

"""Real server processes for the fleet and crash tests: `ownerhub serve` started
with this interpreter on a free loopback port, its JSON log kept in a file.

Everything here is bounded: every wait has a generous deadline, and a process
that is still alive when its test ends is killed (by its own pid)."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import asyncpg
import httpx
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parent.parent
ADMIN_PASSWORD = "correct horse battery staple"
OWNER_PASSWORD = "my own long passphrase"
START_TIMEOUT = 90  # a cold start on a busy two-core machine can take a while
STOP_TIMEOUT = 30


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def base_env(database_url: str, tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_URL", "REDIS_URL", "SMTP_"))}
    env.update(
        DATABASE_URL=database_url,
        APP_URL="https://app.example.test",
        MAIL_DIR=str(tmp_path / "mail"),
        MEDIA_DIR=str(tmp_path / "media"),
        OUTBOX_WORKER="external",
        PYTHONUNBUFFERED="1",
    )
    env.update(extra)
    return env


@dataclass
class ServerProcess:
    """One `ownerhub serve` process."""

    env: dict[str, str]
    log_path: Path
    port: int = field(default_factory=free_port)
    graceful_timeout: float = 10
    process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> ServerProcess:
        self._log = open(self.log_path, "ab")
        self.process = subprocess.Popen(
            [sys.executable, str(ROOT / "cli.py"), "serve", "--port", str(self.port),
             "--graceful-timeout", str(self.graceful_timeout)],
            env=self.env, cwd=ROOT, stdout=self._log, stderr=subprocess.STDOUT,
        )
        return self

    async def wait_ready(self) -> None:
        deadline = time.monotonic() + START_TIMEOUT
        async with httpx.AsyncClient(base_url=self.url, timeout=5) as http:
            while time.monotonic() < deadline:
                if self.process.poll() is not None:
                    raise AssertionError(f"server exited with {self.process.returncode}:\n{self.log()}")
                try:
                    if (await http.get("/readyz")).status_code == 200:
                        return
                except httpx.TransportError:
                    pass
                await asyncio.sleep(0.2)
        raise AssertionError(f"server not ready within {START_TIMEOUT} s:\n{self.log()}")

    def signal(self, signum: int) -> None:
        self.process.send_signal(signum)

    async def wait_exit(self, timeout: float) -> int | None:
        """The exit code, or None if it is still running after `timeout` seconds."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                return self.process.returncode
            await asyncio.sleep(0.05)
        return self.process.poll()

    def kill(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=STOP_TIMEOUT)

    async def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            if await self.wait_exit(STOP_TIMEOUT) is None:
                self.kill()
        if getattr(self, "_log", None):
            self._log.close()

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")[-6000:]


async def gql(http: httpx.AsyncClient, query: str, variables=None, token: str | None = None) -> dict:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    response = await http.post("/graphql", json={"query": query, "variables": variables or {}}, headers=headers)
    assert response.status_code == 200, response.text
    return response.json()


LOGIN = """
mutation Login($input: LoginInput!) {
  login(input: $input) { token userErrors { code message } }
}
"""


async def login(http: httpx.AsyncClient, username: str, password: str) -> str:
    body = await gql(http, LOGIN, {"input": {"username": username, "password": password}})
    token = body["data"]["login"]["token"]
    assert token, body
    return token


# --- databases --------------------------------------------------------------------


async def create_builder_in(database_url: str, name: str) -> tuple[int, str]:
    """A builder account and its admin, written straight to the database (the
    sign-in itself goes through the API)."""
    from db.engine import create_engine, create_session_factory
    from domain.passwords import PRODUCTION_PARAMETERS
    from repository.uow import UnitOfWork
    from services.accounts import create_builder

    username = f"admin-{uuid.uuid4().hex[:8]}"
    engine = create_engine(database_url)
    try:
        async with UnitOfWork(create_session_factory(engine)) as uow:
            account = await create_builder(uow, name, username, ADMIN_PASSWORD, PRODUCTION_PARAMETERS)
            await uow.commit()
            return account.id, username
    finally:
        await engine.dispose()


async def _admin(server_url: str, statement: str) -> None:
    server = make_url(server_url)
    connection = await asyncpg.connect(
        host=server.host or "127.0.0.1", port=server.port or 5432,
        user=server.username or "postgres", password=server.password, database="postgres",
    )
    try:
        await connection.execute(statement)
    finally:
        await connection.close()


async def create_postgresql_database(server_url: str) -> str:
    """A fresh database `ownerhub_fleet_<random>` on the server `server_url` names."""
    name = f"ownerhub_fleet_{uuid.uuid4().hex[:12]}"
    await _admin(server_url, f'CREATE DATABASE "{name}"')
    return make_url(server_url).set(database=name).render_as_string(hide_password=False)


async def drop_postgresql_database(url: str) -> None:
    name = make_url(url).database
    await _admin(url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def terminate_all(processes) -> None:
    for process in processes:
        if process is not None and process.poll() is None:
            process.send_signal(signal.SIGKILL)
            process.wait(timeout=STOP_TIMEOUT)


# --- a real SMTP server that tells the senders apart ------------------------------


class SlowCatcher:
    """aiosmtpd handler keeping every accepted message with its envelope sender.

    It waits `delay` seconds at each RCPT, before any message data moves, so that a
    batch takes long enough for a test to kill its sender in the middle of it."""

    def __init__(self, delay: float):
        import threading

        self.delay = delay
        self.received: list[tuple[str, str]] = []  # (envelope sender, Message-ID)
        self._lock = threading.Lock()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        await asyncio.sleep(self.delay)
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        from email import policy
        from email.parser import BytesParser

        parsed = BytesParser(policy=policy.default).parsebytes(envelope.content)
        with self._lock:
            self.received.append((envelope.mail_from, parsed["Message-ID"]))
        return "250 Message accepted for delivery"

    def snapshot(self) -> list[tuple[str, str]]:
        with self._lock:
            return list(self.received)


class SmtpCatcher:
    def __init__(self, delay: float = 0.0):
        from aiosmtpd.controller import Controller

        self.port = free_port()
        self.handler = SlowCatcher(delay)
        self._controller = Controller(self.handler, hostname="127.0.0.1", port=self.port)

    def __enter__(self) -> SmtpCatcher:
        self._controller.start()
        return self

    def __exit__(self, *exc) -> None:
        self._controller.stop()

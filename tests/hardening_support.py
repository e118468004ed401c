"""Helpers for the hardening tests: raw HTTP posts, a production app next to the
development one, and a live `ownerhub serve` process for the tests that need a
real socket (the graphql-http audit, the browser, the fuzzer)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

from conftest import TEST_HASHING
from server import create_app, dispose_engines
from settings import Settings

ROOT = Path(__file__).resolve().parent.parent
NODE_MODULES = ROOT / "tools" / "node" / "node_modules"


def settings_like(settings: Settings, **changes) -> Settings:
    """The test settings (same database, folders) with some values changed."""
    values = settings.model_dump()
    values.update(changes)
    return Settings(_env_file=None, **values)


@asynccontextmanager
async def app_client(settings: Settings, **changes):
    """An app built from changed settings (for instance ENVIRONMENT="production"),
    driven over HTTP in process; its engine is disposed afterwards."""
    application = create_app(settings_like(settings, **changes), password_hashing=TEST_HASHING)
    transport = httpx.ASGITransport(app=application)
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
            http.app = application
            yield http
    finally:
        await dispose_engines(application)


async def post(client, query: str, variables=None, *, token=None, headers=None, extensions=None) -> httpx.Response:
    all_headers = {"Authorization": f"Bearer {token}"} if token else {}
    all_headers.update(headers or {})
    payload = {"query": query, "variables": variables or {}}
    if extensions is not None:
        payload["extensions"] = extensions
    return await client.post("/graphql", json=payload, headers=all_headers)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class LiveServer:
    url: str
    process: subprocess.Popen
    log_path: Path

    @property
    def graphql_url(self) -> str:
        return f"{self.url}/graphql"

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")


def start_live_server(settings: Settings, tmp_dir: Path, *, port: int | None = None, **env_changes: str) -> LiveServer:
    """`ownerhub serve` on `port` (a free one by default), on the test database;
    waits for /healthz."""
    port = port or free_port()
    env = {
        **os.environ,
        "DATABASE_URL": settings.DATABASE_URL,
        "APP_URL": settings.APP_URL,
        "MAIL_DIR": str(tmp_dir / "mail"),
        "MEDIA_DIR": str(tmp_dir / "media"),
        "OUTBOX_WORKER": "external",
        "ENVIRONMENT": "development",
        **env_changes,
    }
    log_path = tmp_dir / f"server-{port}.log"
    log_file = open(log_path, "wb")  # noqa: SIM115 - closed with the process
    process = subprocess.Popen(
        [sys.executable, str(ROOT / "cli.py"), "serve", "--host", "127.0.0.1", "--port", str(port)],
        cwd=ROOT, env=env, stdout=log_file, stderr=subprocess.STDOUT,
    )
    server = LiveServer(f"http://127.0.0.1:{port}", process, log_path)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"ownerhub serve exited with {process.returncode}:\n{server.log()}")
        try:
            if httpx.get(f"{server.url}/healthz", timeout=1).status_code == 200:
                return server
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    stop_live_server(server)
    raise RuntimeError(f"ownerhub serve did not answer /healthz within 60 s:\n{server.log()}")


def stop_live_server(server: LiveServer) -> None:
    server.process.terminate()
    try:
        server.process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        server.process.kill()
        server.process.wait()


def node_modules_or_fail() -> Path:
    """The npm packages of tools/setup_node.sh. Missing in CI is a failure, not a skip."""
    if not (NODE_MODULES / "graphql-http").is_dir():
        raise AssertionError(f"npm packages missing in {NODE_MODULES}: run tools/setup_node.sh (make assets)")
    return NODE_MODULES

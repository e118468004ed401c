"""A fresh, empty database on the backend of this run (a SQLite file, or a new
PostgreSQL database on the server DATABASE_URL names), and the `ownerhub` command
run as a real process against it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from db.engine import is_sqlite
from fleet_support import create_postgresql_database, drop_postgresql_database

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
async def fresh_database_url(tmp_path, database_url):
    if is_sqlite(database_url):
        yield f"sqlite+aiosqlite:///{tmp_path / 'fresh.sqlite3'}"
        return
    url = await create_postgresql_database(database_url)
    try:
        yield url
    finally:
        await drop_postgresql_database(url)


def command_env(database_url: str, tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_", "REDIS_", "SMTP_", "OTEL_", "LOG_"))}
    env.update(DATABASE_URL=database_url, MAIL_DIR=str(tmp_path / "mail"), MEDIA_DIR=str(tmp_path / "media"),
               APP_URL="https://app.example.test", PYTHONUNBUFFERED="1")
    env.update(extra)
    return env


def ownerhub(env, *args, stdin: str | None = None, timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, str(ROOT / "cli.py"), *args],
        input=stdin, capture_output=True, text=True, env=env, cwd=ROOT, timeout=timeout,
    )

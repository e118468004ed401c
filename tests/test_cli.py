"""The `ownerhub` command line, run as a real process against a fresh database."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from db.engine import is_sqlite

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def cli_env(tmp_path, database_url):
    env = dict(os.environ)
    if is_sqlite(database_url):
        env["DATABASE_URL"] = f"sqlite+aiosqlite:///{tmp_path / 'cli.sqlite3'}"
    else:
        env["DATABASE_URL"] = database_url
    return env


def ownerhub(env, *args, stdin: str | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, str(ROOT / "cli.py"), *args],
        input=stdin, capture_output=True, text=True, env=env, cwd=ROOT, timeout=120,
    )


def test_create_builder_user_and_seed_demo(cli_env):
    # `migrate` first: the other commands refuse an unmigrated database (test_operations_cli.py).
    assert ownerhub(cli_env, "migrate").returncode == 0
    made = ownerhub(cli_env, "create-builder", "--name", "CLI Homes", "--admin-username", "cli-admin",
                    stdin="a long enough password\n")
    assert made.returncode == 0, made.stderr
    weak = ownerhub(cli_env, "create-user", "--builder", "CLI Homes", "--username", "weak", "--role", "STAFF",
                    stdin="password\n")
    assert weak.returncode == 1 and "password" in weak.stderr.lower()
    staff = ownerhub(cli_env, "create-user", "--builder", "CLI Homes", "--username", "cli-staff", "--role", "STAFF",
                     stdin="another long password\n")
    assert staff.returncode == 0, staff.stderr
    taken = ownerhub(cli_env, "create-user", "--builder", "CLI Homes", "--username", "CLI-STAFF", "--role", "STAFF",
                     stdin="another long password\n")
    assert taken.returncode == 1 and "taken" in taken.stderr
    seeded = ownerhub(cli_env, "seed-demo")
    assert seeded.returncode == 0, seeded.stderr
    assert ownerhub(cli_env, "migrate").returncode == 0
    assert "Cedar Ridge Homes: admin 'cedar-admin', 70 contacts, 20 jobs, 8 leads, 4 custom fields" in seeded.stdout
    again = ownerhub(cli_env, "seed-demo")
    assert again.returncode == 1 and "already" in again.stderr

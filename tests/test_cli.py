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


OWNER_PROFILE = """{ me { __typename ... on OwnerUser { username contact { displayName activationStatus jobs { name } } } } }"""
PENDING = """{ contacts(first: 100, status: PENDING) { edges { node { displayName primaryEmail
  pendingInvite { sentTo expired } } } } }"""
INVITE_DETAILS = "query($token: String!) { inviteDetails(token: $token) { valid builderName firstName } }"
ACCEPT = """mutation($input: AcceptInviteInput!) { acceptInvite(input: $input) {
  token viewer { ... on OwnerUser { contact { activationStatus } } } userErrors { code message } } }"""


async def test_seed_demo_prints_how_to_sign_in_as_its_active_and_pending_owners(cli_env, settings, tmp_path):
    import re
    from email import policy
    from email.parser import BytesParser

    from activation_support import link_token
    from conftest import LOGIN, Actor, gql
    from hardening_support import app_client

    env = {**cli_env, "MAIL_DIR": str(tmp_path / "mail"), "APP_URL": "https://demo.example.test"}
    assert ownerhub(env, "migrate").returncode == 0
    seeded = ownerhub(env, "seed-demo")
    assert seeded.returncode == 0, seeded.stderr
    active = re.findall(r"active owner '([^']+)': .* <([^>]+)>", seeded.stdout)
    pending = re.findall(r"pending owner \(invited\): .* <([^>]+)>", seeded.stdout)
    password = re.search(r"demo password for every admin and active owner: (\S+)", seeded.stdout).group(1)
    assert len(active) == 6 and len(pending) == 6, seeded.stdout
    assert [username for username, _ in active[:2]] == ["cedar-owner1", "cedar-owner2"]
    assert "accept-invite?token=" in seeded.stdout  # where the pending owners' links are

    async with app_client(settings, DATABASE_URL=env["DATABASE_URL"], APP_URL=env["APP_URL"]) as client:
        # An active owner signs in with what was printed, and sees their own profile and jobs.
        for username, email in active:
            login = await gql(client, LOGIN, {"input": {"username": username, "password": password}})
            owner = Actor(client, login["data"]["login"]["token"], username)
            me = (await owner.gql(OWNER_PROFILE))["data"]["me"]
            assert me["__typename"] == "OwnerUser" and me["username"] == username
            assert me["contact"]["activationStatus"] == "ACTIVE" and me["contact"]["jobs"]

        # The admin sees the pending owners, locked with a live invite.
        login = await gql(client, LOGIN, {"input": {"username": "cedar-admin", "password": password}})
        admin = Actor(client, login["data"]["login"]["token"], "cedar-admin")
        listed = [edge["node"] for edge in (await admin.gql(PENDING))["data"]["contacts"]["edges"]]
        assert sorted(node["primaryEmail"] for node in listed) == sorted(pending[:2])
        assert all(node["pendingInvite"] == {"sentTo": node["primaryEmail"], "expired": False} for node in listed)

        # Their invites are in the outbox; `send-outbox` writes them to MAIL_DIR, and one is accepted.
        sent = ownerhub(env, "send-outbox")
        assert sent.returncode == 0, sent.stderr
        mails = [BytesParser(policy=policy.default).parsebytes(path.read_bytes())
                 for path in sorted((tmp_path / "mail").glob("*.eml"))]
        assert sorted(mail["To"] for mail in mails) == sorted(pending)
        token = link_token(next(m for m in mails if m["To"] == pending[0]), env["APP_URL"], "accept-invite")
        invited = next(node for node in listed if node["primaryEmail"] == pending[0])
        details = await gql(client, INVITE_DETAILS, {"token": token})
        assert details["data"]["inviteDetails"] == {
            "valid": True, "builderName": "Cedar Ridge Homes", "firstName": invited["displayName"].split()[0]}
        accepted = await gql(client, ACCEPT, {"input": {"token": token, "username": "new-owner",
                                                        "password": "a porch swing in the rain"}})
        assert accepted["data"]["acceptInvite"]["userErrors"] == []
        assert accepted["data"]["acceptInvite"]["viewer"]["contact"]["activationStatus"] == "ACTIVE"

"""The `ownerhub` command as an operator or a cron job meets it (issue 17): settings
checked before anything runs, one line per problem and exit code 2; commands that
need this release's tables refuse an unmigrated database; `send-outbox` tells by its
exit code whether it worked."""

from __future__ import annotations

import asyncio
import time

import pytest
from sqlalchemy import text

from db.engine import create_engine
from db.migrate import upgrade_to_head
from fleet_support import free_port
from operations_support import command_env, fresh_database_url, ownerhub  # noqa: F401 (fixture)
from repository import outbox
from repository.uow import UnitOfWork

MIGRATE_LINE = "error: the database is not migrated: run `ownerhub migrate` first\n"

DATABASE_COMMANDS = [
    ("create-builder", "--name", "Refused Homes", "--admin-username", "refused-admin"),
    ("create-user", "--builder", "Refused Homes", "--username", "refused-staff"),
    ("seed-demo",),
    ("send-outbox",),
    ("prune-timeline", "--older-than", "30"),
]


@pytest.mark.parametrize("command", DATABASE_COMMANDS, ids=lambda command: command[0])
def test_a_command_that_needs_the_tables_refuses_an_unmigrated_database_in_one_line(
    fresh_database_url, tmp_path, command
):
    run = ownerhub(command_env(fresh_database_url, tmp_path), *command, stdin="a long enough password\n")
    assert (run.returncode, run.stderr) == (1, MIGRATE_LINE)


def test_after_migrate_the_same_commands_work(fresh_database_url, tmp_path):
    env = command_env(fresh_database_url, tmp_path)
    migrated = ownerhub(env, "migrate")
    assert (migrated.returncode, migrated.stdout) == (0, "database is up to date\n"), migrated.stderr
    made = ownerhub(env, *DATABASE_COMMANDS[0], stdin="a long enough password\n")
    assert made.returncode == 0, made.stderr


async def test_a_database_migrated_ahead_by_a_newer_release_is_used_as_it_is(fresh_database_url, tmp_path):
    await asyncio.to_thread(upgrade_to_head, fresh_database_url)
    engine = create_engine(fresh_database_url)
    try:
        async with engine.begin() as connection:
            await connection.execute(text("UPDATE alembic_version SET version_num = 'f0f0f0newer'"))
    finally:
        await engine.dispose()
    env = command_env(fresh_database_url, tmp_path)
    migrated = await asyncio.to_thread(ownerhub, env, "migrate")
    assert migrated.returncode == 0, migrated.stderr
    assert "ahead of this release" in migrated.stderr
    made = await asyncio.to_thread(ownerhub, env, *DATABASE_COMMANDS[0], stdin="a long enough password\n")
    assert made.returncode == 0, made.stderr


async def _queue_one_email(url: str) -> None:
    from db.engine import create_session_factory

    engine = create_engine(url)
    try:
        async with UnitOfWork(create_session_factory(engine)) as uow:
            await outbox.enqueue_email(uow.session, builder_account_id=None, to="dana@example.com",
                                       subject="Hello", text="Hello Dana", html=None)
            await uow.commit()
    finally:
        await engine.dispose()


async def test_send_outbox_exits_non_zero_when_it_could_not_deliver(fresh_database_url, tmp_path):
    await asyncio.to_thread(upgrade_to_head, fresh_database_url)
    # The mail folder delivers: exit 0.
    await _queue_one_email(fresh_database_url)
    delivered = await asyncio.to_thread(ownerhub, command_env(fresh_database_url, tmp_path), "send-outbox")
    assert (delivered.returncode, delivered.stdout) == (0, "sent 1 message(s)\n"), delivered.stderr

    # An SMTP server that is not there: the message stays queued for a retry, exit 1.
    await _queue_one_email(fresh_database_url)
    env = command_env(fresh_database_url, tmp_path, SMTP_HOST="127.0.0.1", SMTP_PORT=str(free_port()))
    run = await asyncio.to_thread(ownerhub, env, "send-outbox")
    assert run.returncode == 1
    assert run.stdout == "sent 0 message(s)\n"
    assert run.stderr.splitlines()[-1] == (
        "error: 1 message(s) could not be delivered and wait for a retry (see the log)"
    )


@pytest.mark.parametrize(
    ("setting", "value", "line"),
    [
        ("DATABASE_URL", "mysql://ownerhub:s3cret-pw@db.internal/ownerhub",
         "error: DATABASE_URL: unsupported database 'mysql' (use postgresql://, postgres:// or sqlite+aiosqlite:///)"),
        ("DATABASE_URL", "postgresql://ownerhub:s3cret-pw@db.internal:5432",
         "error: DATABASE_URL: names no database (postgresql://user@host:5432/DATABASE)"),
        ("SMTP_PORT", "s3cret-pw", "error: SMTP_PORT: Input should be a valid integer, unable to parse string as an integer"),
        ("LOG_FORMAT", "xml", "error: LOG_FORMAT: Input should be 'console' or 'json'"),
        ("APP_URL", "app.example.com", "error: APP_URL: must be an http:// or https:// URL (the base of the links in emails)"),
        ("CORS_ORIGINS", "https://app.example.com", 'error: CORS_ORIGINS: not valid JSON (a list is written like ["a", "b"])'),
    ],
)
def test_a_bad_setting_is_one_line_naming_it_and_exit_code_2(tmp_path, setting, value, line):
    env = command_env(f"sqlite+aiosqlite:///{tmp_path / 'x.sqlite3'}", tmp_path, **{setting: value})
    run = ownerhub(env, "migrate")
    assert (run.returncode, run.stdout, run.stderr) == (2, "", line + "\n")


@pytest.mark.parametrize("command", [("serve", "--port", "0"), ("send-outbox", "--forever"), ("export-schema",)],
                         ids=lambda command: command[0])
def test_every_command_checks_the_settings_before_it_starts(tmp_path, command):
    env = command_env("mysql://ownerhub:s3cret-pw@db.internal/ownerhub", tmp_path)
    run = ownerhub(env, *command)
    assert (run.returncode, run.stdout) == (2, "")
    assert run.stderr.startswith("error: DATABASE_URL: unsupported database 'mysql'")
    assert "s3cret-pw" not in run.stderr


def test_every_bad_setting_is_reported_at_once(tmp_path):
    env = command_env("sqlite+aiosqlite:///x.sqlite3", tmp_path, SMTP_PORT="many", LOG_FORMAT="xml")
    run = ownerhub(env, "migrate")
    assert run.returncode == 2
    assert [line.split(":")[1].strip() for line in run.stderr.splitlines()] == ["SMTP_PORT", "LOG_FORMAT"]


def test_a_sqlite_path_in_a_missing_folder_is_an_error_not_a_new_empty_database(tmp_path):
    missing = tmp_path / "no" / "such" / "dir"
    run = ownerhub(command_env(f"sqlite+aiosqlite:///{missing / 'x.db'}", tmp_path), "migrate")
    assert (run.returncode, run.stderr) == (2, f"error: DATABASE_URL: the folder of the SQLite file does not exist: {missing}\n")
    assert not (tmp_path / "no").exists()


def test_an_unreachable_database_at_start_is_one_line_after_the_wait_window(tmp_path):
    dead = f"postgresql://ownerhub:s3cret-pw@127.0.0.1:{free_port()}/ownerhub"
    env = command_env(dead, tmp_path, DATABASE_WAIT_SECONDS="2")
    started = time.monotonic()
    run = ownerhub(env, "serve", "--port", str(free_port()))
    waited = time.monotonic() - started
    assert run.returncode == 2
    assert run.stderr.startswith("error: DATABASE_URL: cannot reach the database: ")
    assert len(run.stderr.splitlines()) == 1 and "s3cret-pw" not in run.stderr
    assert waited >= 2  # it kept trying for the window before giving up

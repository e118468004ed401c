"""The `ownerhub` command line (SPEC 10, 11)."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

import typer

from settings import get_settings

app = typer.Typer(help="OwnerHub: the Owner Contacts GraphQL API server.", no_args_is_help=True)

SCHEMA_FILE = Path(__file__).resolve().parent / "schema.graphql"
# Exit codes: 1 the command could not do its work, 2 the configuration stops it
# (settings.py), which includes a database that cannot be reached.
FAILED = 1


@app.callback()
def _check_settings() -> None:
    """Settings are checked before any command runs (one line per problem, exit 2)."""
    from observability.tracing import configuration_problem
    from settings import CONFIGURATION_EXIT_CODE

    get_settings()
    problem = configuration_problem()
    if problem is not None:
        typer.echo(f"error: {problem}", err=True)
        raise typer.Exit(code=CONFIGURATION_EXIT_CODE)


def _database_state(*, needs_migrations: bool):
    """Waits for the database (DATABASE_WAIT_SECONDS) and returns its schema state.
    One line and a non-zero exit when it cannot be reached, or, for a command that
    needs this release's tables, when migrations are missing."""
    from db.revision import MIGRATE_HINT, DatabaseUnreachable, SchemaState, wait_for_database
    from settings import CONFIGURATION_EXIT_CODE

    settings = get_settings()
    try:
        state = asyncio.run(wait_for_database(settings.DATABASE_URL, settings.DATABASE_WAIT_SECONDS))
    except DatabaseUnreachable as error:
        typer.echo(f"error: DATABASE_URL: cannot reach the database: {error}", err=True)
        raise typer.Exit(code=CONFIGURATION_EXIT_CODE) from None
    if needs_migrations and state is SchemaState.BEHIND:
        typer.echo(f"error: {MIGRATE_HINT}", err=True)
        raise typer.Exit(code=FAILED)
    return state


def _migrate_unless_ahead() -> None:
    """Applies the missing migrations; a database a newer release migrated further is
    left as it is (expand-then-contract: this release runs on it)."""
    from db.migrate import upgrade_to_head
    from db.revision import SchemaState

    if _database_state(needs_migrations=False) is SchemaState.AHEAD:
        typer.echo("the database is ahead of this release (migrated by a newer one): left as it is", err=True)
        return
    upgrade_to_head(get_settings().DATABASE_URL)


def _read_password() -> str:
    """Asks at a prompt on a terminal; otherwise reads one line from standard input."""
    if sys.stdin.isatty():
        return typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    line = sys.stdin.readline()
    if not line:
        raise typer.BadParameter("no password on standard input")
    return line.rstrip("\r\n")


async def _in_unit_of_work(step):
    from db.engine import create_engine, create_session_factory
    from repository.uow import UnitOfWork

    engine = create_engine(get_settings().DATABASE_URL)
    try:
        async with UnitOfWork(create_session_factory(engine)) as uow:
            result = await step(uow)
            await uow.commit()
            return result
    finally:
        await engine.dispose()


def _run_rules(step):
    """Runs `step` in one unit of work on a migrated database, printing rule errors."""
    from domain.errors import RuleError

    _database_state(needs_migrations=True)
    try:
        return asyncio.run(_in_unit_of_work(step))
    except RuleError as error:
        for violation in error.violations:
            typer.echo(f"error: {violation.message}", err=True)
        raise typer.Exit(code=1) from None


@app.command()
def migrate() -> None:
    """Apply the database migrations."""
    _migrate_unless_ahead()
    typer.echo("database is up to date")


@app.command("create-builder")
def create_builder(
    name: str = typer.Option(..., "--name", help="The builder company's name."),
    admin_username: str = typer.Option(..., "--admin-username", help="Username of the first admin."),
) -> None:
    """Create a builder account and its first admin."""
    from domain.passwords import PRODUCTION_PARAMETERS
    from services.accounts import create_builder as create

    password = _read_password()
    _run_rules(lambda uow: create(uow, name, admin_username, password, PRODUCTION_PARAMETERS))
    typer.echo(f"created builder account {name!r} with admin {admin_username!r}")


@app.command("create-user")
def create_user(
    builder: str = typer.Option(..., "--builder", help="The builder account's name."),
    username: str = typer.Option(..., "--username"),
    role: str = typer.Option("STAFF", "--role", help="ADMIN or STAFF."),
) -> None:
    """Create a builder staff user."""
    from domain.errors import RuleError, UserErrorCode, Violation
    from domain.passwords import PRODUCTION_PARAMETERS
    from repository.accounts import AccountRepository
    from services.accounts import create_user as create

    password = _read_password()

    async def step(uow):
        account = await AccountRepository(uow.session).builder_by_name(builder)
        if account is None:
            raise RuleError(Violation(("builder",), UserErrorCode.NOT_FOUND, f"No builder account named {builder!r}."))
        return await create(uow, account, username, password, role.upper(), PRODUCTION_PARAMETERS)

    _run_rules(step)
    typer.echo(f"created {role.upper()} user {username!r} in {builder!r}")


@app.command("export-schema")
def export_schema(
    output: Path = typer.Option(SCHEMA_FILE, "--output", "-o", help="Where to write the SDL."),
) -> None:
    """Write the GraphQL schema's SDL (schema.graphql)."""
    from resolvers.root.build import schema

    output.write_text(schema.as_str() + "\n", encoding="utf-8")
    typer.echo(f"wrote {output}")


@app.command("persisted-queries")
def persisted_queries(
    sources: list[Path] = typer.Argument(..., help="The client's operations: .graphql files, or folders of them."),
    output: Path = typer.Option(Path("persisted-queries.json"), "--output", "-o", help="Where to write the manifest."),
) -> None:
    """Register the client's operations: write the manifest that
    PERSISTED_QUERIES=registered runs (Apollo's persisted query manifest format).
    Every operation must be named and must pass validation, limits included."""
    import json

    from graphql import parse, specified_rules, validate

    from hardening.persisted import build_manifest
    from hardening.validation import policy_for
    from resolvers.root.build import schema

    files: list[Path] = []
    for source in sources:
        files.extend(sorted(source.rglob("*.graphql")) if source.is_dir() else [source])
    documents = [path.read_text(encoding="utf-8") for path in files]
    policy = policy_for(get_settings())
    failed = False
    for path, document in zip(files, documents):
        errors = validate(schema.graphql_schema, parse(document), (*specified_rules, *policy.extra_rules))
        for error in errors:
            typer.echo(f"error: {path}: {error.message}", err=True)
            failed = True
    if failed:
        raise typer.Exit(code=1)
    try:
        manifest = build_manifest(documents)
    except ValueError as error:
        typer.echo(f"error: {error}", err=True)
        raise typer.Exit(code=1) from None
    output.write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    typer.echo(f"wrote {len(manifest['operations'])} operations to {output}")


@app.command("seed-demo")
def seed_demo() -> None:
    """Fill the database with a realistic demo data set, with owners to sign in as."""
    from datetime import timedelta

    from domain.passwords import PRODUCTION_PARAMETERS
    from services.demo import seed

    settings = get_settings()
    ttl = timedelta(hours=settings.INVITE_TTL_HOURS)
    summary = _run_rules(lambda uow: seed(uow, PRODUCTION_PARAMETERS, app_url=settings.APP_URL, invite_ttl=ttl))
    typer.echo(summary)


async def _send_outbox(forever: bool):
    import signal

    from db.engine import create_engine, create_session_factory
    from mail.sender import OutboxSender
    from mail.transports import transports_from_settings
    from observability import tracing

    settings = get_settings()
    tracing.start()
    engine = create_engine(settings.DATABASE_URL)
    tracing.instrument_engines(engine)
    sender = OutboxSender(create_session_factory(engine), *transports_from_settings(settings))
    try:
        if forever:
            stop = asyncio.Event()
            loop = asyncio.get_running_loop()
            for signum in (signal.SIGINT, signal.SIGTERM):
                loop.add_signal_handler(signum, stop.set)
            await sender.run_forever(stop)
            return None
        return await sender.drain_backlog()
    finally:
        await engine.dispose()


@app.command("send-outbox")
def send_outbox(
    forever: bool = typer.Option(False, "--forever", help="Keep running, delivering new messages as they come."),
) -> None:
    """Deliver the queued emails and SMS (for OUTBOX_WORKER=external set-ups).
    Without --forever, exits 1 when it could not claim or deliver every due message."""
    from observability.logging import configure_logging

    configure_logging(get_settings().LOG_FORMAT)
    _database_state(needs_migrations=True)
    report = asyncio.run(_send_outbox(forever))
    if report is None:
        return
    typer.echo(f"sent {report.delivered} message(s)")
    if not report.ok:
        typer.echo(f"error: {report.problem}", err=True)
        raise typer.Exit(code=FAILED)


@app.command("prune-timeline")
def prune_timeline(
    older_than: int = typer.Option(..., "--older-than", min=1, metavar="DAYS",
                                   help="Drop the bodies of messages created more than DAYS days ago."),
) -> None:
    """Drop the bodies of old messages the sender is done with; every timeline fact stays."""
    from datetime import timedelta

    from models import utcnow
    from repository.timeline import prune_message_bodies

    cutoff = utcnow() - timedelta(days=older_than)
    pruned = _run_rules(lambda uow: prune_message_bodies(uow.session, created_before=cutoff))
    typer.echo(f"dropped the bodies of {pruned} message(s) older than {older_than} day(s)")


@app.command()
def serve(
    host: str = typer.Option("127.0.0.1", "--host"),
    port: int = typer.Option(8000, "--port"),
    workers: int = typer.Option(1, "--workers", help="Server processes (use PostgreSQL for more than one)."),
    graceful_timeout: float = typer.Option(
        10, "--graceful-timeout", help="Seconds a stopping server (SIGTERM) lets running requests finish."
    ),
    forwarded_allow_ips: str = typer.Option(
        "",
        "--forwarded-allow-ips",
        help="Comma-separated addresses of the reverse proxies whose X-Forwarded-For is trusted "
        "(the client address the rate limits count); empty: trust none.",
    ),
) -> None:
    """Migrate the database, then serve the API (GraphiQL at /graphql)."""
    import uvicorn

    from observability.logging import configure_logging

    settings = get_settings()
    configure_logging(settings.LOG_FORMAT)
    _migrate_unless_ahead()
    typer.echo(f"serving on http://{host}:{port}/graphql")
    uvicorn.run(
        "server:app",
        host=host,
        port=port,
        workers=workers,
        loop="uvloop",
        http="httptools",
        # Behind nginx every request comes from the proxy: without its
        # X-Forwarded-For all clients would share one per-address rate limit.
        proxy_headers=bool(forwarded_allow_ips),
        forwarded_allow_ips=forwarded_allow_ips or None,
        timeout_graceful_shutdown=graceful_timeout,
        # Our logs (observability/logging.py); each request is logged once,
        # with its request id, by observability/middleware.py.
        log_config=None,
        access_log=False,
    )


if __name__ == "__main__":
    app()

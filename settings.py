"""Runtime settings (SPEC 11), read from the environment or a `.env` file.

They are checked before anything else runs (`get_settings`): each problem is one
line naming the setting and what is wrong with it, and the process exits with
code 2, without a traceback and without echoing a value (a URL may hold a password).
"""

from __future__ import annotations

import re
import sys
from functools import cache
from pathlib import Path
from typing import Literal

from pydantic import ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict
from pydantic_settings.exceptions import SettingsError
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

DEFAULT_DATABASE_URL = "sqlite+aiosqlite:///var/ownerhub.sqlite3"
# The exit code of a process stopped by its configuration (as sysexits' EX_USAGE is for usage).
CONFIGURATION_EXIT_CODE = 2

# What hosting platforms hand out (`postgres://`, `postgresql://`) means asyncpg here;
# plain `sqlite://` means aiosqlite. Any other driver is refused: the server is async.
_DRIVERS = {
    "postgres": "postgresql+asyncpg",
    "postgresql": "postgresql+asyncpg",
    "postgresql+asyncpg": "postgresql+asyncpg",
    "sqlite": "sqlite+aiosqlite",
    "sqlite+aiosqlite": "sqlite+aiosqlite",
}


def normalise_database_url(value: str) -> str:
    """The URL with its driver made explicit; ValueError (never quoting the URL,
    which may hold a password) when it cannot be used."""
    scheme, separator, rest = value.partition("://")
    if not separator:
        raise ValueError("not a database URL (expected postgresql://... or sqlite+aiosqlite:///path)")
    driver = _DRIVERS.get(scheme.lower())
    if driver is None:
        raise ValueError(
            f"unsupported database {scheme!r} (use postgresql://, postgres:// or sqlite+aiosqlite:///)"
        )
    url = f"{driver}://{rest}"
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise ValueError("not a valid database URL") from None
    if driver == "sqlite+aiosqlite" and url != DEFAULT_DATABASE_URL:
        # A typo in the path must not become a new, empty database: the folder
        # must exist. (The embedded default's own folder, var/, is made on first use.)
        database = parsed.database or ""
        if database and database != ":memory:" and not database.startswith("file:"):
            folder = Path(database).parent
            if not folder.is_dir():
                raise ValueError(f"the folder of the SQLite file does not exist: {folder}")
    elif driver == "postgresql+asyncpg" and not parsed.database:
        raise ValueError("names no database (postgresql://user@host:5432/DATABASE)")
    return url


# A developer's own machine: a single-page app's dev server on any port.
LOCALHOST_ORIGINS = r"https?://(localhost|127\.0\.0\.1|\[::1\])(:[0-9]{1,5})?"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", extra="ignore")

    DATABASE_URL: str = DEFAULT_DATABASE_URL
    APP_URL: str = "http://127.0.0.1:8000"
    ENVIRONMENT: Literal["development", "production"] = "development"
    # None means "follow ENVIRONMENT": on in development, off in production.
    GRAPHIQL: bool | None = None
    INTROSPECTION: bool | None = None
    CORS_ORIGINS: list[str] = []
    # None means "follow ENVIRONMENT": localhost origins (LOCALHOST_ORIGINS) are
    # allowed besides CORS_ORIGINS in development, and not in production.
    CORS_ALLOW_LOCALHOST: bool | None = None
    SMTP_HOST: str | None = None
    SMTP_PORT: int = 25
    SMTP_USERNAME: str | None = None
    SMTP_PASSWORD: str | None = None
    SMTP_STARTTLS: bool = False
    MAIL_FROM: str = "OwnerHub <no-reply@ownerhub.invalid>"
    MAIL_DIR: str = "var/mail"
    MEDIA_DIR: str = "var/media"
    # Profile images go to an S3-compatible bucket instead of MEDIA_DIR when
    # MEDIA_S3_BUCKET is set (needs the `s3` extra: aioboto3). Credentials left
    # unset fall back to the usual AWS chain (environment, profile, instance role).
    MEDIA_S3_BUCKET: str | None = None
    MEDIA_S3_ENDPOINT_URL: str | None = None
    MEDIA_S3_REGION: str | None = None
    MEDIA_S3_ACCESS_KEY_ID: str | None = None
    MEDIA_S3_SECRET_ACCESS_KEY: str | None = None
    MEDIA_S3_PREFIX: str = ""
    REDIS_URL: str | None = None
    # Prefix of every Redis key (the rate-limit counters), so that installations
    # or test runs sharing one Redis keep their counts apart.
    REDIS_KEY_PREFIX: str = "ownerhub"
    INVITE_TTL_HOURS: int = 7 * 24
    RESET_TTL_MINUTES: int = 30
    # How long the link that confirms an active owner's new primary email works (SPEC 12).
    EMAIL_CHANGE_TTL_HOURS: int = 24
    SESSION_TTL_HOURS: int = 14 * 24
    OUTBOX_WORKER: Literal["internal", "external"] = "internal"
    # The owner pages (/accept-invite, /reset-password, /sign-in, /me, /confirm-email)
    # served by this server. `off` where APP_URL is a separate web app: those paths
    # then answer 404.
    OWNER_PAGES: bool = True
    # Covered queries run by their plan (planner/, issue 15); off: every query runs
    # on graphql-core's executor (the differential test compares the two).
    PLANNED_READS: bool = True
    # Hardening (docs/api.md, "Production switches and limits").
    MAX_QUERY_COST: int = 10_000
    MAX_BODY_BYTES: int = 1_048_576
    REQUEST_TIMEOUT_SECONDS: float = 15.0
    # "apq": Apollo's automatic persisted queries; "registered": only the documents
    # of PERSISTED_QUERIES_MANIFEST run; "off": plain GraphQL requests only.
    PERSISTED_QUERIES: Literal["apq", "registered", "off"] = "apq"
    PERSISTED_QUERIES_MANIFEST: str = "persisted-queries.json"
    # Memory under hostile load (issue 13; bench/RESULTS.md has the measured peaks).
    # Images decode within a process-wide budget: at most IMAGE_DECODE_PIXELS
    # declared pixels (one 25-megapixel image) and IMAGE_DECODE_SLOTS decodes at
    # once; an upload waits up to IMAGE_DECODE_WAIT_SECONDS, then is RATE_LIMITED.
    IMAGE_DECODE_PIXELS: int = 25_000_000
    IMAGE_DECODE_SLOTS: int = 2
    IMAGE_DECODE_WAIT_SECONDS: float = 10.0
    # The automatic persisted query store: an LRU of at most APQ_MAX_ENTRIES
    # documents and APQ_MAX_BYTES bytes (per process in memory, or in Redis when
    # REDIS_URL is set); a document over APQ_MAX_DOCUMENT_BYTES runs unstored.
    APQ_MAX_ENTRIES: int = 2_000
    APQ_MAX_BYTES: int = 16 * 1024 * 1024
    APQ_MAX_DOCUMENT_BYTES: int = 64 * 1024
    # At most one job-change notice per owner, job and address in this period (SPEC 12).
    JOB_NOTICE_QUIET_MINUTES: int = 15
    # Operations (docs/deploy.md). How long `serve`, `migrate` and `send-outbox` keep
    # trying to reach the database at start (for orchestrators that start the
    # database alongside); 0: one try.
    DATABASE_WAIT_SECONDS: float = 0
    # After SIGTERM, how long /readyz answers 503 while requests are still served,
    # so that a load balancer stops sending traffic before the server stops listening.
    SHUTDOWN_DRAIN_SECONDS: float = 0
    # "console": readable, coloured lines; "json": one JSON object per line.
    # Unset: console when standard error is a terminal, JSON otherwise.
    LOG_FORMAT: Literal["console", "json"] | None = None

    @field_validator("DATABASE_URL")
    @classmethod
    def _database_url(cls, value: str) -> str:
        return normalise_database_url(value)

    @field_validator("APP_URL")
    @classmethod
    def _app_url(cls, value: str) -> str:
        if not re.match(r"^https?://[^/\s]+", value):
            raise ValueError("must be an http:// or https:// URL (the base of the links in emails)")
        return value

    @field_validator("DATABASE_WAIT_SECONDS", "SHUTDOWN_DRAIN_SECONDS", "REQUEST_TIMEOUT_SECONDS")
    @classmethod
    def _not_negative(cls, value: float) -> float:
        if value < 0:
            raise ValueError("must not be negative")
        return value

    @property
    def is_production(self) -> bool:
        return self.ENVIRONMENT == "production"

    @property
    def graphiql_enabled(self) -> bool:
        return (not self.is_production) if self.GRAPHIQL is None else self.GRAPHIQL

    @property
    def introspection_enabled(self) -> bool:
        return (not self.is_production) if self.INTROSPECTION is None else self.INTROSPECTION

    @property
    def cors_origin_pattern(self) -> str | None:
        """Browser origins allowed besides `CORS_ORIGINS` (a regular expression that
        must match the whole `Origin`), or None."""
        allowed = (not self.is_production) if self.CORS_ALLOW_LOCALHOST is None else self.CORS_ALLOW_LOCALHOST
        return LOCALHOST_ORIGINS if allowed else None


class InvalidSettings(Exception):
    """The settings cannot be used; `problems` holds one line per problem."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


_FIELD_IN_SETTINGS_ERROR = re.compile(r'field "([A-Za-z0-9_]+)"')


def load_settings(**values) -> Settings:
    """Settings from the environment (and `.env`); InvalidSettings listing every problem."""
    try:
        return Settings(**values)
    except ValidationError as error:
        problems = []
        for detail in error.errors(include_input=False, include_url=False):
            name = ".".join(str(part) for part in detail["loc"]) or "settings"
            message = detail["msg"].removeprefix("Value error, ")
            problems.append(f"{name}: {message}")
        raise InvalidSettings(problems) from None
    except SettingsError as error:
        # pydantic-settings could not decode a complex value (a list is JSON).
        found = _FIELD_IN_SETTINGS_ERROR.search(str(error))
        name = found.group(1) if found else "settings"
        raise InvalidSettings([f"{name}: not valid JSON (a list is written like [\"a\", \"b\"])"]) from None


@cache
def get_settings() -> Settings:
    """The process's settings. On a problem, prints one line per problem to standard
    error and exits with code 2: nothing else runs on a configuration that cannot work."""
    try:
        return load_settings()
    except InvalidSettings as error:
        for problem in error.problems:
            print(f"error: {problem}", file=sys.stderr)
        raise SystemExit(CONFIGURATION_EXIT_CODE) from None

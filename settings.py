"""Runtime settings (SPEC 11), read from the environment or a `.env` file."""

from __future__ import annotations

from functools import cache
from typing import Literal

from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_DATABASE_URL = "sqlite+aiosqlite:///var/ownerhub.sqlite3"
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


@cache
def get_settings() -> Settings:
    return Settings()

"""Applies the Alembic migrations, as `ownerhub migrate` and at server start."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config

MIGRATIONS_DIR = Path(__file__).resolve().parent.parent / "migrations"


def alembic_config(database_url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    return config


def upgrade_to_head(database_url: str) -> None:
    """Run synchronously; it starts its own event loop, so call it outside one
    (or in a worker thread)."""
    command.upgrade(alembic_config(database_url), "head")

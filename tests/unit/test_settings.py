"""Settings checked before anything runs (issue 17): the database URL forms hosting
platforms hand out, and problems reported without the values they hold."""

from __future__ import annotations

import pytest

from db.revision import SchemaState, _known_revisions, state_of
from settings import DEFAULT_DATABASE_URL, InvalidSettings, load_settings, normalise_database_url


@pytest.mark.parametrize(
    ("given", "used"),
    [
        ("postgres://app:pw@db.internal:5432/ownerhub", "postgresql+asyncpg://app:pw@db.internal:5432/ownerhub"),
        ("postgresql://app@db.internal/ownerhub", "postgresql+asyncpg://app@db.internal/ownerhub"),
        ("postgresql+asyncpg://app@db.internal/ownerhub", "postgresql+asyncpg://app@db.internal/ownerhub"),
        ("PostgreSQL://app@db.internal/ownerhub?ssl=require", "postgresql+asyncpg://app@db.internal/ownerhub?ssl=require"),
        ("sqlite:///:memory:", "sqlite+aiosqlite:///:memory:"),
        (DEFAULT_DATABASE_URL, DEFAULT_DATABASE_URL),
    ],
)
def test_database_urls_mean_the_async_drivers(given, used):
    assert normalise_database_url(given) == used


@pytest.mark.parametrize(
    "given",
    ["postgresql+psycopg2://app:pw@db/ownerhub", "mysql://app:pw@db/ownerhub", "ownerhub", "postgres://app:pw@db"],
)
def test_unusable_database_urls_are_refused_without_quoting_them(given):
    with pytest.raises(ValueError) as refused:
        normalise_database_url(given)
    assert "pw" not in str(refused.value)


def test_a_sqlite_file_must_be_in_an_existing_folder(tmp_path):
    assert normalise_database_url(f"sqlite+aiosqlite:///{tmp_path}/x.db").endswith("/x.db")
    with pytest.raises(ValueError, match="the folder of the SQLite file does not exist"):
        normalise_database_url(f"sqlite+aiosqlite:///{tmp_path}/missing/x.db")


def test_every_problem_is_one_line_naming_its_setting():
    with pytest.raises(InvalidSettings) as invalid:
        load_settings(_env_file=None, DATABASE_URL="mysql://app:s3cret@db/x", SHUTDOWN_DRAIN_SECONDS=-1,
                      PERSISTED_QUERIES="some")
    assert [problem.split(":")[0] for problem in invalid.value.problems] == [
        "DATABASE_URL", "PERSISTED_QUERIES", "SHUTDOWN_DRAIN_SECONDS"]
    assert not any("s3cret" in problem or "\n" in problem for problem in invalid.value.problems)


def test_the_schema_state_of_a_database_from_its_alembic_revisions():
    heads, known = _known_revisions()
    older = next(iter(known - heads))
    assert state_of(set()) is SchemaState.BEHIND  # never migrated
    assert state_of({older}) is SchemaState.BEHIND
    assert state_of(set(heads)) is SchemaState.CURRENT
    assert state_of({"a-newer-release"}) is SchemaState.AHEAD
    assert [state.usable for state in SchemaState] == [True, True, False]

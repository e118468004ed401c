"""Process-level tests: real `ownerhub serve` processes, sender processes, signals.

`.ci/run` runs the suite twice, on SQLite and on PostgreSQL. Each of these tests
belongs to one of the two passes and is *deselected* (not collected, so never
counted as passed or skipped) in the other:

* `postgresql_fleet`: several processes on one PostgreSQL database and the shared
  Redis; they run when `DATABASE_URL` names a PostgreSQL server.
* `sqlite_crash`: kill -9 and SIGTERM on the embedded SQLite database; they run
  when it does not.
"""

from __future__ import annotations

import os

from db.engine import is_sqlite

MARKERS = {
    "postgresql_fleet": "several server and sender processes on PostgreSQL and Redis (PostgreSQL pass only)",
    "sqlite_crash": "server processes killed on SQLite (SQLite pass only)",
}


def on_postgresql() -> bool:
    url = os.environ.get("DATABASE_URL", "")
    return bool(url) and not is_sqlite(url)


def pytest_configure(config):
    for name, description in MARKERS.items():
        config.addinivalue_line("markers", f"{name}: {description}")


def pytest_collection_modifyitems(config, items):
    other_pass = "sqlite_crash" if on_postgresql() else "postgresql_fleet"
    keep, drop = [], []
    for item in items:
        (drop if item.get_closest_marker(other_pass) else keep).append(item)
    if drop:
        config.hook.pytest_deselected(items=drop)
        items[:] = keep

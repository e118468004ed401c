"""Health probes (SPEC 10, issues 9 and 17).

`/healthz` answers as long as the process serves requests (liveness: restart it
when this fails). `/readyz` (readiness: send it traffic only while this is 200)
also checks what a request needs, and answers 503 with the reason in its JSON:

* the database: reachable, and holding the migrations this code needs. A database
  that lacks some is `"database": "not migrated"` (run `ownerhub migrate`); one a newer
  release migrated further is ready (migrations are expand-then-contract);
* Redis, when `REDIS_URL` is set (the rate limits live there);
* the process itself: `"server": "stopping"` from SIGTERM on (server.py).

Until the database is known to hold this code's tables, GraphQL requests are
answered 503 `SERVICE_UNAVAILABLE` instead of raw "no such table" errors.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

import redis.asyncio
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse
from starlette.types import ASGIApp, Receive, Scope, Send

from domain.errors import TopLevelErrorCode

log = logging.getLogger("ownerhub.health")

# A probe must answer before the prober gives up (nginx, Kubernetes: a few seconds).
CHECK_TIMEOUT_SECONDS = 3.0
OK = "ok"
UNREACHABLE = "unreachable"
NOT_MIGRATED = "not migrated"
STOPPING = "stopping"


async def healthz(_request: Request) -> PlainTextResponse:
    return PlainTextResponse("ok")


async def _redis_ok(redis_url: str) -> str:
    client = redis.asyncio.Redis.from_url(
        redis_url.removeprefix("async+"), socket_connect_timeout=CHECK_TIMEOUT_SECONDS, socket_timeout=CHECK_TIMEOUT_SECONDS
    )
    try:
        if not await client.ping():
            raise ConnectionError("Redis did not answer PING")
    finally:
        await client.aclose()
    return OK


class Readiness:
    """The process's readiness: the probe's checks, the schema state the GraphQL
    endpoint relies on, and whether the process is stopping. `schema_state` reads
    the database's migration state (db/revision.py): something with `.usable`."""

    def __init__(self, schema_state: Callable[[], Awaitable], redis_url: str | None) -> None:
        self._schema_state = schema_state
        self._redis_url = redis_url
        self.schema = None  # the state last seen; None until first checked
        self.stopping = False

    async def _database(self) -> str:
        self.schema = await self._schema_state()
        return OK if self.schema.usable else NOT_MIGRATED

    async def schema_usable(self) -> bool:
        """Checked until the database holds this code's migrations, then remembered:
        the check costs nothing once the database is ready."""
        if self.schema is None or not self.schema.usable:
            await asyncio.wait_for(self._database(), CHECK_TIMEOUT_SECONDS)
        return self.schema.usable

    async def check_at_start(self) -> None:
        """Looks at the schema once before the first request, so that requests never
        pay for it; a failure here is only logged (/readyz and requests ask again)."""
        try:
            usable = await self.schema_usable()
        except Exception as error:
            log.warning("database unavailable at start: %s: %s", type(error).__name__, error)
            return
        if not usable:
            log.warning("the database lacks migrations this release needs: run `ownerhub migrate`")

    async def report(self) -> dict[str, str]:
        if self.stopping:
            return {"server": STOPPING}
        checks = {"database": self._database}
        if self._redis_url:
            checks["redis"] = lambda: _redis_ok(self._redis_url)
        names = list(checks)
        outcomes = await asyncio.gather(
            *(asyncio.wait_for(checks[name](), CHECK_TIMEOUT_SECONDS) for name in names),
            return_exceptions=True,
        )
        report = {}
        for name, outcome in zip(names, outcomes):
            if isinstance(outcome, BaseException):
                # The reason goes to the log, not to the (possibly public) answer.
                log.warning("readiness: %s unreachable: %s: %s", name, type(outcome).__name__, outcome)
                report[name] = UNREACHABLE
            else:
                report[name] = outcome
        if report["database"] == NOT_MIGRATED:
            log.warning("readiness: the database lacks migrations this release needs: run `ownerhub migrate`")
        return report


def readyz_endpoint(readiness: Readiness):
    async def readyz(_request: Request) -> JSONResponse:
        report = await readiness.report()
        ready = all(value == OK for value in report.values())
        return JSONResponse(report, status_code=200 if ready else 503)

    return readyz


NOT_READY_ANSWER = {
    "errors": [{
        "message": "The service is not ready: its database is not migrated or not reachable.",
        "extensions": {"code": TopLevelErrorCode.SERVICE_UNAVAILABLE},
    }]
}


class RequiresUsableDatabase:
    """Answers 503 before `app` runs while the database lacks this code's tables
    (or cannot be reached to tell), instead of leaking the database's own errors."""

    def __init__(self, app: ASGIApp, readiness: Readiness) -> None:
        self.app = app
        self.readiness = readiness

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        try:
            usable = await self.readiness.schema_usable()
        except Exception as error:  # unreachable or timed out: not usable either
            log.warning("database unavailable: %s: %s", type(error).__name__, error)
            usable = False
        if not usable:
            answer = JSONResponse(NOT_READY_ANSWER, status_code=503, headers={"Retry-After": "5"})
            await answer(scope, receive, send)
            return
        await self.app(scope, receive, send)

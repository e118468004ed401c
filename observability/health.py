"""Health probes (SPEC 10, issue 9).

`/healthz` answers as long as the process serves requests (liveness: restart it
when this fails). `/readyz` also checks what a request needs: the database, and
Redis when `REDIS_URL` is set (the rate limits live there); it answers 503 when
one is down, so the load balancer sends traffic to the other processes.
"""

from __future__ import annotations

import asyncio
import logging

import redis.asyncio
from sqlalchemy import text
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse

log = logging.getLogger("ownerhub.health")

# A probe must answer before the prober gives up (nginx, Kubernetes: a few seconds).
CHECK_TIMEOUT_SECONDS = 3.0


async def healthz(_request: Request) -> PlainTextResponse:
    return PlainTextResponse("ok")


async def _database_ok(session_factory) -> None:
    async with session_factory() as session:
        await session.execute(text("SELECT 1"))


async def _redis_ok(redis_url: str) -> None:
    client = redis.asyncio.Redis.from_url(
        redis_url.removeprefix("async+"), socket_connect_timeout=CHECK_TIMEOUT_SECONDS, socket_timeout=CHECK_TIMEOUT_SECONDS
    )
    try:
        if not await client.ping():
            raise ConnectionError("Redis did not answer PING")
    finally:
        await client.aclose()


def readyz_endpoint(session_factory, redis_url: str | None):
    checks = {"database": lambda: _database_ok(session_factory)}
    if redis_url:
        checks["redis"] = lambda: _redis_ok(redis_url)

    async def readyz(_request: Request) -> JSONResponse:
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
                report[name] = "unreachable"
            else:
                report[name] = "ok"
        ready = all(value == "ok" for value in report.values())
        return JSONResponse(report, status_code=200 if ready else 503)

    return readyz

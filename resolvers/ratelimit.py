"""Rate limits of the anonymous auth calls (SPEC 3), as the resolvers use them.

Each resolver call counts once, so every alias in a request is its own attempt.
"""

from __future__ import annotations

from strawberry.types import Info

from domain.errors import RuleError, UserErrorCode, Violation

RATE_LIMITED = "Too many attempts. Wait a while, then try again."


class RateLimited(RuleError):
    """A limit refused the call: it is not a failed attempt of its own."""

    def __init__(self):
        super().__init__(Violation((), UserErrorCode.RATE_LIMITED, RATE_LIMITED))


async def check_call(info: Info, action: str, login_name: str | None) -> None:
    """Counts one `action` call for the client address (and login name); raises
    RATE_LIMITED when it is over a limit."""
    context = info.context
    if not await context.rate_limiter.allow_call(action, context.client_ip, login_name):
        raise RateLimited()


async def check_login_unlocked(info: Info, login_name: str) -> None:
    """After too many failed logins an account refuses every login, even with
    the right password, until the window moves on; the reset path stays open."""
    if await info.context.rate_limiter.login_locked(login_name):
        raise RateLimited()


async def record_failed_login(info: Info, login_name: str) -> None:
    await info.context.rate_limiter.record_failed_login(login_name)


async def clear_failed_logins(info: Info, login_name: str) -> None:
    await info.context.rate_limiter.clear_failed_logins(login_name)

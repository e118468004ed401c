"""Rate limits for the anonymous auth calls (SPEC 3, SECURITY-CASES 25).

Every limit is a moving window (``limits`` MovingWindowRateLimiter): exact counts,
no double burst at a window boundary.

* **Per client address, login path**: ``login`` and ``acceptInvite`` share one
  bucket per client address, ``per_client`` (default 300/hour). An office behind one
  address must not lock itself out, hence the generous default.
* **Per client address, password-reset path**: ``requestPasswordReset`` and
  ``resetPassword`` share their own bucket per client address, same default
  (``per_client``). It is separate so that a flood of logins from an address never
  locks that address out of resetting a password: throttling never blocks the reset
  path because of logins.
* **Per login name, reset requests**: ``requestPasswordReset`` also counts against the
  login name it names, ``password_resets_per_account`` (default 5/hour), so nobody can
  spam one mailbox. An active owner's request to change their primary email
  (``requestEmailChange``, counted by their username) shares that count: it mails
  the account too, and a stolen session must not turn into a mail cannon.
* **Confirming an email change** (``confirmEmailChange``, anonymous, by token) counts
  in the reset path's bucket per client address, like ``resetPassword``.
* **Per login name, failed logins**: ``failed_logins_per_account`` (default
  100/hour). The caller checks ``login_locked`` *before* checking the password and
  refuses the login when it is locked, even with the right password; it calls
  ``record_failed_login`` after a wrong password. A locked account can still use the
  reset path, and a successful reset clears the lock (``clear_failed_logins``).

Each alias in one GraphQL request is its own call: the resolver calls ``allow_call``
once per field execution, so 50 aliased logins count as 50.

Login names are normalised (strip + casefold) and hashed before they become keys, so
``" Alice "`` and ``"alice"`` share buckets and no login name is stored in Redis.
Keys live under ``<namespace>:`` in Redis, so one Redis can be shared and ``reset``
only clears this namespace.

Storage: ``async+memory://`` (one process) or ``async+redis://host:port/db`` (several
processes share the counts; a plain ``redis://`` URL is accepted too). A storage
failure raises ``limits.errors.StorageError``: the call fails rather than silently
dropping the brute-force protection.
"""

from __future__ import annotations

import hashlib

import redis.asyncio
from limits import RateLimitItem, parse
from limits.aio.strategies import MovingWindowRateLimiter
from limits.storage import storage_from_string

LOGIN_PATH_ACTIONS = frozenset({"login", "acceptInvite"})
RESET_PATH_ACTIONS = frozenset({"requestPasswordReset", "resetPassword", "requestEmailChange", "confirmEmailChange"})
# Calls that mail the account: they share one count per login name.
MAILING_ACTIONS = frozenset({"requestPasswordReset", "requestEmailChange"})
AUTH_ACTIONS = LOGIN_PATH_ACTIONS | RESET_PATH_ACTIONS


def normalise_login_name(login_name: str) -> str:
    return login_name.strip().casefold()


def _login_key(login_name: str) -> str:
    return hashlib.sha256(normalise_login_name(login_name).encode()).hexdigest()


class AuthRateLimiter:
    """Throttles the anonymous auth calls (SPEC 3)."""

    def __init__(
        self,
        storage_uri: str = "async+memory://",
        *,
        per_client: str = "300/hour",
        failed_logins_per_account: str = "100/hour",
        password_resets_per_account: str = "5/hour",
        namespace: str = "ownerhub",
    ) -> None:
        self._per_client: RateLimitItem = parse(per_client)
        self._failed_logins: RateLimitItem = parse(failed_logins_per_account)
        self._resets_per_account: RateLimitItem = parse(password_resets_per_account)
        self._redis: redis.asyncio.Redis | None = None

        if storage_uri.startswith(("redis://", "rediss://")):
            storage_uri = "async+" + storage_uri
        if storage_uri.startswith(("async+redis://", "async+rediss://")):
            # Our own redis-py client, so that we can close its pool on shutdown.
            self._redis = redis.asyncio.Redis.from_url(storage_uri.removeprefix("async+"))
            self._storage = storage_from_string(
                storage_uri,
                implementation="redispy",
                key_prefix=namespace,
                connection_pool=self._redis.connection_pool,
                wrap_exceptions=True,
            )
        elif storage_uri.startswith("async+memory://"):
            self._storage = storage_from_string(storage_uri, wrap_exceptions=True)
        else:
            raise ValueError(f"unsupported rate-limit storage: {storage_uri.split(':')[0]}")
        self._limiter = MovingWindowRateLimiter(self._storage)

    async def allow_call(self, action: str, client_ip: str, login_name: str | None) -> bool:
        """Count one call; False when it is over a limit (answer ``RATE_LIMITED``)."""
        if action not in AUTH_ACTIONS:
            raise ValueError(f"not a rate-limited auth action: {action}")
        path = "reset" if action in RESET_PATH_ACTIONS else "login"
        if not await self._limiter.hit(self._per_client, f"client-{path}", client_ip):
            return False
        if action in MAILING_ACTIONS and login_name is not None:
            return await self._limiter.hit(
                self._resets_per_account, "reset-account", _login_key(login_name)
            )
        return True

    async def login_locked(self, login_name: str) -> bool:
        """True when the account reached the failed-login limit (consumes nothing)."""
        return not await self._limiter.test(
            self._failed_logins, "failed-login", _login_key(login_name)
        )

    async def record_failed_login(self, login_name: str) -> None:
        await self._limiter.hit(self._failed_logins, "failed-login", _login_key(login_name))

    async def clear_failed_logins(self, login_name: str) -> None:
        """A password reset ends the account's lock: whoever reset it holds its
        mailbox and chose the new password, so earlier wrong guesses no longer matter."""
        await self._limiter.clear(self._failed_logins, "failed-login", _login_key(login_name))

    async def reset(self) -> None:
        """Clear every count in this namespace (tests, CLI)."""
        await self._storage.reset()

    async def ping(self) -> bool:
        """Storage reachable (readiness)."""
        return await self._storage.check()

    async def aclose(self) -> None:
        """Close the Redis connections (server shutdown)."""
        if self._redis is not None:
            await self._redis.aclose(close_connection_pool=True)

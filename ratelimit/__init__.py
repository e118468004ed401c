"""Rate limits for the anonymous auth calls; see ``ratelimit.limiter``."""

from limits.errors import StorageError

from ratelimit.limiter import AUTH_ACTIONS, AuthRateLimiter, normalise_login_name

__all__ = ["AUTH_ACTIONS", "AuthRateLimiter", "StorageError", "normalise_login_name"]

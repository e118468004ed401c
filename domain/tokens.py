"""Opaque tokens for sessions, invites and password resets (SPEC 3).

A token is 256 bits from the OS CSPRNG; only its SHA-256 is stored. A token is
never compared with a stored one in Python: it is looked up by its hash, an exact
index match, so a lookup's timing could at most tell how much of a hash matched,
and nobody can choose a token whose SHA-256 starts with what they want.
"""

from __future__ import annotations

import hashlib
import secrets


def new_token() -> str:
    return secrets.token_urlsafe(32)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()

"""Opaque tokens for sessions, invites and password resets (SPEC 3).

A token is 256 bits from the OS CSPRNG; only its SHA-256 is stored. Looking a
token up by its hash is an exact index match on a value the attacker cannot
choose freely, and `hmac.compare_digest` is used wherever two are compared.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets


def new_token() -> str:
    return secrets.token_urlsafe(32)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def token_matches(token: str, stored_hash: str) -> bool:
    return hmac.compare_digest(hash_token(token), stored_hash)

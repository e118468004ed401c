"""Password policy (SPEC section 3) and Argon2id hashing.

Pure functions over plain values: no database, no settings, no GraphQL.

Policy: 10 to 128 characters, never truncated, any Unicode, not equal to the
username or to an email of the contact, not among the 3,000 most common passwords.

The password is never stripped or truncated. It is NFC-normalised before hashing
and before counting its length, so the same password typed on two keyboards that
compose accents differently ("ü" as one code point or as "u" + combining
diaeresis) hashes the same and counts the same (NIST SP 800-63B 5.1.1.2 asks for
Unicode normalisation).

Provenance of ``common_passwords.txt``: the first 3,000 lines of
``django/contrib/auth/common-passwords.txt.gz`` in the Django 5.2.19 wheel on PyPI
(``pip download --no-deps django``). Django's list is Royce Williams' compilation
(https://gist.github.com/roycewilliams/226886fd01572964e1431ac8afc999ce),
unhexed, lowercased, deduplicated and ordered by frequency, so its head is the most
common passwords. The entries are kept byte for byte, including a few mojibake ones.
"""

from __future__ import annotations

import functools
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from importlib import resources

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

MIN_LENGTH = 10
MAX_LENGTH = 128


@dataclass(frozen=True)
class HashParameters:
    """Argon2id's cost: passes over memory, memory in KiB, lanes."""

    time_cost: int
    memory_kib: int
    parallelism: int


# RFC 9106's "second recommended option" (low memory): Argon2id, t=3, 64 MiB, p=4,
# which is also argon2-cffi's default. The server hashes with these unless the
# application is built with others (the test suite passes cheap ones, since it
# creates hundreds of accounts); a login whose stored hash was made with other
# parameters stores a fresh hash (`needs_rehash`), so changing them upgrades
# every account that signs in.
PRODUCTION_PARAMETERS = HashParameters(time_cost=3, memory_kib=65536, parallelism=4)


@functools.cache
def _hasher(parameters: HashParameters) -> PasswordHasher:
    return PasswordHasher(
        time_cost=parameters.time_cost, memory_cost=parameters.memory_kib, parallelism=parameters.parallelism
    )


def _nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def hash_password(password: str, parameters: HashParameters) -> str:
    """Return an encoded Argon2id hash (``$argon2id$...``) of the whole password."""
    return _hasher(parameters).hash(_nfc(password))


def verify_password(stored_hash: str, password: str) -> bool:
    """True when ``password`` matches ``stored_hash``; False on a mismatch or a
    malformed hash. Never raises, so a corrupt row reads as a failed login.
    The cost is the one written in ``stored_hash``, whatever the current parameters."""
    try:
        return _hasher(PRODUCTION_PARAMETERS).verify(stored_hash, _nfc(password))
    except (VerificationError, InvalidHashError, TypeError, ValueError):
        return False


def needs_rehash(stored_hash: str, parameters: HashParameters) -> bool:
    """True when the hash was made with other parameters than ``parameters``
    (the login path then stores ``hash_password(password, parameters)``).
    An unparseable hash also needs replacing."""
    try:
        return _hasher(parameters).check_needs_rehash(stored_hash)
    except (InvalidHashError, ValueError):
        return True


@functools.cache
def _dummy_hash(parameters: HashParameters) -> str:
    # Computed on first use rather than at import: hashing costs tens of
    # milliseconds and 64 MiB, which importing the module should not.
    return hash_password("dummy password for unknown login names", parameters)


def verify_against_dummy(password: str, parameters: HashParameters) -> bool:
    """Spend the time of one real verification and return False.

    Called when a login name matches no account, so that an unknown name answers
    as slowly as a wrong password (hashed with the same ``parameters``) and
    response times do not reveal which names exist.
    """
    verify_password(_dummy_hash(parameters), password)
    return False


@functools.cache
def common_passwords() -> frozenset[str]:
    """The 3,000 most common passwords, lowercase (see the module docstring)."""
    text = resources.files(__package__).joinpath("common_passwords.txt").read_text(encoding="utf-8")
    return frozenset(line for line in text.splitlines() if line)


def _same_identifier(password: str, identifier: str) -> bool:
    # Trimmed and case-insensitive, for comparison only: the password itself is
    # never stripped.
    wanted = _nfc(identifier).strip().casefold()
    return bool(wanted) and _nfc(password).strip().casefold() == wanted


def password_problem(
    password: str,
    *,
    username: str | None = None,
    emails: Iterable[str] = (),
) -> str | None:
    """Return None when ``password`` meets the policy, else one sentence telling
    the user what to do (the caller reports it with ``WEAK_PASSWORD``)."""
    length = len(_nfc(password))
    if length < MIN_LENGTH:
        return f"Choose a password of at least {MIN_LENGTH} characters."
    if length > MAX_LENGTH:
        return f"Choose a password of at most {MAX_LENGTH} characters."
    if username is not None and _same_identifier(password, username):
        return "Choose a password that is not your username."
    if any(_same_identifier(password, email) for email in emails if email):
        return "Choose a password that is not one of your email addresses."
    # Same comparison as Django's CommonPasswordValidator: lowercased and trimmed.
    if _nfc(password).strip().lower() in common_passwords():
        return "Choose a less common password; this one is among the most used."
    return None

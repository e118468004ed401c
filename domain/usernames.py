"""Usernames (SPEC 12): normalised (Unicode NFKC, case-folded) for comparison,
and a username that reads like an existing one is taken.

"Reads like" is Unicode's confusable skeleton (UTS #39): each character is
replaced by the prototype of its confusable set, from Unicode's `confusables.txt`
as the `confusable_homoglyphs` package ships it, so `раul` (Cyrillic р and а)
and `paul` have one skeleton. Full-width forms are already equal after NFKC;
zero-width and other invisible characters are refused outright (domain/text.py)."""

from __future__ import annotations

import json
import unicodedata
from functools import cache
from importlib.resources import files

from domain.text import hidden_character

MIN_LENGTH = 3
MAX_LENGTH = 150


def normalise_username(username: str) -> str:
    """The stored spelling: NFKC and trimmed."""
    return unicodedata.normalize("NFKC", username).strip()


def username_key(username: str) -> str:
    """Two usernames with one key are one username."""
    return unicodedata.normalize("NFKC", normalise_username(username).casefold())


def username_problem(username: str) -> str | None:
    """Why a new (normalised) username cannot be used, or None."""
    if not MIN_LENGTH <= len(username) <= MAX_LENGTH or any(ch.isspace() for ch in username):
        return "length"
    if hidden_character(username) is not None:
        return "invisible"
    return None


@cache
def _prototypes() -> dict[str, str]:
    """Character -> the prototype of its confusable set. The package lists, for
    each character, the characters it can be confused with; the sets are those
    lists joined wherever they share a character. The prototype of a set is its
    ASCII member when it has one (the Latin letter or digit a spoof imitates),
    else its lowest code point, so that every member maps to one value."""
    data = json.loads((files("confusable_homoglyphs") / "confusables.json").read_text(encoding="utf-8"))
    parent: dict[str, str] = {}

    def root(char: str) -> str:
        while parent.setdefault(char, char) != char:
            parent[char] = parent[parent[char]]
            char = parent[char]
        return char

    for char, homoglyphs in data.items():
        for glyph in homoglyphs:
            if len(char) == 1 and len(glyph["c"]) == 1:
                parent[root(glyph["c"])] = root(char)
    members: dict[str, list[str]] = {}
    for char in parent:
        members.setdefault(root(char), []).append(char)
    prototypes = {}
    for group in members.values():
        prototype = min(group, key=lambda member: (not member.isascii(), ord(member)))
        prototypes.update((member, prototype) for member in group)
    return prototypes


def username_skeleton(username: str) -> str:
    """The confusable skeleton of a username, compared case-insensitively: two
    usernames with one skeleton look alike to a reader."""
    prototypes = _prototypes()

    def mapped(text: str) -> str:
        return "".join(prototypes.get(char, char) for char in text)

    return mapped(mapped(normalise_username(username)).casefold())

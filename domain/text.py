"""Text fields are text (SPEC 12): names, addresses, job, lead and custom field
names refuse control characters and invisible formatting characters.

Refused are the Unicode categories Cc (controls: NUL, BEL, tab, CR, LF...), Cf
(format: the bidi overrides and isolates such as U+202E, zero-width space,
joiner and non-joiner, the BOM), Cs (surrogates), Zl and Zp (line and paragraph
separators). Such a character changes how a name reads, or splits a mail header,
without being seen; none belongs in a name or an address."""

from __future__ import annotations

import unicodedata

from domain.errors import Collected, UserErrorCode

REFUSED_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Zl", "Zp"})


def hidden_character(text: str) -> str | None:
    """The first control or invisible formatting character of `text`, or None."""
    for char in text:
        if unicodedata.category(char) in REFUSED_CATEGORIES:
            return char
    return None


def describe(char: str) -> str:
    """`U+202E (RIGHT-TO-LEFT OVERRIDE)`: a character named the way a reader can look up."""
    name = unicodedata.name(char, "")
    return f"U+{ord(char):04X} ({name})" if name else f"U+{ord(char):04X}"


def check_visible(text: str | None, path: tuple[str, ...], errors: Collected) -> bool:
    """Records INVALID_INPUT at `path` when `text` holds a refused character."""
    char = hidden_character(text) if text else None
    if char is None:
        return True
    errors.add(path, UserErrorCode.INVALID_INPUT, f"Remove the invisible or control character {describe(char)}.")
    return False

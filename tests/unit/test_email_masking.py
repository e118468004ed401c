"""How a mail names an address to the holder of another one (SPEC 12: neither
email-change mail carries the other address in full)."""

from __future__ import annotations

import pytest

from domain.emails import mask_email


@pytest.mark.parametrize(
    ("email", "masked"),
    [
        ("dana.reyes@example.org", "d***@example.org"),
        (" Dana@Example.com ", "D***@Example.com"),
        ("a@example.com", "a***@example.com"),
        ('"odd@local"@example.com', '"***@example.com'),
        ("no-at-sign", "***"),
    ],
)
def test_only_the_first_character_and_the_domain_are_shown(email, masked):
    assert mask_email(email) == masked

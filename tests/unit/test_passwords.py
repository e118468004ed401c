"""Password policy (SPEC section 3) and hashing: pure functions, no database."""

from importlib import resources

import pytest

from conftest import TEST_HASHING
from domain import passwords
from domain.passwords import (
    PRODUCTION_PARAMETERS,
    hash_password,
    needs_rehash,
    password_problem,
    verify_against_dummy,
    verify_password,
)

# Not common, not anybody's name: only the length decides.
NINE = "tR7#vq2Lm"
TEN = NINE + "x"
LONGEST = "aB3$" * 32  # 128 characters
COMMON = "password123"  # line 452 of common_passwords.txt


def test_nine_characters_are_refused():
    assert len(NINE) == 9
    assert password_problem(NINE) is not None


def test_ten_characters_are_accepted():
    assert password_problem(TEN) is None


def test_128_characters_are_accepted():
    assert len(LONGEST) == 128
    assert password_problem(LONGEST) is None


def test_129_characters_are_refused():
    assert password_problem(LONGEST + "z") is not None


def test_length_counts_code_points_after_nfc():
    # "é" typed as "e" + combining acute is one character, not two.
    decomposed = "e\u0301" * 9 + "x"
    assert len(decomposed) == 19
    assert password_problem(decomposed) is None
    assert password_problem("e\u0301" * 9) is not None


def test_the_128th_character_is_not_truncated_away():
    stored = hash_password(LONGEST, TEST_HASHING)
    assert verify_password(stored, LONGEST)
    assert not verify_password(stored, LONGEST[:-1] + "Z")


def test_common_password_is_refused_in_any_case():
    assert COMMON in passwords.common_passwords()
    for variant in (COMMON, COMMON.upper(), "PassWord123"):
        assert password_problem(variant) is not None


def test_password_equal_to_username_is_refused():
    assert password_problem("Bob.Builder77", username="bob.builder77") is not None
    assert password_problem(" bob.builder77 ", username="Bob.Builder77") is not None
    assert password_problem("Bob.Builder77", username="someone-else") is None


def test_password_equal_to_an_email_is_refused():
    emails = ["first@example.com", "Second.Address@Example.org"]
    assert password_problem("second.address@example.org", emails=emails) is not None
    assert password_problem("FIRST@EXAMPLE.COM", emails=emails) is not None
    assert password_problem("third@example.net", emails=emails) is None


def test_problem_is_one_sentence_saying_what_to_do():
    message = password_problem(NINE)
    assert message.startswith("Choose") and message.endswith(".")


def test_unicode_password_hashes_and_verifies():
    password = "Grüße aus Köln 🏡"
    assert password_problem(password) is None
    stored = hash_password(password, TEST_HASHING)
    assert verify_password(stored, password)
    assert not verify_password(stored, "Grüsse aus Köln 🏡")


def test_hash_is_argon2id_and_needs_rehash_only_under_other_parameters():
    stored = hash_password(TEN, TEST_HASHING)
    assert stored.startswith("$argon2id$")
    assert not needs_rehash(stored, TEST_HASHING)
    assert needs_rehash(stored, PRODUCTION_PARAMETERS)
    assert needs_rehash("not a hash", TEST_HASHING)


@pytest.mark.parametrize("garbage", ["", "not a hash", "$argon2id$v=19$m=1$broken", "$2b$12$abc"])
def test_verify_password_on_garbage_hash_is_false(garbage):
    assert verify_password(garbage, TEN) is False


def test_dummy_hash_never_verifies_a_login_and_costs_what_a_real_one_does():
    assert verify_against_dummy(TEN, TEST_HASHING) is False
    # Made with the parameters of the accounts' hashes, so an unknown name takes as long.
    assert not needs_rehash(passwords._dummy_hash(TEST_HASHING), TEST_HASHING)


def test_common_password_file_has_3000_unique_lines():
    text = resources.files("domain").joinpath("common_passwords.txt").read_text(encoding="utf-8")
    lines = text.splitlines()
    assert len(lines) == 3000
    assert all(line for line in lines)
    assert len(set(lines)) == 3000
    assert all(line == line.lower() for line in lines)

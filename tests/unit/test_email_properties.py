"""Properties of the email rules (SPEC 2.2; SECURITY-CASES 38), checked by
hypothesis over generated addresses and lists, without a database."""

from __future__ import annotations

from hypothesis import assume, given, settings
from hypothesis import strategies as st

from domain.emails import (
    MAX_ADDITIONAL_EMAILS,
    check_additional_emails,
    check_primary_change,
    email_key,
    is_valid_email,
    normalise_email,
)
from domain.errors import Collected

ALNUM = "abcdefghijklmnopqrstuvwxyz0123456789"
local = st.builds(
    lambda head, middle, tail: head + middle + tail,
    st.text(ALNUM, min_size=1, max_size=6), st.sampled_from(["", ".", "+", "-", "_"]), st.text(ALNUM, max_size=6),
).filter(lambda s: s[-1] in ALNUM)
domain_ = st.builds(lambda name, tld: f"{name}.{tld}", st.text(ALNUM, min_size=1, max_size=8),
                    st.sampled_from(["com", "org", "net", "example.com"]))
valid_emails = st.builds(lambda l, d: f"{l}@{d}", local, domain_)
spacing = st.text(alphabet=" \t", max_size=3)
case_changes = st.sampled_from([str.lower, str.upper, str.title, lambda s: s])


def codes(errors: Collected) -> list[str]:
    return [v.code for v in errors.violations]


@given(st.text(max_size=80))
def test_validity_check_never_raises(text):
    assert is_valid_email(text) in (True, False)


@given(valid_emails)
def test_generated_addresses_are_valid(email):
    assert is_valid_email(email)


@given(valid_emails, spacing, spacing, case_changes)
def test_keys_ignore_case_and_surrounding_spaces(email, before, after, change):
    assert email_key(before + change(email) + after) == email_key(email)
    assert email_key(email_key(email)) == email_key(email)


@given(valid_emails, st.lists(st.tuples(valid_emails, spacing, case_changes), max_size=MAX_ADDITIONAL_EMAILS))
def test_a_cleaned_list_never_holds_an_address_twice_nor_the_primary(primary, variants):
    additional = [space + change(email) for email, space, change in variants]
    errors = Collected()
    cleaned = check_additional_emails(primary, additional, errors)
    keys = [email_key(e) for e in cleaned]
    assert len(keys) == len(set(keys))
    assert email_key(primary) not in keys
    assert len(cleaned) <= MAX_ADDITIONAL_EMAILS
    # Every dropped entry is reported, and only as a duplicate.
    assert len(cleaned) + len(errors.violations) == len(additional)
    assert set(codes(errors)) <= {"DUPLICATE_EMAIL"}
    # The first occurrence of each address is kept, normalised, in order.
    expected, seen = [], {email_key(primary)}
    for entry in additional:
        if email_key(entry) not in seen:
            expected.append(normalise_email(entry))
            seen.add(email_key(entry))
    assert cleaned == expected


@given(valid_emails, st.lists(valid_emails, min_size=MAX_ADDITIONAL_EMAILS + 1, max_size=12))
def test_more_than_five_additional_emails_are_refused(primary, additional):
    errors = Collected()
    assert check_additional_emails(primary, additional, errors) == []
    assert codes(errors) == ["EMAIL_LIMIT_EXCEEDED"]


@given(st.lists(valid_emails, min_size=1, max_size=5), st.sampled_from([None, "", "   "]))
def test_additional_emails_need_a_primary(additional, primary):
    errors = Collected()
    assert check_additional_emails(primary, additional, errors) == []
    assert codes(errors) == ["PRIMARY_EMAIL_REQUIRED"] or (primary == "   " and codes(errors))


@given(valid_emails, st.text(max_size=30).filter(lambda s: "@" not in s))
def test_an_invalid_additional_email_is_reported_at_its_index(primary, junk):
    assume(not is_valid_email(junk))
    errors = Collected()
    cleaned = check_additional_emails(primary, ["ok@example.com", junk], errors)
    assert cleaned == ["ok@example.com"] or email_key(primary) == "ok@example.com"
    assert ("additional_emails", "1") in [v.field for v in errors.violations]
    assert "INVALID_EMAIL" in codes(errors)


@given(st.lists(valid_emails, min_size=1, max_size=5), st.sampled_from(["INACTIVE", "PENDING", "ACTIVE"]))
def test_the_primary_cannot_be_cleared_while_additional_emails_exist(additional, status):
    errors = Collected()
    assert check_primary_change(None, additional, status, errors) is None
    assert codes(errors) == ["PRIMARY_EMAIL_REQUIRED"]


@given(st.sampled_from(["PENDING", "ACTIVE"]))
def test_an_invited_or_active_owner_keeps_a_primary(status):
    errors = Collected()
    check_primary_change("  ", [], status, errors)
    assert codes(errors) == ["PRIMARY_EMAIL_REQUIRED"]


@settings(max_examples=60)
@given(st.lists(valid_emails, min_size=1, max_size=5), st.data())
def test_a_new_primary_equal_to_an_additional_email_is_a_duplicate(additional, data):
    chosen = data.draw(st.sampled_from(additional))
    change = data.draw(case_changes)
    errors = Collected()
    assert check_primary_change(f" {change(chosen)} ", additional, "INACTIVE", errors) is None
    assert codes(errors) == ["DUPLICATE_EMAIL"]


@given(valid_emails, st.lists(valid_emails, max_size=5), spacing)
def test_a_valid_new_primary_is_returned_trimmed(primary, additional, space):
    assume(email_key(primary) not in {email_key(a) for a in additional})
    errors = Collected()
    assert check_primary_change(space + primary + space, additional, "ACTIVE", errors) == primary
    assert errors.violations == []

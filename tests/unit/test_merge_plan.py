"""The merge plan (SPEC section 4), as a pure function: no database, no GraphQL."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from domain.merge_plan import (
    ACTIVE,
    EMAIL_LIMIT_EXCEEDED,
    INACTIVE,
    INFO_FIELDS,
    INVALID_INPUT,
    MERGE_CONFLICT,
    PENDING,
    ContactSnapshot,
    MergeError,
    plan_merge,
)


def contact(
    id: int,
    status: str = INACTIVE,
    primary: str | None = None,
    additional: tuple[str, ...] = (),
    info: dict[str, str | None] | None = None,
    custom: dict[int, str] | None = None,
) -> ContactSnapshot:
    return ContactSnapshot(
        id=id,
        status=status,
        primary_email=primary,
        additional_emails=tuple(additional),
        info=info or {},
        custom_values=custom or {},
    )


def codes(plan) -> list[tuple[tuple[str, ...], str]]:
    return [(e.field, e.code) for e in plan.errors]


def key(email: str) -> str:
    return email.strip().lower()


# --- the contacts: 2 to 10, survivor not among merged, no id twice ---------------


def test_two_contacts_merge_without_errors():
    plan = plan_merge(contact(1, primary="a@x.com"), [contact(2, primary="b@x.com")])

    assert plan.errors == ()
    assert plan.survivor_id == 1
    assert plan.merged_ids == (2,)


def test_survivor_listed_among_merged_is_invalid_input():
    survivor = contact(1, primary="a@x.com")

    plan = plan_merge(survivor, [contact(2), survivor])

    assert codes(plan) == [(("merged_ids",), INVALID_INPUT)]
    assert plan.merged_ids == (2,)
    assert "survivor" in plan.errors[0].message


def test_contact_listed_twice_is_invalid_input():
    plan = plan_merge(contact(1), [contact(2), contact(3), contact(2)])

    assert codes(plan) == [(("merged_ids",), INVALID_INPUT)]
    assert plan.merged_ids == (2, 3)
    assert "once" in plan.errors[0].message


def test_one_contact_alone_is_invalid_input():
    plan = plan_merge(contact(1), [])

    assert codes(plan) == [(("merged_ids",), INVALID_INPUT)]
    assert "at least 2" in plan.errors[0].message


def test_ten_contacts_are_allowed():
    plan = plan_merge(contact(1), [contact(i) for i in range(2, 11)])

    assert plan.errors == ()
    assert len(plan.merged_ids) == 9


def test_eleven_contacts_are_invalid_input():
    plan = plan_merge(contact(1), [contact(i) for i in range(2, 12)])

    assert codes(plan) == [(("merged_ids",), INVALID_INPUT)]
    assert "11" in plan.errors[0].message
    assert "at most 10" in plan.errors[0].message


# --- activation: at most one ACTIVE, and it must be the survivor ----------------


def test_two_active_owners_conflict():
    plan = plan_merge(
        contact(1, ACTIVE, "a@x.com"), [contact(2, ACTIVE, "b@x.com"), contact(3)]
    )

    assert codes(plan) == [(("merged_ids",), MERGE_CONFLICT)]
    assert "Deactivate" in plan.errors[0].message


def test_active_owner_that_is_not_the_survivor_conflicts():
    plan = plan_merge(contact(1, INACTIVE, "a@x.com"), [contact(2, ACTIVE, "b@x.com")])

    assert codes(plan) == [(("survivor_id",), MERGE_CONFLICT)]
    assert "survivor" in plan.errors[0].message


@pytest.mark.parametrize("status", [INACTIVE, PENDING])
def test_active_survivor_may_absorb_inactive_and_pending_contacts(status):
    plan = plan_merge(contact(1, ACTIVE, "a@x.com"), [contact(2, status, "b@x.com")])

    assert plan.errors == ()


def test_invites_of_pending_merged_contacts_are_cancelled():
    plan = plan_merge(
        contact(1, PENDING, "a@x.com"),
        [
            contact(2, PENDING, "b@x.com"),
            contact(3, INACTIVE, "c@x.com"),
            contact(4, PENDING, "d@x.com"),
        ],
    )

    # The survivor's own invite is not the merge's business.
    assert plan.cancelled_invite_ids == (2, 4)


# --- emails ---------------------------------------------------------------------


def test_survivor_keeps_its_primary_and_others_become_additional_in_order():
    plan = plan_merge(
        contact(1, primary="a@x.com", additional=("a2@x.com",)),
        [
            contact(2, primary="b@x.com", additional=("b2@x.com",)),
            contact(3, primary="c@x.com"),
        ],
    )

    assert plan.primary_email == "a@x.com"
    assert plan.additional_emails == ("a2@x.com", "b@x.com", "b2@x.com", "c@x.com")
    assert plan.candidate_emails == plan.additional_emails


def test_emails_are_deduplicated_case_insensitively_keeping_first_spelling():
    plan = plan_merge(
        contact(1, primary="Ann@X.com", additional=("Bob@x.com",)),
        [contact(2, primary=" ann@x.COM ", additional=("BOB@X.COM", "cy@x.com"))],
    )

    assert plan.primary_email == "Ann@X.com"
    assert plan.additional_emails == ("Bob@x.com", "cy@x.com")


def test_inactive_survivor_without_primary_takes_first_merged_primary():
    plan = plan_merge(
        contact(1, INACTIVE, primary=None),
        [
            contact(2, primary=None, additional=()),
            contact(3, primary="c@x.com", additional=("c2@x.com",)),
            contact(4, primary="d@x.com"),
        ],
    )

    assert plan.primary_email == "c@x.com"
    assert plan.additional_emails == ("c2@x.com", "d@x.com")


@pytest.mark.parametrize("status", [PENDING, ACTIVE])
def test_pending_or_active_survivor_keeps_its_primary(status):
    plan = plan_merge(contact(1, status, "a@x.com"), [contact(2, primary="b@x.com")])

    assert plan.primary_email == "a@x.com"
    assert plan.additional_emails == ("b@x.com",)


@pytest.mark.parametrize("status", [PENDING, ACTIVE])
def test_locked_survivor_never_takes_a_primary_from_a_merged_contact(status):
    # Cannot happen in a consistent database (SPEC 2.2), but the rule still holds:
    # a locked survivor's contact info, primary email included, does not change.
    plan = plan_merge(contact(1, status, primary=None), [contact(2, primary="b@x.com")])

    assert plan.primary_email is None
    assert plan.additional_emails == ("b@x.com",)


def test_more_than_five_candidates_without_a_choice_is_refused():
    plan = plan_merge(
        contact(1, primary="a@x.com", additional=("a1@x.com", "a2@x.com")),
        [contact(2, primary="b@x.com", additional=("b1@x.com", "b2@x.com", "b3@x.com"))],
    )

    assert codes(plan) == [(("additional_emails",), EMAIL_LIMIT_EXCEEDED)]
    assert plan.errors[0].message == (
        "These contacts have 6 other emails; a contact keeps at most 5 additional "
        "emails. Choose up to 5 in additionalEmails."
    )
    assert plan.candidate_emails == (
        "a1@x.com", "a2@x.com", "b@x.com", "b1@x.com", "b2@x.com", "b3@x.com",
    )
    # The preview still shows a contact that could exist.
    assert plan.additional_emails == plan.candidate_emails[:5]


def test_exactly_five_candidates_need_no_choice():
    plan = plan_merge(
        contact(1, primary="a@x.com", additional=("a1@x.com", "a2@x.com")),
        [contact(2, primary="b@x.com", additional=("b1@x.com", "b2@x.com"))],
    )

    assert plan.errors == ()
    assert len(plan.additional_emails) == 5


SIX_CANDIDATES = (
    contact(1, primary="a@x.com", additional=("a1@x.com", "a2@x.com")),
    [contact(2, primary="b@x.com", additional=("b1@x.com", "b2@x.com", "b3@x.com"))],
)


def test_a_choice_of_five_candidates_resolves_the_limit_in_the_callers_order():
    survivor, merged = SIX_CANDIDATES

    plan = plan_merge(
        survivor, merged, ["B3@x.com", "a1@x.com", "b@x.com", "b1@x.com", "a2@x.com"]
    )

    assert plan.errors == ()
    # The caller's order, the stored spelling.
    assert plan.additional_emails == (
        "b3@x.com", "a1@x.com", "b@x.com", "b1@x.com", "a2@x.com",
    )
    assert len(plan.candidate_emails) == 6


def test_a_choice_may_drop_emails_even_under_the_limit():
    plan = plan_merge(
        contact(1, primary="a@x.com", additional=("a1@x.com",)),
        [contact(2, primary="b@x.com")],
        [],
    )

    assert plan.errors == ()
    assert plan.additional_emails == ()
    assert plan.candidate_emails == ("a1@x.com", "b@x.com")


def test_a_choice_of_six_is_refused():
    survivor, merged = SIX_CANDIDATES

    plan = plan_merge(
        survivor,
        merged,
        ["a1@x.com", "a2@x.com", "b@x.com", "b1@x.com", "b2@x.com", "b3@x.com"],
    )

    assert codes(plan) == [(("additional_emails",), EMAIL_LIMIT_EXCEEDED)]
    assert "6" in plan.errors[0].message
    assert len(plan.additional_emails) == 5


def test_a_chosen_email_that_is_not_a_candidate_is_invalid_input():
    survivor, merged = SIX_CANDIDATES

    plan = plan_merge(survivor, merged, ["a1@x.com", "stranger@x.com"])

    assert codes(plan) == [(("additional_emails",), INVALID_INPUT)]
    assert "stranger@x.com" in plan.errors[0].message
    assert plan.additional_emails == ("a1@x.com",)


def test_choosing_the_primary_as_additional_is_invalid_input():
    plan = plan_merge(
        contact(1, primary="a@x.com"), [contact(2, primary="b@x.com")], ["A@x.com"]
    )

    assert codes(plan) == [(("additional_emails",), INVALID_INPUT)]
    assert "primary" in plan.errors[0].message


def test_an_email_chosen_twice_is_invalid_input():
    survivor, merged = SIX_CANDIDATES

    plan = plan_merge(survivor, merged, ["a1@x.com", "A1@X.com "])

    assert codes(plan) == [(("additional_emails",), INVALID_INPUT)]
    assert "once" in plan.errors[0].message
    assert plan.additional_emails == ("a1@x.com",)


# --- contact info: filled only when the survivor is INACTIVE ---------------------


def test_inactive_survivor_info_blanks_are_filled_in_order():
    plan = plan_merge(
        contact(1, INACTIVE, info={"first_name": "Ann", "last_name": None, "phone": " "}),
        [
            contact(2, info={"first_name": "Anne", "phone": "555-0002"}),
            contact(3, info={"last_name": "Lee", "phone": "555-0003", "city": "Bath"}),
        ],
    )

    assert plan.info["first_name"] == "Ann"
    assert plan.info["last_name"] == "Lee"
    assert plan.info["phone"] == "555-0002"
    assert plan.info["city"] == "Bath"
    assert plan.info["street"] is None
    assert set(INFO_FIELDS) <= set(plan.info)


@pytest.mark.parametrize("status", [PENDING, ACTIVE])
def test_pending_or_active_survivor_info_is_locked(status):
    survivor_info = {"first_name": "Ann", "last_name": None, "phone": ""}

    plan = plan_merge(
        contact(1, status, "a@x.com", info=survivor_info),
        [contact(2, info={"last_name": "Lee", "phone": "555-0002", "city": "Bath"})],
    )

    assert plan.info["first_name"] == "Ann"
    assert plan.info["last_name"] is None
    assert plan.info["phone"] == ""
    assert plan.info["city"] is None


# --- custom fields: filled at any status ------------------------------------------


@pytest.mark.parametrize("status", [INACTIVE, PENDING, ACTIVE])
def test_custom_field_blanks_are_filled_in_order_at_any_status(status):
    plan = plan_merge(
        contact(1, status, "a@x.com", custom={10: "gold", 11: " "}),
        [
            contact(2, custom={10: "silver", 11: "", 12: "2026-03-01"}),
            contact(3, custom={11: "42", 12: "2020-01-01", 13: "true"}),
        ],
    )

    assert plan.custom_values == {10: "gold", 11: "42", 12: "2026-03-01", 13: "true"}


# --- best-effort preview alongside errors -----------------------------------------


def test_a_refused_plan_still_carries_the_preview():
    plan = plan_merge(
        contact(1, INACTIVE, None, info={"first_name": None}, custom={}),
        [contact(2, ACTIVE, "b@x.com", info={"first_name": "Bo"}, custom={1: "v"})],
    )

    assert codes(plan) == [(("survivor_id",), MERGE_CONFLICT)]
    assert plan.primary_email == "b@x.com"
    assert plan.info["first_name"] == "Bo"
    assert plan.custom_values == {1: "v"}


def test_several_errors_are_reported_together():
    survivor = contact(1, ACTIVE, "a@x.com")

    plan = plan_merge(survivor, [contact(2, ACTIVE, "b@x.com"), survivor], ["zz@x.com"])

    assert sorted(codes(plan)) == sorted(
        [
            (("merged_ids",), INVALID_INPUT),
            (("merged_ids",), MERGE_CONFLICT),
            (("additional_emails",), INVALID_INPUT),
        ]
    )
    assert all(isinstance(e, MergeError) and e.message.endswith(".") for e in plan.errors)


def test_unknown_status_is_a_programming_error():
    with pytest.raises(ValueError):
        contact(1, "DELETED")


# --- properties over random valid inputs -------------------------------------------

# A small pool with case and whitespace variants, so that collisions are frequent.
_LOCALS = ["ann", "bob", "cy", "dee", "eve", "fay", "gus", "hal"]
_DOMAINS = ["x.com", "y.org"]
emails = st.sampled_from(
    [
        pad + (email.upper() if upper else email)
        for email in (f"{local}@{domain}" for local in _LOCALS for domain in _DOMAINS)
        for upper in (False, True)
        for pad in ("", " ")
    ]
)
blank_or_text = st.sampled_from([None, "", "  ", "Ann", "Lee", "555-0100"])
custom_value = st.sampled_from(["", " ", "42", "gold", "true"])


def _distinct_by_key(values: list[str]) -> tuple[str, ...]:
    seen, out = set(), []
    for v in values:
        if key(v) not in seen:
            seen.add(key(v))
            out.append(v)
    return tuple(out)


@st.composite
def contact_snapshots(draw, id: int, status: str) -> ContactSnapshot:
    # SPEC 2.2 invariants: a pending or active contact has a primary email; additional
    # emails exist only with a primary; at most 5 of them; no email twice.
    must_have_primary = status != INACTIVE
    primary = draw(emails) if must_have_primary or draw(st.booleans()) else None
    additional: tuple[str, ...] = ()
    if primary is not None:
        others = draw(st.lists(emails, max_size=5))
        additional = tuple(
            e for e in _distinct_by_key(others) if key(e) != key(primary)
        )
    info = draw(st.dictionaries(st.sampled_from(INFO_FIELDS), blank_or_text, max_size=4))
    custom = draw(st.dictionaries(st.integers(1, 6), custom_value, max_size=4))
    return ContactSnapshot(id, status, primary, additional, info, custom)


@st.composite
def valid_merges(draw):
    count = draw(st.integers(2, 10))
    ids = draw(st.lists(st.integers(1, 10_000), min_size=count, max_size=count, unique=True))
    survivor_status = draw(st.sampled_from([INACTIVE, PENDING, ACTIVE]))
    survivor = draw(contact_snapshots(ids[0], survivor_status))
    merged = [
        draw(contact_snapshots(i, draw(st.sampled_from([INACTIVE, PENDING]))))
        for i in ids[1:]
    ]
    return survivor, merged


@st.composite
def valid_merges_with_choice(draw):
    survivor, merged = draw(valid_merges())
    candidates = plan_merge(survivor, merged).candidate_emails
    chosen = None
    if draw(st.booleans()):
        picked = draw(st.permutations(candidates))[: draw(st.integers(0, 5))]
        # The caller may spell a chosen email differently.
        chosen = [e.upper() if draw(st.booleans()) else e for e in picked]
    return survivor, merged, chosen


def all_input_emails(survivor, merged) -> list[str]:
    out = []
    for c in (survivor, *merged):
        if c.primary_email is not None:
            out.append(c.primary_email)
        out.extend(c.additional_emails)
    return out


@settings(deadline=None)
@given(valid_merges_with_choice())
def test_no_email_is_lost_unless_the_caller_dropped_it(case):
    survivor, merged, chosen = case

    plan = plan_merge(survivor, merged, chosen)

    kept = {key(e) for e in plan.additional_emails}
    if plan.primary_email is not None:
        kept.add(key(plan.primary_email))
    offered = kept | {key(e) for e in plan.candidate_emails}
    for email in all_input_emails(survivor, merged):
        assert key(email) in offered
        if not plan.errors:
            if chosen is None:
                assert key(email) in kept
            else:
                assert key(email) in kept or key(email) not in {key(c) for c in chosen}
    if chosen is not None and not plan.errors:
        assert [key(e) for e in plan.additional_emails] == [key(c) for c in chosen]


@settings(deadline=None)
@given(valid_merges_with_choice())
def test_no_email_twice_and_at_most_five_additional(case):
    survivor, merged, chosen = case

    plan = plan_merge(survivor, merged, chosen)

    held = list(plan.additional_emails)
    if plan.primary_email is not None:
        held.append(plan.primary_email)
    assert len({key(e) for e in held}) == len(held)
    assert len({key(e) for e in plan.candidate_emails}) == len(plan.candidate_emails)
    assert len(plan.additional_emails) <= 5
    if not plan.errors:
        assert len(plan.candidate_emails) <= 5 or chosen is not None


@settings(deadline=None)
@given(valid_merges_with_choice())
def test_valid_inputs_fail_only_on_the_email_limit(case):
    survivor, merged, chosen = case

    plan = plan_merge(survivor, merged, chosen)

    if chosen is not None or len(plan.candidate_emails) <= 5:
        assert plan.errors == ()
    else:
        assert [e.code for e in plan.errors] == [EMAIL_LIMIT_EXCEEDED]


@settings(deadline=None)
@given(valid_merges_with_choice())
def test_the_survivor_wins_what_it_already_has(case):
    survivor, merged, chosen = case

    plan = plan_merge(survivor, merged, chosen)

    if survivor.primary_email is not None:
        assert plan.primary_email == survivor.primary_email
    for name, value in survivor.info.items():
        if survivor.status != INACTIVE or (value is not None and value.strip()):
            assert plan.info[name] == value
    for field_id, value in survivor.custom_values.items():
        if value.strip():
            assert plan.custom_values[field_id] == value
    assert plan.merged_ids == tuple(c.id for c in merged)
    assert plan.cancelled_invite_ids == tuple(c.id for c in merged if c.status == PENDING)


@settings(deadline=None)
@given(
    st.integers(1, 4).flatmap(
        lambda n: st.tuples(
            contact_snapshots(1, INACTIVE),
            st.lists(
                st.sampled_from([1, 2, 3, 4]).flatmap(
                    lambda i: contact_snapshots(i, ACTIVE if i == 4 else INACTIVE)
                ),
                max_size=12,
            ),
            st.one_of(st.none(), st.lists(emails, max_size=7)),
        )
    )
)
def test_any_input_gets_a_plan_never_an_exception(case):
    survivor, merged, chosen = case

    plan = plan_merge(survivor, merged, chosen)

    assert len(plan.additional_emails) <= 5
    assert survivor.id not in plan.merged_ids
    assert len(set(plan.merged_ids)) == len(plan.merged_ids)

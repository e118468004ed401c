"""The policy over the whole actor x activation status x field group matrix
(SPEC 2's table), called directly, outside GraphQL (SECURITY-CASES 18)."""

from __future__ import annotations

import itertools

import pytest

from domain.activation import ActivationStatus
from domain.errors import TopLevelErrorCode
from permissions.policy import (
    ANONYMOUS,
    Actor,
    ActorKind,
    PolicyContact,
    FieldGroup,
    can_change,
    can_manage_invites,
    read_scope,
    sees_invites,
    sees_leads,
    sees_merge_audit,
    sees_pending_email_change,
    viewer_can,
)

CONTACT_ID = 7
ACTORS = {
    "anonymous": ANONYMOUS,
    "builder admin": Actor(ActorKind.BUILDER, 1, role="ADMIN"),
    "builder staff": Actor(ActorKind.BUILDER, 1, role="STAFF"),
    "the owner": Actor(ActorKind.OWNER, 1, contact_id=CONTACT_ID),
    "another owner": Actor(ActorKind.OWNER, 1, contact_id=CONTACT_ID + 1),
}
STATUSES = tuple(ActivationStatus)

OK = None
LOCKED, FORBIDDEN, SIGN_IN = (
    TopLevelErrorCode.CONTACT_LOCKED, TopLevelErrorCode.FORBIDDEN, TopLevelErrorCode.UNAUTHENTICATED
)
BUILDERS = ("builder admin", "builder staff")
OWNERS = ("the owner", "another owner")

# Expected code for (group, actor) by status INACTIVE, PENDING, ACTIVE.
EXPECTED = {
    FieldGroup.CONTACT_INFO: {
        **dict.fromkeys(BUILDERS, (OK, LOCKED, LOCKED)),
        "the owner": (FORBIDDEN, FORBIDDEN, OK),
        "another owner": (FORBIDDEN,) * 3,
    },
    FieldGroup.ADDITIONAL_EMAILS: {
        **dict.fromkeys(BUILDERS, (OK, OK, OK)),
        "the owner": (FORBIDDEN, FORBIDDEN, OK),
        "another owner": (FORBIDDEN,) * 3,
    },
    FieldGroup.CUSTOM_FIELDS: {
        **dict.fromkeys(BUILDERS, (OK, OK, OK)),
        **dict.fromkeys(OWNERS, (FORBIDDEN,) * 3),
    },
    **{
        group: {
            **dict.fromkeys(BUILDERS, (FORBIDDEN,) * 3),
            "the owner": (FORBIDDEN, FORBIDDEN, OK),
            "another owner": (FORBIDDEN,) * 3,
        }
        for group in (FieldGroup.PROFILE_IMAGE, FieldGroup.NOTIFICATION_PREFERENCES, FieldGroup.CREDENTIALS)
    },
}
for _group in EXPECTED.values():
    _group["anonymous"] = (SIGN_IN,) * 3

MATRIX = [
    (group, actor, status, EXPECTED[group][actor][STATUSES.index(status)])
    for group, actor, status in itertools.product(FieldGroup, ACTORS, STATUSES)
]


def test_the_table_covers_every_group_and_actor():
    assert set(EXPECTED) == set(FieldGroup)
    assert all(set(row) == set(ACTORS) for row in EXPECTED.values())


@pytest.mark.parametrize("group, actor, status, expected", MATRIX, ids=lambda v: getattr(v, "value", str(v)))
def test_policy_matrix(group, actor, status, expected):
    decision = can_change(ACTORS[actor], PolicyContact(CONTACT_ID, status), group)
    assert decision.allowed is (expected is None)
    assert decision.code == expected
    if expected is not None:
        assert decision.message


@pytest.mark.parametrize("status, hint", [(ActivationStatus.PENDING, "Cancel the invite"), (ActivationStatus.ACTIVE, "deactivate the owner")])
def test_a_locked_contact_says_what_to_do(status, hint):
    decision = can_change(ACTORS["builder staff"], PolicyContact(CONTACT_ID, status), FieldGroup.CONTACT_INFO)
    assert hint in decision.message


@pytest.mark.parametrize("actor, status", list(itertools.product(ACTORS, STATUSES)))
def test_invites_are_managed_by_builder_staff_only(actor, status):
    decision = can_manage_invites(ACTORS[actor], PolicyContact(CONTACT_ID, status))
    assert decision.allowed is (actor in BUILDERS)


@pytest.mark.parametrize("actor, status", list(itertools.product(ACTORS, STATUSES)))
def test_viewer_can_answers_from_the_same_policy(actor, status):
    facts = PolicyContact(CONTACT_ID, status)
    can = viewer_can(ACTORS[actor], facts)
    assert can.edit_info is can_change(ACTORS[actor], facts, FieldGroup.CONTACT_INFO).allowed
    assert can.edit_additional_emails is can_change(ACTORS[actor], facts, FieldGroup.ADDITIONAL_EMAILS).allowed
    assert can.edit_custom_fields is can_change(ACTORS[actor], facts, FieldGroup.CUSTOM_FIELDS).allowed
    assert can.set_profile_image is can_change(ACTORS[actor], facts, FieldGroup.PROFILE_IMAGE).allowed
    builder = actor in BUILDERS
    assert can.invite is (builder and status != ActivationStatus.ACTIVE)
    assert can.cancel_invite is (builder and status == ActivationStatus.PENDING)
    assert can.deactivate is (builder and status == ActivationStatus.ACTIVE)
    assert (can.locked_reason is not None) is (builder and status != ActivationStatus.INACTIVE)


@pytest.mark.parametrize("name", ACTORS)
def test_an_owner_reads_their_own_contact_in_full_others_by_name_only_and_never_leads(name):
    actor, scope = ACTORS[name], read_scope(ACTORS[name])
    if name == "anonymous":
        assert scope is None
        return
    by_name_only = {other: scope.by_name_only(other) for other in (CONTACT_ID, CONTACT_ID + 1)}
    if name == "the owner":
        assert by_name_only == {CONTACT_ID: False, CONTACT_ID + 1: True}
    elif name == "another owner":
        assert by_name_only == {CONTACT_ID: True, CONTACT_ID + 1: False}
    else:
        assert by_name_only == {CONTACT_ID: False, CONTACT_ID + 1: False}
    assert scope.leads is sees_leads(actor) is (name in BUILDERS)
    assert scope.owner_visible_fields_only is (name in OWNERS)
    assert scope.builder_account_id == actor.builder_account_id


@pytest.mark.parametrize("name", ACTORS)
def test_an_owner_finds_only_their_own_jobs(name):
    scope = read_scope(ACTORS[name])
    if scope is None:
        return
    if name in OWNERS:
        assert scope.jobs_of == ACTORS[name].contact_id
    else:
        assert scope.jobs_of is None


@pytest.mark.parametrize("actor_name", list(ACTORS))
def test_only_the_owner_sees_their_pending_email_change(actor_name):
    assert sees_pending_email_change(ACTORS[actor_name], CONTACT_ID) is (actor_name == "the owner")


@pytest.mark.parametrize("name", ACTORS)
def test_only_builders_see_the_merge_audit_and_live_invites(name):
    actor = ACTORS[name]
    assert sees_merge_audit(actor) is (name in BUILDERS)
    assert sees_invites(actor) is (name in BUILDERS)

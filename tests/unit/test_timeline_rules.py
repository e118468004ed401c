"""The timeline's pure rules (issue 19): what counts as a change, which entries
an owner reads, a message's delivery state, and who reads a timeline at all."""

from __future__ import annotations

import pytest

from domain.timeline import (
    BUILDER_INTERNAL,
    ActorKind,
    DeliveryState,
    EventKind,
    FieldValueChange,
    MessageKind,
    changes,
    custom_field_events,
    delivery_state,
    owner_visible,
)
from permissions.policy import ANONYMOUS, Actor, ActorKind as ViewerKind, TimelineView, timeline_view
from schema import timeline


def test_only_fields_whose_value_differs_are_changes_and_blanks_read_as_empty():
    before = {"firstName": "Dana", "phone": "", "additionalEmails": ["a@x.org"], "city": None}
    after = {"firstName": "Dana", "phone": None, "additionalEmails": ["a@x.org", "b@x.org"], "city": "Austin"}
    assert changes(before, after) == [
        {"field": "additionalEmails", "old": "a@x.org", "new": "a@x.org, b@x.org"},
        {"field": "city", "old": None, "new": "Austin"},
    ]
    assert changes({}, {"firstName": None, "additionalEmails": []}) == []


def test_custom_field_changes_split_into_what_the_owner_may_read_and_what_they_may_not():
    found = custom_field_events([
        FieldValueChange("Lot", True, None, "12"),
        FieldValueChange("Margin", False, "10", "18.5"),
        FieldValueChange("Style", True, "Craftsman", "Craftsman"),
    ])
    assert found == [
        ([{"field": "Lot", "old": None, "new": "12"}], True),
        ([{"field": "Margin", "old": "10", "new": "18.5"}], False),
    ]
    assert custom_field_events([FieldValueChange("Style", True, "A", "A")]) == []


@pytest.mark.parametrize("kind", list(EventKind))
def test_leads_and_merges_are_the_builders_own_entries(kind):
    internal = kind.name.endswith("_LEAD") or kind.name.startswith("MERGE")
    assert owner_visible(kind) is not internal
    assert (kind in BUILDER_INTERNAL) is internal


@pytest.mark.parametrize(("sent", "gave_up", "last_error", "state"), [
    (False, False, None, DeliveryState.QUEUED),
    (False, False, "421 try later", DeliveryState.RETRYING),
    (False, True, "550 no such mailbox", DeliveryState.FAILED),
    (True, False, None, DeliveryState.SENT),
])
def test_delivery_state_follows_what_the_sender_recorded(sent, gave_up, last_error, state):
    assert delivery_state(sent=sent, gave_up=gave_up, last_error=last_error) is state


@pytest.mark.parametrize(("actor", "contact_id", "view"), [
    (Actor(ViewerKind.BUILDER, 1, role="STAFF"), 7, TimelineView.FULL),
    (Actor(ViewerKind.OWNER, 1, contact_id=7), 7, TimelineView.OWNER),
    (Actor(ViewerKind.OWNER, 1, contact_id=8), 7, TimelineView.NONE),
    (ANONYMOUS, 7, TimelineView.NONE),
])
def test_who_reads_how_much_of_a_timeline(actor, contact_id, view):
    assert timeline_view(actor, contact_id) is view


@pytest.mark.parametrize(("graphql", "domain"), [
    (timeline.TimelineEventKind, EventKind),
    (timeline.TimelineActorKind, ActorKind),
    (timeline.MessageKind, MessageKind),
    (timeline.DeliveryState, DeliveryState),
])
def test_the_api_enums_are_the_domains(graphql, domain):
    assert [member.value for member in graphql] == [member.value for member in domain]

"""The activation state machine (SPEC 2.1) as pure functions."""

from __future__ import annotations

import pytest

from domain import activation
from domain.activation import ActivationStatus
from domain.errors import RuleError, UserErrorCode


def _code(step, *args) -> str:
    with pytest.raises(RuleError) as refused:
        step(*args)
    return refused.value.violations[0].code


def test_send_invite_from_inactive_or_pending():
    assert activation.after_send_invite(ActivationStatus.INACTIVE, "a@example.com") == ActivationStatus.PENDING
    assert activation.after_send_invite(ActivationStatus.PENDING, "a@example.com") == ActivationStatus.PENDING
    assert _code(activation.after_send_invite, ActivationStatus.ACTIVE, "a@example.com") == UserErrorCode.INVALID_STATUS
    assert _code(activation.after_send_invite, ActivationStatus.INACTIVE, None) == UserErrorCode.PRIMARY_EMAIL_REQUIRED


def test_cancel_only_a_pending_invite():
    assert activation.after_cancel_invite(ActivationStatus.PENDING) == ActivationStatus.INACTIVE
    for status in (ActivationStatus.INACTIVE, ActivationStatus.ACTIVE):
        assert _code(activation.after_cancel_invite, status) == UserErrorCode.INVALID_STATUS


def test_accept_only_while_pending():
    assert activation.after_accept_invite(ActivationStatus.PENDING) == ActivationStatus.ACTIVE
    assert activation.after_accept_invite(ActivationStatus.INACTIVE) is None
    assert activation.after_accept_invite(ActivationStatus.ACTIVE) is None


def test_deactivate_only_an_active_owner():
    assert activation.after_deactivate(ActivationStatus.ACTIVE) == ActivationStatus.INACTIVE
    for status in (ActivationStatus.INACTIVE, ActivationStatus.PENDING):
        assert _code(activation.after_deactivate, status) == UserErrorCode.INVALID_STATUS

"""The activation state machine (SPEC 2.1) as pure functions."""

from __future__ import annotations

import pytest

from domain import activation
from domain.errors import RuleError


def _code(step, *args) -> str:
    with pytest.raises(RuleError) as refused:
        step(*args)
    return refused.value.violations[0].code


def test_send_invite_from_inactive_or_pending():
    assert activation.after_send_invite("INACTIVE", "a@example.com") == "PENDING"
    assert activation.after_send_invite("PENDING", "a@example.com") == "PENDING"
    assert _code(activation.after_send_invite, "ACTIVE", "a@example.com") == "INVALID_STATUS"
    assert _code(activation.after_send_invite, "INACTIVE", None) == "PRIMARY_EMAIL_REQUIRED"


def test_cancel_only_a_pending_invite():
    assert activation.after_cancel_invite("PENDING") == "INACTIVE"
    for status in ("INACTIVE", "ACTIVE"):
        assert _code(activation.after_cancel_invite, status) == "INVALID_STATUS"


def test_accept_only_while_pending():
    assert activation.after_accept_invite("PENDING") == "ACTIVE"
    assert activation.after_accept_invite("INACTIVE") is None
    assert activation.after_accept_invite("ACTIVE") is None


def test_deactivate_only_an_active_owner():
    assert activation.after_deactivate("ACTIVE") == "INACTIVE"
    for status in ("INACTIVE", "PENDING"):
        assert _code(activation.after_deactivate, status) == "INVALID_STATUS"

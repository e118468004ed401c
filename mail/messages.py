"""The texts of every email and SMS the product sends (SPEC 3, 6 and 12).

Pure functions from plain values to `(subject, text, html)`. Each message is a
fixed template: there is deliberately no parameter through which a builder could
put a text of their own in front of an owner (SPEC 6). The only builder-entered
values are short labels (the builder's and the job's names); they are put on one
line and cut to `LABEL_MAX` characters, so a label cannot be turned into a letter.
Every interpolated value is escaped in the HTML part.
"""

from __future__ import annotations

import html
from collections.abc import Iterable
from datetime import datetime, timezone
from typing import NamedTuple
from urllib.parse import quote

PRODUCT = "OwnerHub"
LABEL_MAX = 80

# What `job_updated` may say changed: a fixed vocabulary, never free text.
JOB_CHANGES = {
    "name": "its name",
    "address": "its address",
}


class EmailContent(NamedTuple):
    subject: str
    text: str
    html: str


def owner_invite(
    *, app_url: str, builder_name: str, first_name: str | None, token: str, expires_at: datetime
) -> EmailContent:
    builder = _label(builder_name)
    link = _link(app_url, "accept-invite", token)
    expiry = _when(expires_at)
    greeting = _greeting(first_name)
    subject = f"{builder} invited you to {PRODUCT}"
    text = (
        f"{greeting}\n\n"
        f"{builder} invited you to {PRODUCT}, where you can follow your home's jobs "
        f"and keep your contact details up to date.\n\n"
        f"Choose your username and password here:\n{link}\n\n"
        f"This link works once and expires {expiry}. "
        f"If you did not expect this invitation, ignore this email.\n"
    )
    body = (
        f"<p>{_e(greeting)}</p>"
        f"<p>{_e(builder)} invited you to {PRODUCT}, where you can follow your home's jobs "
        f"and keep your contact details up to date.</p>"
        f'<p><a href="{_e(link)}">Choose your username and password</a></p>'
        f"<p>This link works once and expires {_e(expiry)}. "
        f"If you did not expect this invitation, ignore this email.</p>"
    )
    return EmailContent(subject, text, _page(subject, body))


def password_reset(*, app_url: str, token: str, minutes_valid: int) -> EmailContent:
    link = _link(app_url, "reset-password", token)
    subject = f"Reset your {PRODUCT} password"
    text = (
        "Hello,\n\n"
        f"Someone asked to reset the password of your {PRODUCT} account. "
        f"To choose a new password, open this link within {minutes_valid} minutes:\n"
        f"{link}\n\n"
        "The link works once. If you did not ask for this, ignore this email: "
        "your password stays as it is.\n"
    )
    body = (
        "<p>Hello,</p>"
        f"<p>Someone asked to reset the password of your {PRODUCT} account. "
        f"To choose a new password, open this link within {_e(str(minutes_valid))} minutes:</p>"
        f'<p><a href="{_e(link)}">Choose a new password</a></p>'
        "<p>The link works once. If you did not ask for this, ignore this email: "
        "your password stays as it is.</p>"
    )
    return EmailContent(subject, text, _page(subject, body))


def email_change_confirmation(*, app_url: str, token: str, old_email_masked: str, expires_at: datetime) -> EmailContent:
    """To the new address: the link that makes it the primary email. It names the
    current primary only masked: whoever typed this address may not own it."""
    link = _link(app_url, "confirm-email", token)
    expiry = _when(expires_at)
    subject = f"Confirm your new {PRODUCT} email"
    text = (
        "Hello,\n\n"
        f"You asked to make this address the primary email of your {PRODUCT} account, "
        f"in place of {old_email_masked}. The primary email receives your invites, "
        "password resets and account notices.\n\n"
        f"Confirm the change here:\n{link}\n\n"
        f"This link works once and expires {expiry}; until it is used nothing changes. "
        "Confirming signs you out everywhere: sign in again afterwards. "
        "If you did not ask for this, ignore this email.\n"
    )
    body = (
        "<p>Hello,</p>"
        f"<p>You asked to make this address the primary email of your {PRODUCT} account, "
        f"in place of {_e(old_email_masked)}. The primary email receives your invites, "
        "password resets and account notices.</p>"
        f'<p><a href="{_e(link)}">Confirm the change</a></p>'
        f"<p>This link works once and expires {_e(expiry)}; until it is used nothing changes. "
        "Confirming signs you out everywhere: sign in again afterwards. "
        "If you did not ask for this, ignore this email.</p>"
    )
    return EmailContent(subject, text, _page(subject, body))


def email_change_notice(
    *, app_url: str, new_email_masked: str, requested_at: datetime, expires_at: datetime
) -> EmailContent:
    """To the current primary email: what was asked and when, and how to stop it.
    The new address appears only masked."""
    url = _base(app_url)
    asked, expiry = _when(requested_at), _when(expires_at)
    subject = f"Your {PRODUCT} primary email is about to change"
    text = (
        "Hello,\n\n"
        f"Someone signed in to your {PRODUCT} account asked {asked} to make "
        f"{new_email_masked} its primary email, in place of this address. The change happens only "
        f"if it is confirmed from that address before the link sent there expires {expiry}; "
        "until then this address stays your primary email.\n\n"
        "If this was you, there is nothing to do.\n\n"
        "If it was not you, secure your account now:\n"
        f"- sign in at {url}, cancel the pending email change and change your password; or\n"
        "- if you cannot sign in, ask for a password reset for this address: the link comes here, "
        "and a reset signs out every session and cancels the pending change.\n"
        "Then tell your builder.\n"
    )
    body = (
        "<p>Hello,</p>"
        f"<p>Someone signed in to your {PRODUCT} account asked {_e(asked)} to make "
        f"{_e(new_email_masked)} its primary email, in place of this address. The change happens only "
        f"if it is confirmed from that address before the link sent there expires {_e(expiry)}; "
        "until then this address stays your primary email.</p>"
        "<p>If this was you, there is nothing to do.</p>"
        "<p>If it was not you, secure your account now:</p><ul>"
        f'<li><a href="{_e(url)}">sign in</a>, cancel the pending email change and change your password; or</li>'
        "<li>if you cannot sign in, ask for a password reset for this address: the link comes here, "
        "and a reset signs out every session and cancels the pending change.</li></ul>"
        "<p>Then tell your builder.</p>"
    )
    return EmailContent(subject, text, _page(subject, body))


def added_to_job(*, app_url: str, builder_name: str, first_name: str | None, job_name: str) -> EmailContent:
    builder, job = _label(builder_name), _label(job_name)
    url = _base(app_url)
    greeting = _greeting(first_name)
    subject = f"{builder} added you to the job {job}"
    text = (
        f"{greeting}\n\n"
        f'{builder} added you to the job "{job}" in {PRODUCT}.\n\n'
        f"Sign in to see it: {url}\n"
    )
    body = (
        f"<p>{_e(greeting)}</p>"
        f"<p>{_e(builder)} added you to the job &ldquo;{_e(job)}&rdquo; in {PRODUCT}.</p>"
        f'<p><a href="{_e(url)}">Sign in to see it</a></p>'
    )
    return EmailContent(subject, text, _page(subject, body))


def added_to_job_sms(*, app_url: str, builder_name: str, job_name: str) -> str:
    return f'{_label(builder_name)} added you to the job "{_label(job_name)}" in {PRODUCT}: {_base(app_url)}'


def job_updated(
    *,
    app_url: str,
    builder_name: str,
    first_name: str | None,
    job_name: str,
    changed_fields: Iterable[str] = (),
) -> EmailContent:
    builder, job = _label(builder_name), _label(job_name)
    url = _base(app_url)
    greeting = _greeting(first_name)
    changes = _changes(changed_fields)
    subject = f"The job {job} was updated"
    what = f" ({changes} changed)" if changes else ""
    text = (
        f"{greeting}\n\n"
        f'{builder} updated the job "{job}" in {PRODUCT}{what}.\n\n'
        f"Sign in to see it: {url}\n"
    )
    body = (
        f"<p>{_e(greeting)}</p>"
        f"<p>{_e(builder)} updated the job &ldquo;{_e(job)}&rdquo; in {PRODUCT}{_e(what)}.</p>"
        f'<p><a href="{_e(url)}">Sign in to see it</a></p>'
    )
    return EmailContent(subject, text, _page(subject, body))


def job_updated_sms(*, app_url: str, builder_name: str, job_name: str) -> str:
    return f'{_label(builder_name)} updated the job "{_label(job_name)}" in {PRODUCT}: {_base(app_url)}'


def _e(value: str) -> str:
    return html.escape(value, quote=True)


def _label(value: str) -> str:
    """A builder-entered name as it may appear in a message: one line, short."""
    one_line = " ".join(value.split())
    return one_line if len(one_line) <= LABEL_MAX else one_line[: LABEL_MAX - 1] + "…"


def _greeting(first_name: str | None) -> str:
    name = _label(first_name or "")
    return f"Hello {name}," if name else "Hello,"


def _base(app_url: str) -> str:
    return app_url.rstrip("/")


def _link(app_url: str, path: str, token: str) -> str:
    return f"{_base(app_url)}/{path}?token={quote(token, safe='')}"


def _when(moment: datetime) -> str:
    moment = moment.astimezone(timezone.utc)
    return f"on {moment.day} {moment:%B %Y} at {moment:%H:%M} UTC"


def _changes(changed_fields: Iterable[str]) -> str:
    phrases = []
    for changed in changed_fields:
        if changed not in JOB_CHANGES:
            raise ValueError(f"unknown job change {changed!r}; known: {sorted(JOB_CHANGES)}")
        if JOB_CHANGES[changed] not in phrases:
            phrases.append(JOB_CHANGES[changed])
    return " and ".join(phrases)


def _page(title: str, body: str) -> str:
    return (
        '<!DOCTYPE html><html><head><meta charset="utf-8">'
        f"<title>{_e(title)}</title></head><body>{body}</body></html>"
    )

"""`ownerhub seed-demo`: a realistic demo data set (3 builder accounts, about 200
contacts, jobs with several owners, leads, custom fields with values, a few
uninvited duplicates worth merging, and in each account two active owners who can
sign in and two pending owners whose invites wait in the outbox), so that the
builder's and the owner's side can both be tried at once. Deterministic, so two
runs on empty databases give the same data (but for the invite tokens)."""

from __future__ import annotations

import asyncio
import random
from datetime import timedelta

from domain.activation import ActivationStatus
from domain.emails import email_key
from domain.errors import RuleError, UserErrorCode, Violation
from domain.passwords import HashParameters, hash_password
from models import Contact, ContactEmail, Job, JobOwner, Lead, LeadContact, User, utcnow
from repository.accounts import AccountRepository
from repository.custom_fields import CustomFieldRepository
from repository.owner_accounts import OwnerAccountRepository
from repository.uow import UnitOfWork
from services.accounts import create_builder
from services.contacts import load_target
from services.custom_fields import FieldDefinition, define_custom_field
from services.invites import InviteStep, send_invite

DEMO_PASSWORD = "demo-password-2026"
BUILDERS = [
    ("Cedar Ridge Homes", "cedar-admin", "Portland", "OR"),
    ("Blue Harbor Builders", "harbor-admin", "Charleston", "SC"),
    ("Summit Remodeling Co.", "summit-admin", "Boulder", "CO"),
]
# Per account: owners who accepted their invite (usernames `<prefix>-owner1`, ...,
# with DEMO_PASSWORD), and owners invited but not yet accepted.
ACTIVE_OWNERS = 2
PENDING_OWNERS = 2
FIRST_NAMES = [
    "Olivia", "Liam", "Emma", "Noah", "Ava", "Elijah", "Sophia", "James", "Isabella", "Mateo",
    "Mia", "Lucas", "Amelia", "Benjamin", "Harper", "Mason", "Evelyn", "Ethan", "Camila", "Daniel",
    "Priya", "Wei", "Fatima", "Diego", "Aisha", "Kenji", "Nadia", "Omar", "Grace", "Samuel",
]
LAST_NAMES = [
    "Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia", "Miller", "Davis", "Rodriguez",
    "Martinez", "Hernandez", "Lopez", "Gonzalez", "Wilson", "Anderson", "Thomas", "Taylor", "Moore",
    "Jackson", "Martin", "Lee", "Nguyen", "Patel", "Kim", "Chen", "Okafor", "Kowalski", "Rossi",
]
STREETS = ["Maple Ave", "Oak St", "Cedar Ln", "Pine Ct", "Elm Dr", "Birch Rd", "Willow Way", "Aspen Pl"]
JOB_KINDS = ["New Build", "Kitchen Remodel", "Addition", "Basement Finish", "Deck", "Custom Home"]
EMAIL_DOMAINS = ["example.com", "example.org", "example.net"]
CONTACTS_PER_BUILDER = 66
# (name, type, options, visible to owner): what a builder typically tracks.
CUSTOM_FIELDS = [
    ("Budget", "NUMBER", None, False),
    ("Move-in date", "DATE", None, True),
    ("Has pets", "BOOLEAN", None, False),
    ("Cabinet finish", "SELECT", ["Oak", "Walnut", "White shaker"], True),
]


def _address(rng: random.Random, city: str, state: str) -> dict:
    return {
        "street": f"{rng.randint(100, 9999)} {rng.choice(STREETS)}",
        "city": city,
        "state": state,
        "postal_code": f"{rng.randint(10000, 99999)}",
    }


def _custom_value(field_type: str, options: list[str] | None, rng: random.Random) -> str:
    if field_type == "NUMBER":
        return str(rng.randrange(80_000, 900_000, 5_000))
    if field_type == "DATE":
        return f"2027-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
    if field_type == "BOOLEAN":
        return rng.choice(["true", "false"])
    return rng.choice(options)


async def _custom_fields(uow: UnitOfWork, account_id: int, contacts: list[Contact], rng: random.Random) -> None:
    """The fields, and values on about half of the contacts."""
    fields = [
        (await define_custom_field(uow, FieldDefinition(account_id, name, type_, options, visible)), options)
        for name, type_, options, visible in CUSTOM_FIELDS
    ]
    repository = CustomFieldRepository(uow.session, account_id)
    for contact in contacts[: CONTACTS_PER_BUILDER // 2]:
        await repository.set_values(
            contact.id, {field.id: _custom_value(field.type, options, rng) for field, options in fields}
        )


def _email(first: str, last: str, n: int, rng: random.Random) -> str:
    return f"{first.lower()}.{last.lower()}{n}@{rng.choice(EMAIL_DOMAINS)}"


def _display(contact: Contact) -> str:
    return f"{contact.first_name} {contact.last_name} <{contact.primary_email}>"


async def _owners(
    uow: UnitOfWork, account_id: int, admin: str, candidates: list[Contact], hashing: HashParameters,
    *, app_url: str, invite_ttl: timedelta,
) -> list[str]:
    """Active owners (a login with the demo password, as if they had accepted an
    invite) and pending owners (invited through the real use case: the invite email
    is in the outbox, with its link). Lines for the summary."""
    active, pending = candidates[:ACTIVE_OWNERS], candidates[ACTIVE_OWNERS : ACTIVE_OWNERS + PENDING_OWNERS]
    password_hash = await asyncio.to_thread(hash_password, DEMO_PASSWORD, hashing)
    owners = OwnerAccountRepository(uow.session)
    lines = []
    for number, contact in enumerate(active, start=1):
        username = f"{admin.split('-')[0]}-owner{number}"
        contact.activation_status = ActivationStatus.ACTIVE
        await owners.save_credentials(User(
            builder_account_id=account_id, kind="OWNER", contact_id=contact.id, username=username,
            password_hash=password_hash, password_changed_at=utcnow(), is_enabled=True,
        ))
        lines.append(f"  active owner {username!r}: {_display(contact)}")
    await uow.flush()
    for contact in pending:
        target = await load_target(uow, account_id, contact.id)
        await send_invite(uow, target, InviteStep(contact.id, now=utcnow(), ttl=invite_ttl, app_url=app_url))
        lines.append(f"  pending owner (invited): {_display(contact)}")
    return lines


async def seed(uow: UnitOfWork, hashing: HashParameters, *, app_url: str, invite_ttl: timedelta) -> str:
    accounts = AccountRepository(uow.session)
    if await accounts.builder_by_name(BUILDERS[0][0]) is not None:
        raise RuleError(Violation((), UserErrorCode.INVALID_INPUT, "The demo data is there already."))
    rng = random.Random(2026)
    lines = []
    for name, admin, city, state in BUILDERS:
        account = await create_builder(uow, name, admin, DEMO_PASSWORD, hashing)
        contacts: list[Contact] = []
        for n in range(CONTACTS_PER_BUILDER):
            first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
            primary = _email(first, last, n, rng)
            contact = Contact(
                builder_account_id=account.id, first_name=first, last_name=last,
                phone=f"555-01{rng.randint(10, 99)}", cell_phone=f"555-02{rng.randint(10, 99)}",
                primary_email=primary, primary_email_key=email_key(primary), **_address(rng, city, state),
            )
            uow.session.add(contact)
            contacts.append(contact)
        # Uninvited duplicates, as leads often arrive twice (SPEC 2.3 rule 4).
        for original in contacts[:4]:
            twin = Contact(
                builder_account_id=account.id, first_name=original.first_name, last_name=original.last_name,
                primary_email=original.primary_email, primary_email_key=original.primary_email_key,
            )
            uow.session.add(twin)
            contacts.append(twin)
        await uow.session.flush()
        for contact in contacts[: CONTACTS_PER_BUILDER // 2]:
            for position in range(rng.randint(0, 2)):
                extra = f"{contact.first_name.lower()}.alt{position}.{contact.id}@example.com"
                uow.session.add(ContactEmail(contact_id=contact.id, position=position, email=extra, email_key=extra))
        on_jobs: set[int] = set()
        for _ in range(20):
            job = Job(builder_account_id=account.id, name=f"{rng.choice(LAST_NAMES)} {rng.choice(JOB_KINDS)}",
                      **_address(rng, city, state))
            uow.session.add(job)
            await uow.session.flush()
            owners = rng.sample(contacts[:CONTACTS_PER_BUILDER], rng.randint(1, 4))
            on_jobs.update(c.id for c in owners)
            uow.session.add_all(JobOwner(job_id=job.id, contact_id=c.id, position=i) for i, c in enumerate(owners))
        for k in range(8):
            lead = Lead(builder_account_id=account.id, title=f"{rng.choice(JOB_KINDS)} inquiry #{k + 1}")
            uow.session.add(lead)
            await uow.session.flush()
            members = rng.sample(contacts, rng.randint(1, 3))
            uow.session.add_all(LeadContact(lead_id=lead.id, contact_id=c.id, position=i) for i, c in enumerate(members))
        await _custom_fields(uow, account.id, contacts, rng)
        lines.append(
            f"{name}: admin {admin!r}, {len(contacts)} contacts, 20 jobs, 8 leads, {len(CUSTOM_FIELDS)} custom fields"
        )
        # Owners of jobs, so that their profile lists some; never one of the first
        # four, whose uninvited twins share their primary email.
        candidates = [c for c in contacts[4:CONTACTS_PER_BUILDER] if c.id in on_jobs]
        lines += await _owners(uow, account.id, admin, candidates, hashing, app_url=app_url, invite_ttl=invite_ttl)
    await uow.session.flush()
    lines += [
        f"demo password for every admin and active owner: {DEMO_PASSWORD}",
        "Sign in with login(input: {username, password}), as an admin or an active owner.",
        "The pending owners' invites are in the outbox: `ownerhub serve` (or `ownerhub send-outbox`) writes them",
        f"to MAIL_DIR and logs their links ({app_url}/accept-invite?token=...); accept one with acceptInvite.",
    ]
    return "\n".join(lines)

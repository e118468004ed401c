"""Benchmark data: contacts spread over builder accounts, with additional emails,
jobs of 1 to 4 owners and leads, written straight with SQLAlchemy Core in bulk.

Deterministic for a given size (seeded), so the GraphQL server and the baseline
read the same rows, and a data set is generated once and reused (the driver names
it by DATA_VERSION, so a data set of an older generator is never reused). The first
builder account holds half of the contacts: the benchmark's viewer works there.

    python -m bench.generate --contacts 10000 --database-url sqlite+aiosqlite:///var/bench/bench-10k-v2.sqlite3
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import random
import time
from datetime import datetime, timedelta, timezone

from sqlalchemy import func, insert, select, text

from db.engine import create_engine, is_sqlite
from db.migrate import upgrade_to_head
from domain.activation import ActivationStatus
from domain.passwords import PRODUCTION_PARAMETERS, hash_password
from domain.tokens import hash_token
from models import AuthSession, BuilderAccount, Contact, ContactEmail, Job, JobOwner, Lead, LeadContact, User

# Bump whenever the generated rows change: the driver's data set names carry it.
DATA_VERSION = 2
ACCOUNTS = 10
BUILDER_TOKEN = "bench-builder-token"  # bearer tokens of the benchmark's two viewers
OWNER_TOKEN = "bench-owner-token"
PASSWORD = "bench password not for production"
CHUNK = 5_000
STATUSES = [ActivationStatus.INACTIVE] * 7 + [ActivationStatus.PENDING] + [ActivationStatus.ACTIVE] * 2
FIRST = ["Ava", "Ben", "Chloe", "Dan", "Ella", "Finn", "Grace", "Hugo", "Iris", "Jack", "Kara", "Liam",
         "Maya", "Noah", "Olive", "Paul", "Quinn", "Rosa", "Sam", "Tara", "Uma", "Vic", "Wren", "Zoe"]
LAST = ["Adams", "Baker", "Clark", "Diaz", "Evans", "Foster", "Garcia", "Hughes", "Ito", "Jones", "Khan",
        "Lopez", "Miller", "Nguyen", "Ortiz", "Patel", "Reyes", "Smith", "Turner", "Walker", "Young", "Zhang"]
CITIES = ["Springfield", "Riverton", "Fairview", "Madison", "Georgetown", "Salem"]
T0 = datetime(2026, 1, 1, tzinfo=timezone.utc)


def account_of(index: int, contacts: int) -> int:
    """Half of the contacts in account 1, the rest round-robin over the others."""
    return 1 if index < contacts // 2 else 2 + index % (ACCOUNTS - 1)


def profile_image(cid: int) -> dict:
    """Every third contact, the benchmark owner (contact 1) among them, has a profile
    image: its columns only, no files, since the URL is built from the key alone.
    Derived from the id, not drawn, so the rest of the data set stays as it was."""
    if cid % 3 != 1:
        return {"profile_image_key": None, "profile_image_width": None, "profile_image_height": None,
                "profile_image_updated_at": None}
    return {"profile_image_key": hashlib.sha256(f"bench-contact-{cid}".encode()).hexdigest()[:32],
            "profile_image_width": 1024, "profile_image_height": 1024, "profile_image_updated_at": T0}


def contact_rows(n: int, rng: random.Random):
    for i in range(n):
        cid = i + 1
        has_email = rng.random() < 0.9
        status = rng.choice(STATUSES) if has_email else ActivationStatus.INACTIVE
        email = f"owner{cid}@example.com" if has_email else None
        yield {
            "id": cid, "builder_account_id": account_of(i, n),
            "first_name": rng.choice(FIRST), "last_name": rng.choice(LAST) if rng.random() < 0.97 else None,
            "phone": f"555-{rng.randrange(1000):03}-{rng.randrange(10000):04}", "cell_phone": None,
            "street": f"{rng.randrange(1, 999)} Main St" if rng.random() < 0.7 else None,
            "city": rng.choice(CITIES), "state": "IL", "postal_code": f"6{rng.randrange(10000):04}",
            "primary_email": email, "primary_email_key": email, "activation_status": status,
            "sms_opt_in": False, "version": 1, "created_at": T0 + timedelta(seconds=cid),
            "updated_at": T0 + timedelta(seconds=cid), **profile_image(cid),
        }


async def _insert(conn, table, rows) -> int:
    batch, total = [], 0
    for row in rows:
        batch.append(row)
        if len(batch) >= CHUNK:
            await conn.execute(insert(table), batch)
            total += len(batch)
            batch = []
    if batch:
        await conn.execute(insert(table), batch)
        total += len(batch)
    return total


async def generate(url: str, contacts: int, *, seed: int = 7) -> dict[str, int]:
    rng = random.Random(seed)
    engine = create_engine(url)
    counts: dict[str, int] = {}
    try:
        async with engine.begin() as conn:
            if (await conn.execute(select(func.count()).select_from(Contact))).scalar_one():
                raise SystemExit(f"{url} already holds contacts; generate into an empty database")
            await conn.execute(insert(BuilderAccount), [
                {"id": a, "name": f"Bench Builder {a}", "created_at": T0} for a in range(1, ACCOUNTS + 1)
            ])
            counts["contacts"] = await _insert(conn, Contact.__table__, contact_rows(contacts, rng))

            def emails():
                eid = 0
                for cid in range(1, contacts + 1):
                    for position in range(rng.choice((0, 1, 1, 2, 3))):
                        eid += 1
                        address = f"alt{position}.{cid}@example.org"
                        yield {"id": eid, "contact_id": cid, "position": position, "email": address, "email_key": address}

            counts["contact_emails"] = await _insert(conn, ContactEmail.__table__, emails())

            # Jobs: one per four contacts of an account, 1-4 owners from the same account.
            by_account: dict[int, list[int]] = {}
            for i in range(contacts):
                by_account.setdefault(account_of(i, contacts), []).append(i + 1)
            jobs, owners, job_id = [], [], 0
            for account, ids in by_account.items():
                for _ in range(max(1, len(ids) // 4)):
                    job_id += 1
                    jobs.append({"id": job_id, "builder_account_id": account, "name": f"{rng.choice(LAST)} residence {job_id}",
                                 "street": f"{rng.randrange(1, 999)} Oak Ave", "city": rng.choice(CITIES), "state": "IL",
                                 "postal_code": f"6{rng.randrange(10000):04}", "created_at": T0, "updated_at": T0})
                    for position, cid in enumerate(rng.sample(ids, min(len(ids), rng.randint(1, 4)))):
                        owners.append({"job_id": job_id, "contact_id": cid, "position": position})
            counts["jobs"] = await _insert(conn, Job.__table__, jobs)
            counts["job_owners"] = await _insert(conn, JobOwner.__table__, owners)

            leads, lead_contacts, lead_id = [], [], 0
            for account, ids in by_account.items():
                for _ in range(max(1, len(ids) // 10)):
                    lead_id += 1
                    leads.append({"id": lead_id, "builder_account_id": account, "title": f"Lead {lead_id}",
                                  "created_at": T0, "updated_at": T0})
                    for position, cid in enumerate(rng.sample(ids, min(len(ids), rng.randint(1, 3)))):
                        lead_contacts.append({"lead_id": lead_id, "contact_id": cid, "position": position})
            counts["leads"] = await _insert(conn, Lead.__table__, leads)
            counts["lead_contacts"] = await _insert(conn, LeadContact.__table__, lead_contacts)

            # The viewers: an admin per account, and an owner whose contact (ACTIVE,
            # in account 1) is on two jobs with co-owners: the mobile profile's user.
            password_hash = hash_password(PASSWORD, PRODUCTION_PARAMETERS)
            users = [{"id": a, "builder_account_id": a, "kind": "BUILDER", "role": "ADMIN", "contact_id": None,
                      "username": f"bench-admin-{a}", "username_key": f"bench-admin-{a}", "password_hash": password_hash,
                      "is_enabled": True, "created_at": T0, "password_changed_at": T0} for a in range(1, ACCOUNTS + 1)]
            owner_contact = 1
            await conn.execute(Contact.__table__.update().where(Contact.id == owner_contact).values(
                activation_status=ActivationStatus.ACTIVE, primary_email="owner1@example.com", primary_email_key="owner1@example.com"))
            users.append({"id": ACCOUNTS + 1, "builder_account_id": 1, "kind": "OWNER", "role": None,
                          "contact_id": owner_contact, "username": "bench-owner", "username_key": "bench-owner",
                          "password_hash": password_hash, "is_enabled": True, "created_at": T0, "password_changed_at": T0})
            await conn.execute(insert(User), users)
            co_owners = [i for i in by_account[1] if i != owner_contact][:3]
            for n, co_owner in enumerate(co_owners[:2]):
                job_id += 1
                await conn.execute(insert(Job), [{"id": job_id, "builder_account_id": 1, "name": f"Owner's home {n + 1}",
                                                  "street": "1 Elm St", "city": "Salem", "state": "IL", "postal_code": "60001",
                                                  "created_at": T0, "updated_at": T0}])
                await conn.execute(insert(JobOwner), [
                    {"job_id": job_id, "contact_id": owner_contact, "position": 0},
                    {"job_id": job_id, "contact_id": co_owner, "position": 1},
                    {"job_id": job_id, "contact_id": co_owners[2], "position": 2},
                ])
            far = T0 + timedelta(days=3650)
            await conn.execute(insert(AuthSession), [
                {"user_id": 1, "token_hash": hash_token(BUILDER_TOKEN), "created_at": T0, "expires_at": far},
                {"user_id": ACCOUNTS + 1, "token_hash": hash_token(OWNER_TOKEN), "created_at": T0, "expires_at": far},
            ])
            if not is_sqlite(url):
                # Explicit ids above: move the sequences past them so the write mix can insert.
                for table in ("builder_accounts", "users", "contacts", "contact_emails", "jobs", "leads", "auth_sessions"):
                    await conn.execute(text(
                        f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))"))
        async with engine.begin() as conn:
            # Committed, so the planner keeps the statistics (without them SQLite reads
            # a job list by scanning the account's jobs instead of job_owners by contact).
            await conn.execute(text("ANALYZE"))
    finally:
        await engine.dispose()
    return counts


def ensure(url: str, contacts: int) -> bool:
    """Migrates and fills the database unless it already holds the data set; True if generated."""
    upgrade_to_head(url)
    engine = create_engine(url)

    async def existing() -> int:
        try:
            async with engine.connect() as conn:
                return (await conn.execute(select(func.count()).select_from(Contact))).scalar_one()
        finally:
            await engine.dispose()

    found = asyncio.run(existing())
    if found:
        return False
    started = time.monotonic()
    counts = asyncio.run(generate(url, contacts))
    print(f"generated {counts} in {time.monotonic() - started:.0f} s")
    return True


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--contacts", type=int, default=10_000)
    parser.add_argument("--database-url", required=True)
    args = parser.parse_args()
    if not ensure(args.database_url, args.contacts):
        print(f"{args.database_url} already holds a data set")


if __name__ == "__main__":
    main()

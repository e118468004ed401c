"""Peak memory of one server process under two hostile floods (issue 13).

* uploads: owners send, all at once, valid PNGs of a few dozen KB that declare
  5000 x 5000 pixels (the 25-megapixel cap), `--uploads` of them per wave;
* apq: anonymous clients register `--documents` distinct automatic persisted
  queries of about `--document-kb` KB each, then the same number of distinct
  plain queries of the same size, for comparison.

The server is `ownerhub serve` on a fresh SQLite database, started once with the
shipped limits and once with the limits lifted (`--unbounded`, the behaviour
before issue 13). Peak RSS is the kernel's high-water mark (`VmHWM` in
/proc/<pid>/status), read after each flood; RSS before is `VmRSS` at rest.

    python -m bench.memory_floods                 # both floods, shipped limits
    python -m bench.memory_floods --unbounded     # the same with the limits lifted
"""

from __future__ import annotations

import argparse
import asyncio
import io
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import httpx
from PIL import Image

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "a long bench passphrase"
UNBOUNDED = {
    "IMAGE_DECODE_PIXELS": str(10**12), "IMAGE_DECODE_SLOTS": "1000",
    "APQ_MAX_ENTRIES": str(10**9), "APQ_MAX_BYTES": str(10**12), "APQ_MAX_DOCUMENT_BYTES": str(10**9),
}
SET_IMAGE = """mutation($input: SetProfileImageInput!) {
  setProfileImage(input: $input) { contact { id } userErrors { code } } }"""
LOGIN = """mutation($u: String!, $p: String!) { login(input: {username: $u, password: $p}) { token } }"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def memory_kb(pid: int) -> dict[str, int]:
    values = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, rest = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            values[key] = int(rest.split()[0])
    return values


def declaring_png(side: int = 5000) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (side, side), (40, 90, 160)).save(buffer, format="PNG")
    return buffer.getvalue()


def prepare_database(url: str, owners: int) -> list[str]:
    """Migrates a fresh database and writes a builder and `owners` active owners;
    returns the owners' usernames."""
    sys.path.insert(0, str(ROOT))
    from db.migrate import upgrade_to_head
    from domain.activation import ActivationStatus
    from domain.passwords import PRODUCTION_PARAMETERS, hash_password
    from models import Contact, User
    from repository.uow import UnitOfWork
    from server import create_app  # noqa: F401 - models and engine as the server builds them
    from db.engine import create_engine, create_session_factory
    from services.accounts import create_builder

    upgrade_to_head(url)
    names = [f"flood-owner-{n}" for n in range(owners)]

    async def write() -> None:
        engine = create_engine(url)
        factory = create_session_factory(engine)
        async with UnitOfWork(factory) as uow:
            account = await create_builder(uow, "Flood Homes", "flood-admin", PASSWORD, PRODUCTION_PARAMETERS)
            password_hash = hash_password(PASSWORD, PRODUCTION_PARAMETERS)
            for name in names:
                contact = Contact(builder_account_id=account.id, first_name=name, primary_email=f"{name}@example.com",
                                  primary_email_key=f"{name}@example.com", activation_status=ActivationStatus.ACTIVE)
                uow.session.add(contact)
                await uow.session.flush()
                uow.session.add(User(builder_account_id=account.id, kind="OWNER", contact_id=contact.id,
                                     username=name, username_key=name, password_hash=password_hash))
            await uow.commit()
        await engine.dispose()

    asyncio.run(write())
    return names


def start_server(url: str, workdir: Path, extra_env: dict[str, str]) -> tuple[subprocess.Popen, str]:
    port = free_port()
    env = {**os.environ, "DATABASE_URL": url, "MEDIA_DIR": str(workdir / "media"), "MAIL_DIR": str(workdir / "mail"),
           "OUTBOX_WORKER": "external", "ENVIRONMENT": "production", **extra_env}
    log = open(workdir / "server.log", "wb")  # noqa: SIM115 - closed with the process
    process = subprocess.Popen([sys.executable, str(ROOT / "cli.py"), "serve", "--host", "127.0.0.1",
                                "--port", str(port)], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                return process, base
        except httpx.HTTPError:
            time.sleep(0.2)
    process.kill()
    raise RuntimeError("the server did not start: see " + str(workdir / "server.log"))


async def upload_flood(base: str, owners: list[str], png: bytes, waves: int) -> dict[str, int]:
    codes: dict[str, int] = {}
    async with httpx.AsyncClient(base_url=base, timeout=120) as client:
        tokens = []
        for name in owners:
            answer = await client.post("/graphql", json={"query": LOGIN, "variables": {"u": name, "p": PASSWORD}})
            tokens.append(answer.json()["data"]["login"]["token"])

        async def one(token: str) -> None:
            operations = {"query": SET_IMAGE, "variables": {"input": {"image": None}}}
            response = await client.post(
                "/graphql",
                data={"operations": json.dumps(operations), "map": json.dumps({"0": ["variables.input.image"]})},
                files={"0": ("flood.png", png, "image/png")},
                headers={"Authorization": f"Bearer {token}", "Apollo-Require-Preflight": "true"},
            )
            body = response.json()
            errors = (body.get("data") or {}).get("setProfileImage", {}).get("userErrors") or []
            code = errors[0]["code"] if errors else ("OK" if response.status_code == 200 else str(response.status_code))
            codes[code] = codes.get(code, 0) + 1

        for _ in range(waves):
            await asyncio.gather(*(one(token) for token in tokens))
    return codes


async def apq_flood(base: str, documents: int, size_kb: int, persisted: bool) -> None:
    padding = "x" * (size_kb * 1024)
    async with httpx.AsyncClient(base_url=base, timeout=60) as client:
        for _ in range(documents):
            # An anonymous-allowed query made distinct and large by a string literal.
            query = f'query {{ __typename @include(if: true) }} # {uuid.uuid4().hex} {padding}'
            payload: dict = {"query": query}
            if persisted:
                import hashlib

                digest = hashlib.sha256(query.encode()).hexdigest()
                payload["extensions"] = {"persistedQuery": {"version": 1, "sha256Hash": digest}}
            response = await client.post("/graphql", json=payload)
            assert response.status_code < 500, response.text[:200]


def run(args: argparse.Namespace) -> None:
    extra_env = dict(UNBOUNDED) if args.unbounded else {}
    label = "limits lifted" if args.unbounded else "shipped limits"
    png = declaring_png()
    print(f"# {label}: upload of {len(png) // 1024} KB declaring 5000 x 5000, "
          f"{args.uploads} at once x {args.waves} waves; APQ {args.documents} documents of {args.document_kb} KB")
    for flood in args.floods:
        with tempfile.TemporaryDirectory(prefix="ownerhub-flood-") as tmp:
            workdir = Path(tmp)
            url = f"sqlite+aiosqlite:///{workdir / 'flood.sqlite3'}"
            owners = prepare_database(url, args.uploads)
            process, base = start_server(url, workdir, extra_env)
            try:
                time.sleep(1)
                before = memory_kb(process.pid)["VmRSS"]
                if flood == "uploads":
                    codes = asyncio.run(upload_flood(base, owners, png, args.waves))
                    after = memory_kb(process.pid)["VmHWM"]
                    print(f"uploads: RSS at rest {before / 1024:.0f} MB, peak {after / 1024:.0f} MB; answers {codes}")
                else:
                    asyncio.run(apq_flood(base, args.documents, args.document_kb, persisted=False))
                    plain = memory_kb(process.pid)
                    asyncio.run(apq_flood(base, args.documents, args.document_kb, persisted=True))
                    persisted = memory_kb(process.pid)
                    print(f"apq: RSS at rest {before / 1024:.0f} MB; after {args.documents} plain queries "
                          f"{plain['VmRSS'] / 1024:.0f} MB (peak {plain['VmHWM'] / 1024:.0f}); after "
                          f"{args.documents} persisted registrations {persisted['VmRSS'] / 1024:.0f} MB "
                          f"(peak {persisted['VmHWM'] / 1024:.0f})")
            finally:
                process.terminate()
                process.wait(timeout=30)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--floods", nargs="+", choices=["uploads", "apq"], default=["uploads", "apq"])
    parser.add_argument("--uploads", type=int, default=6, help="parallel uploads per wave (one owner each)")
    parser.add_argument("--waves", type=int, default=3)
    parser.add_argument("--documents", type=int, default=150)
    parser.add_argument("--document-kb", type=int, default=1000)
    parser.add_argument("--unbounded", action="store_true", help="lift the limits (the behaviour before issue 13)")
    run(parser.parse_args())


if __name__ == "__main__":
    main()

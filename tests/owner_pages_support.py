"""Helpers for the owner pages' tests: a builder driving a live server over HTTP,
the mailbox the server's own outbox sender writes (`MAIL_DIR/<id>.eml`), images to
upload, and the browser (Debian's Chromium under Playwright)."""

from __future__ import annotations

import asyncio
import email
import io
import os
import shutil
import time
import uuid
from email import policy
from pathlib import Path
from urllib.parse import urlsplit

import httpx

from activation_support import text_of

ROOT = Path(__file__).resolve().parent.parent
SCREENSHOTS = ROOT / "var" / "screenshots"
AXE = ROOT / "tools" / "node" / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync",
]

CREATE_CONTACT = """
mutation($input: CreateContactInput!) { createContact(input: $input) { contact { id } userErrors { code message } } }
"""
SEND_INVITE = "mutation($id: ID!) { sendInvite(input: {contactId: $id}) { userErrors { code message } } }"
CREATE_JOB = "mutation($name: String!) { createJob(input: {name: $name}) { job { id } userErrors { code message } } }"
ADD_JOB_OWNER = """
mutation($job: ID!, $contact: ID!) { addJobOwner(input: {jobId: $job, contactId: $contact}) { userErrors { code message } } }
"""
CONTACT = """
query($id: ID!) { contact(id: $id) { primaryEmail phone cellPhone additionalEmails smsOptIn activationStatus profileImage { width } } }
"""


def chromium_or_fail() -> str:
    # CI installs Debian's chromium (.ci/run); a missing browser fails the test.
    path = CHROMIUM if os.path.exists(CHROMIUM) else shutil.which("chromium")
    assert path, f"Chromium not found at {CHROMIUM}: apt-get install -y chromium"
    return path


def axe_source() -> str:
    assert AXE.is_file(), f"axe-core missing at {AXE}: run tools/setup_node.sh (make assets)"
    return AXE.read_text(encoding="utf-8")


class LiveBuilder:
    """A builder user sending GraphQL to a live server, as their own app would."""

    def __init__(self, url: str, token: str):
        self.url = url
        self.token = token

    async def gql(self, query: str, variables: dict | None = None) -> dict:
        async with httpx.AsyncClient(base_url=self.url, timeout=30) as http:
            response = await http.post(
                "/graphql", json={"query": query, "variables": variables or {}},
                headers={"Authorization": f"Bearer {self.token}"},
            )
        body = response.json()
        assert "errors" not in body, body
        return body["data"]

    async def contact(self, first_name: str, last_name: str, email_address: str | None = None) -> str:
        data = await self.gql(CREATE_CONTACT, {"input": {
            "firstName": first_name, "lastName": last_name, "primaryEmail": email_address,
        }})
        assert data["createContact"]["userErrors"] == []
        return data["createContact"]["contact"]["id"]

    async def invite(self, first_name: str = "Dana", last_name: str = "Reyes") -> tuple[str, str]:
        """A new contact, invited; returns its id and its email address."""
        address = f"{first_name.lower()}-{uuid.uuid4().hex[:8]}@example.com"
        contact_id = await self.contact(first_name, last_name, address)
        data = await self.gql(SEND_INVITE, {"id": contact_id})
        assert data["sendInvite"]["userErrors"] == []
        return contact_id, address

    async def job_with_owners(self, name: str, *contact_ids: str) -> None:
        data = await self.gql(CREATE_JOB, {"name": name})
        job_id = data["createJob"]["job"]["id"]
        for contact_id in contact_ids:
            added = await self.gql(ADD_JOB_OWNER, {"job": job_id, "contact": contact_id})
            assert added["addJobOwner"]["userErrors"] == []

    async def read_contact(self, contact_id: str) -> dict:
        return (await self.gql(CONTACT, {"id": contact_id}))["contact"]


async def emailed_link(mail_dir: Path, to: str, path: str, *, after: dict[str, bytes] | None = None,
                       timeout: float = 60) -> str:
    """The `/<path>?token=` link in an email to `to` that the server's outbox sender
    wrote to `mail_dir`, leaving out the files as `after` (`mail_files`) had them;
    waits for it. (Files are named by outbox row id, and emptied tables may hand an
    id out again, so a file is "new" by its content, not its name.)"""
    after = after or {}
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for file in sorted(mail_dir.glob("*.eml"), key=lambda f: int(f.stem), reverse=True):
            content = file.read_bytes()
            if after.get(file.name) == content:
                continue
            message = email.message_from_bytes(content, policy=policy.default)
            if message["To"] != to:
                continue
            links = [word for word in text_of(message).split() if urlsplit(word).path == f"/{path}"]
            if links:
                return links[0]
        await asyncio.sleep(0.2)
    raise AssertionError(f"no email to {to} with a /{path} link in {mail_dir} within {timeout} s")


def mail_files(mail_dir: Path) -> dict[str, bytes]:
    return {file.name: file.read_bytes() for file in mail_dir.glob("*.eml")}


def photo_png(path: Path) -> Path:
    """A real 640x480 PNG, a gradient with a shape, to upload as a profile picture."""
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (640, 480))
    pixels = image.load()
    for x in range(640):
        for y in range(480):
            pixels[x, y] = (40 + x // 4, 90 + y // 4, 160)
    ImageDraw.Draw(image).ellipse((220, 140, 420, 340), fill=(250, 200, 80))
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    path.write_bytes(buffer.getvalue())
    return path


def screenshot_path(name: str) -> str:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return str(SCREENSHOTS / f"{name}.png")

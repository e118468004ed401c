"""How outbox messages leave the process: SMTP, or local files in development.

A transport delivers one message or raises; it never touches the database. The
sender (`mail/sender.py`) records the outcome and retries failures, and may call
`send` again for a message that was already delivered if the process died between
the send and the mark, so transports should let the receiver recognise a repeat
(the SMTP transport gives every message a Message-ID derived from its row id).
"""

from __future__ import annotations

import asyncio
import email.policy
import email.utils
import json
import logging
import os
import re
import tempfile
import threading
from email.message import EmailMessage
from pathlib import Path
from typing import Protocol

import aiosmtplib

from models import OutboxMessage
from settings import Settings

logger = logging.getLogger("ownerhub.outbox")

# Well below the sender's default lease (60 s), so a hung server cannot keep a
# message claimed past its lease (another sender would then send it too).
SMTP_TIMEOUT_SECONDS = 20
LINK_PATTERN = re.compile(r"https?://[^\s<>\"']+")
SMS_LOG_FILE = "sms.jsonl"


class EmailTransport(Protocol):
    async def send(self, message: OutboxMessage) -> None:
        """Deliver `message` (channel EMAIL: `recipient`, `subject`, `body_text`,
        `body_html`) or raise; any exception means "not delivered, retry later"."""
        ...


class SmsTransport(Protocol):
    """Delivers one SMS; the default backend (`FileSmsTransport`) only writes it down.

    No SMS provider is built in. To plug one in, write a class with
    `async def send(self, message: OutboxMessage) -> None` that:

    - sends `message.body_text` to `message.recipient` (the contact's cell phone as
      the builder entered it: normalise it to E.164 for your provider);
    - returns only once the provider has accepted the message, and raises on any
      failure or non-success answer: the sender then records `last_error` and
      retries with backoff;
    - passes `message.id` as the provider's idempotency key (or client reference)
      when it has one, because after a crash between the send and the mark the
      sender sends the same row again;
    - bounds its HTTP call with a timeout well under the sender's lease;
    - never logs the text or the phone number at INFO level or above.

    Then return it from `transports_from_settings` (or pass it to `OutboxSender`).
    """

    async def send(self, message: OutboxMessage) -> None: ...


def message_id(message: OutboxMessage, mail_from: str) -> str:
    """Deterministic per outbox row, so a receiver can drop the duplicate that a
    crash between "sent" and "marked sent" produces. The right-hand side is the
    sending domain (RFC 5322 3.6.4), so deployments that send as different
    domains never hand a receiver the same id for different mail."""
    domain = email.utils.parseaddr(mail_from)[1].rpartition("@")[2] or "ownerhub.invalid"
    return f"<outbox-{message.id}@{domain}>"


def build_email(message: OutboxMessage, mail_from: str) -> EmailMessage:
    """The MIME message: plain text, plus an HTML alternative when there is one.

    An internationalised address (a non-ASCII local part: the domain is stored in
    its IDNA form) is written as UTF-8 in `To:` (RFC 6532), never as RFC 2047
    encoded words, which are no address at all."""
    mime = EmailMessage(policy=email.policy.default if message.recipient.isascii() else email.policy.SMTPUTF8)
    mime["From"] = mail_from
    mime["To"] = message.recipient
    mime["Subject"] = message.subject or ""
    mime["Date"] = email.utils.format_datetime(message.created_at)
    mime["Message-ID"] = message_id(message, mail_from)
    mime["Auto-Submitted"] = "auto-generated"
    mime.set_content(message.body_text)
    if message.body_html:
        mime.add_alternative(message.body_html, subtype="html")
    return mime


class InternationalAddressRefused(Exception):
    """The relay cannot carry a non-ASCII address (no SMTPUTF8)."""


class SmtpEmailTransport:
    """One SMTP connection per message: simple, and nothing shared between
    concurrently draining senders. Port 465 means implicit TLS unless `use_tls`
    says otherwise; `starttls` asks for STARTTLS on a plain connection."""

    def __init__(
        self,
        host: str,
        port: int,
        username: str | None,
        password: str | None,
        starttls: bool,
        mail_from: str,
        *,
        use_tls: bool | None = None,
        timeout: float = SMTP_TIMEOUT_SECONDS,
    ):
        self.host = host
        self.port = port
        self.username = username or None
        self.password = password or None
        self.use_tls = port == 465 if use_tls is None else use_tls
        self.starttls = starttls and not self.use_tls
        self.mail_from = mail_from
        self.timeout = timeout

    async def send(self, message: OutboxMessage) -> None:
        # aiosmtplib asks for SMTPUTF8 when an address is not ASCII, and refuses
        # to send when the relay does not offer it: the failure says so plainly.
        try:
            await aiosmtplib.send(
                build_email(message, self.mail_from),
                hostname=self.host,
                port=self.port,
                username=self.username,
                password=self.password,
                use_tls=self.use_tls,
                start_tls=self.starttls,
                timeout=self.timeout,
            )
        except aiosmtplib.SMTPNotSupported as error:
            if message.recipient.isascii():
                raise
            raise InternationalAddressRefused(
                f"The mail relay does not offer SMTPUTF8, which the address {message.recipient} needs."
            ) from error


class FileEmailTransport:
    """Development delivery: each email becomes `<MAIL_DIR>/<id>.eml`.

    The file is written atomically (temporary file, fsync, rename), so a reader never
    sees half a message, and a re-send after a crash overwrites the same file.

    One log line names the file and the links in the text, so that somebody running
    the server without SMTP can click the invite or reset link from the console.
    Those links carry the token: this is the one place a token reaches a log,
    because in this mode the log and the local folder *are* the mailbox. Never use
    it where the logs are shipped anywhere: configure `SMTP_HOST` instead.
    """

    def __init__(self, mail_dir: str | os.PathLike[str], mail_from: str = "OwnerHub <no-reply@ownerhub.invalid>"):
        self.mail_dir = Path(mail_dir)
        self.mail_from = mail_from

    async def send(self, message: OutboxMessage) -> None:
        content = build_email(message, self.mail_from).as_bytes()
        path = self.mail_dir / f"{message.id}.eml"
        await asyncio.to_thread(_write_atomically, path, content)
        links = " ".join(LINK_PATTERN.findall(message.body_text)) or "-"
        logger.info("email %s to %s written to %s; links: %s", message.id, message.recipient, path, links)


class FileSmsTransport:
    """The default SMS backend: appends one JSON line per SMS to `<dir>/sms.jsonl`
    and logs it. A re-send after a crash appends the same `id` again."""

    def __init__(self, directory: str | os.PathLike[str]):
        self.path = Path(directory) / SMS_LOG_FILE
        self._lock = threading.Lock()

    async def send(self, message: OutboxMessage) -> None:
        line = json.dumps(
            {
                "id": message.id,
                "to": message.recipient,
                "text": message.body_text,
                "created_at": message.created_at.isoformat(),
            },
            ensure_ascii=False,
        )
        await asyncio.to_thread(self._append, line + "\n")
        logger.info("sms %s to %s written to %s: %s", message.id, message.recipient, self.path, message.body_text)

    def _append(self, line: str) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self._lock, open(self.path, "a", encoding="utf-8") as file:
            file.write(line)
            file.flush()
            os.fsync(file.fileno())


def transports_from_settings(settings: Settings) -> tuple[EmailTransport, SmsTransport]:
    """SMTP when `SMTP_HOST` is set, else files under `MAIL_DIR`. SMS always goes to
    the file backend until a provider is plugged in (see `SmsTransport`)."""
    email_transport: EmailTransport
    if settings.SMTP_HOST:
        email_transport = SmtpEmailTransport(
            settings.SMTP_HOST,
            settings.SMTP_PORT,
            settings.SMTP_USERNAME,
            settings.SMTP_PASSWORD,
            settings.SMTP_STARTTLS,
            settings.MAIL_FROM,
        )
    else:
        if settings.is_production:
            logger.warning(
                "SMTP_HOST is not set: emails are written to %s and their links logged", settings.MAIL_DIR
            )
        email_transport = FileEmailTransport(settings.MAIL_DIR, settings.MAIL_FROM)
    return email_transport, FileSmsTransport(settings.MAIL_DIR)


def _write_atomically(path: Path, content: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(descriptor, "wb") as file:
            file.write(content)
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, path)
    except BaseException:
        try:
            os.unlink(temporary)
        except FileNotFoundError:
            pass
        raise

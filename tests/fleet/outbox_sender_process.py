"""One outbox sender process, as `ownerhub send-outbox --forever` runs it
(`OutboxSender.run_forever` until SIGTERM), with the lease and batch size given
on the command line so that a killed sender's claims come back within a test.

Settings come from the environment (DATABASE_URL, SMTP_HOST, SMTP_PORT, MAIL_FROM).
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import signal
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from db.engine import create_engine, create_session_factory  # noqa: E402
from mail.sender import OutboxSender  # noqa: E402
from mail.transports import transports_from_settings  # noqa: E402
from observability.logging import configure_logging  # noqa: E402
from settings import Settings  # noqa: E402


async def main(lease_seconds: float, batch_size: int) -> None:
    settings = Settings(_env_file=None)
    engine = create_engine(settings.DATABASE_URL)
    sender = OutboxSender(
        create_session_factory(engine), *transports_from_settings(settings),
        batch_size=batch_size, lease_seconds=lease_seconds,
    )
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    try:
        await sender.run_forever(stop, poll_seconds=0.2)
    finally:
        await engine.dispose()


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--lease", type=float, default=60)
    parser.add_argument("--batch-size", type=int, default=50)
    arguments = parser.parse_args()
    configure_logging(logging.INFO)
    asyncio.run(main(arguments.lease, arguments.batch_size))

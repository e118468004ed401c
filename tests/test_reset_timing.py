"""requestPasswordReset does the same work before it answers whether or not the
login names an account (issue 13: 2 ms more for a real account was enough to
enumerate them). The lookup, the token and the mail happen after the answer has
been sent; what happens before is compared statement by statement. (How long
either takes is the benchmark's business, never a timed test.)"""

from __future__ import annotations

import json

from sqlalchemy import select

from activation_support import REQUEST_RESET, fresh_rate_limits  # noqa: F401 - fixtures
from conftest import make_active_owner
from models import OutboxMessage


async def statements_before_the_answer(app, sql_counter, login: str) -> tuple[list[str], bytes]:
    """Calls the app over ASGI; returns the SQL it ran before the last byte of the
    answer was sent, and the answer."""
    body = json.dumps({"query": REQUEST_RESET, "variables": {"login": login}}).encode()
    scope = {
        "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "POST", "scheme": "http",
        "path": "/graphql", "raw_path": b"/graphql", "query_string": b"", "root_path": "",
        "headers": [(b"host", b"testserver"), (b"content-type", b"application/json")],
        "client": ("127.0.0.1", 5000), "server": ("testserver", 80),
    }
    sent: list[bytes] = []
    before: list[str] = []
    messages = [{"type": "http.request", "body": body, "more_body": False}]

    async def receive():
        return messages.pop(0) if messages else {"type": "http.disconnect"}

    async def send(message):
        if message["type"] == "http.response.body":
            sent.append(message.get("body", b""))
            if not message.get("more_body", False):
                before.extend(sql_counter.statements)

    with sql_counter:
        await app(scope, receive, send)
    return before, b"".join(sent)


async def queued_recipients(app) -> list[str]:
    async with app.state.session_factory() as session:
        return list((await session.execute(select(OutboxMessage.recipient))).scalars())


async def test_the_answer_comes_after_the_same_statements_for_a_real_and_an_unknown_login(
    app, client, builder, sql_counter
):
    await make_active_owner(app, client, builder, email="norm@example.com")

    unknown, unknown_answer = await statements_before_the_answer(app, sql_counter, "nobody@example.com")
    assert await queued_recipients(app) == []
    known, known_answer = await statements_before_the_answer(app, sql_counter, "norm@example.com")

    assert known == unknown
    assert known_answer == unknown_answer == b'{"data":{"requestPasswordReset":{"ok":true,"userErrors":[]}}}'
    assert await queued_recipients(app) == ["norm@example.com"], "the mail is queued after the answer"

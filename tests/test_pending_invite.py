"""`Contact.pendingInvite` costs one statement for a whole page of contacts."""

from __future__ import annotations

from activation_support import create_contact, fresh_rate_limits, send_invite  # noqa: F401 - fixtures

LIST = "{ contacts(first: 50) { edges { node { id pendingInvite { sentTo expired } } } } }"


async def _statements_for_page(builder, sql_counter, invited: int) -> int:
    for number in range(invited):
        contact_id = await create_contact(builder, firstName=f"C{number}", primaryEmail=f"c{number}-{invited}@example.com")
        await send_invite(builder, contact_id)
    with sql_counter:
        edges = (await builder.gql(LIST))["data"]["contacts"]["edges"]
    assert sum(1 for e in edges if e["node"]["pendingInvite"]) >= invited
    return sql_counter.count


async def test_pending_invites_of_a_page_load_in_one_batch(builder, sql_counter):
    few = await _statements_for_page(builder, sql_counter, 2)
    many = await _statements_for_page(builder, sql_counter, 12)
    assert few == many

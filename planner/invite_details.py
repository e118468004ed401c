"""`inviteDetails(token:)`, planned: what the accept page shows about an invite
link, read in one statement (repository/contact_relations.live_invite_details),
without using the token up, as services/invites.invite_details decides it: a
token is live while its invite is unused, not revoked, not expired, and its
contact still PENDING and not merged away; anything else is `valid: false`."""

from __future__ import annotations

from graphql import FieldNode

from domain.activation import after_accept_invite
from domain.tokens import hash_token
from planner.shapes import Compiler, Env, isoformat, leaf
from repository.contact_relations import live_invite_details

def _of_live(get):
    """A detail of a live token; null for a dead one."""
    return leaf(lambda found, env: None if found is None else get(found))


DETAILS = {
    "valid": leaf(lambda found, env: found is not None),
    "builderName": _of_live(lambda found: found.builder_name),
    "firstName": _of_live(lambda found: found.first_name),
    "expiresAt": _of_live(lambda found: isoformat(found.expires_at)),
}


def invite_details(compiler: Compiler, nodes: list[FieldNode]):
    shape = compiler.shape("InviteDetails", nodes, DETAILS)
    node = nodes[0]

    async def run(env: Env) -> dict:
        context = env.context
        token = env.arguments("Query", node)["token"]
        async with context.read_connection() as connection:
            # The viewer is looked up as for any other query, though the answer is the same for all.
            await context.resolve_viewer(connection)
            found = await live_invite_details(connection, hash_token(token), context.now())
        if found is not None and after_accept_invite(found.activation_status) is None:
            found = None
        return shape(found, env)

    return run

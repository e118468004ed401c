"""Reading merge audit entries: `Contact.merges`, `ContactMerge.survivor` and
`node(id)` for a merge. Builders only: owners never see merges (they are
reported like missing objects)."""

from __future__ import annotations

from strawberry.types import Info

from domain.ids import record_id
from permissions.policy import ActorKind
from repository.merges import MergeRepository
from resolvers import loaders, nodes


def _is_builder(info: Info) -> bool:
    return info.context.actor.kind is ActorKind.BUILDER


async def contact_merges(root, info: Info) -> list:
    # Imported here: schema.merge_types imports this module (the types' resolvers).
    from schema.merge_types import ContactMerge

    if not _is_builder(info):
        return []
    rows = await loaders.merges_by_survivor(info.context).load(root.id)
    return [ContactMerge.from_model(entry) for entry in rows]


async def survivor(info: Info, contact_id: int):
    return (await nodes.contacts_by_ids(info, [str(contact_id)], required=False))[0]


async def merges_by_ids(info: Info, node_ids: list[str], required: bool) -> list:
    from schema.merge_types import ContactMerge

    # Same id decoding and "missing" answer as every other node type.
    ids = [record_id(node_id) for node_id in node_ids]
    found = {}
    if _is_builder(info):
        async with info.context.session_factory() as session:
            found = await MergeRepository(session, info.context.actor.builder_account_id).audited_merges(
                [i for i in ids if i is not None]
            )
    return [
        ContactMerge.from_model(found[i]) if i in found else nodes.missing_node(required, n)
        for n, i in zip(node_ids, ids)
    ]

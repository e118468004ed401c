"""All SQL about custom field definitions and their values (SPEC 8), scoped to
one builder account. `visible_only` is the owner's scope: fields the builder
marked `visibleToOwner`, and nothing else, exist for them."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from sqlalchemy import Select, delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from domain.read_scope import ReadScope
from models import CustomFieldDefinition, CustomFieldValue
from repository.read_scope import contact_in_full, params, shape_of


class FieldNameTaken(Exception):
    """The account already has a field of that name (the unique index decided)."""


class CustomFieldRepository:
    def __init__(self, session: AsyncSession, builder_account_id: int):
        self.session = session
        self.builder_account_id = builder_account_id

    def _definitions(self, visible_only: bool) -> Select:
        query = select(CustomFieldDefinition).where(
            CustomFieldDefinition.builder_account_id == self.builder_account_id
        )
        if visible_only:
            query = query.where(CustomFieldDefinition.visible_to_owner.is_(True))
        return query.order_by(CustomFieldDefinition.id)

    async def definitions(self, *, visible_only: bool) -> list[CustomFieldDefinition]:
        return list((await self.session.execute(self._definitions(visible_only))).scalars())

    async def definitions_by_id(
        self, field_ids: Sequence[int], *, visible_only: bool
    ) -> dict[int, CustomFieldDefinition]:
        if not field_ids:
            return {}
        query = self._definitions(visible_only).where(CustomFieldDefinition.id.in_(field_ids))
        return {row.id: row for row in (await self.session.execute(query)).scalars()}

    async def add_definition(self, definition: CustomFieldDefinition) -> None:
        definition.builder_account_id = self.builder_account_id
        self.session.add(definition)
        try:
            await self.session.flush()
        except IntegrityError as error:
            raise FieldNameTaken() from error

    async def values_by_contact(
        self, contact_ids: Sequence[int], scope: ReadScope
    ) -> dict[int, list[tuple[CustomFieldDefinition, str]]]:
        """Each contact's set values with their fields, in field order, as the viewer
        of `scope` reads them: none of a contact seen by name only, and for an
        owner only fields marked visibleToOwner."""
        result: dict[int, list[tuple[CustomFieldDefinition, str]]] = defaultdict(list)
        if not contact_ids:
            return result
        query = (
            select(CustomFieldValue.contact_id, CustomFieldDefinition, CustomFieldValue.value)
            .join(CustomFieldDefinition, CustomFieldDefinition.id == CustomFieldValue.field_id)
            .where(
                CustomFieldValue.contact_id.in_(contact_ids),
                CustomFieldDefinition.builder_account_id == self.builder_account_id,
                contact_in_full(shape_of(scope), CustomFieldValue.contact_id),
            )
            .order_by(CustomFieldValue.contact_id, CustomFieldDefinition.id)
        )
        if scope.owner_visible_fields_only:
            query = query.where(CustomFieldDefinition.visible_to_owner.is_(True))
        rows = await self.session.execute(query, params(scope))
        for contact_id, definition, value in rows:
            result[contact_id].append((definition, value))
        return result

    async def set_values(self, contact_id: int, values: dict[int, str | None]) -> dict[int, str]:
        """Writes the given fields of one contact: a string sets, None clears.
        Returns the values they had (for the timeline), read by the DELETE itself."""
        if not values:
            return {}
        removed = await self.session.execute(
            delete(CustomFieldValue).where(
                CustomFieldValue.contact_id == contact_id, CustomFieldValue.field_id.in_(list(values))
            ).returning(CustomFieldValue.field_id, CustomFieldValue.value)
        )
        previous = dict(removed.all())
        self.session.add_all(
            CustomFieldValue(contact_id=contact_id, field_id=field_id, value=value)
            for field_id, value in values.items()
            if value is not None
        )
        await self.session.flush()
        return previous

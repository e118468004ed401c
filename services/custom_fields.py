"""Custom fields (SPEC 8): builder admins define them, builders fill them in on
any contact at any activation status (they are the builder's own notes, not the
owner's identity). Who may call these is decided by permissions/."""

from __future__ import annotations

from collections.abc import Sequence

from domain.custom_fields import InvalidValue, check_definition, clean_value, name_key
from domain.errors import Collected, RuleError, UserErrorCode, Violation
from domain.timeline import EventKind, FieldValueChange, custom_field_events
from models import CustomFieldDefinition
from repository.contacts import ContactRepository
from repository.custom_fields import CustomFieldRepository, FieldNameTaken
from repository.uow import UnitOfWork
from services.contacts import ChangedContact, load_for_change

NAME_TAKEN = "A custom field with this name already exists."


async def define_custom_field(
    uow: UnitOfWork,
    builder_account_id: int,
    *,
    name: str,
    field_type: str,
    options: Sequence[str] | None,
    visible_to_owner: bool,
) -> CustomFieldDefinition:
    errors = Collected()
    clean_name, clean_options = check_definition(name, field_type, options, errors)
    errors.raise_if_any()
    definition = CustomFieldDefinition(
        name=clean_name, name_key=name_key(clean_name), type=field_type,
        options=clean_options, visible_to_owner=visible_to_owner,
    )
    try:
        await CustomFieldRepository(uow.session, builder_account_id).add_definition(definition)
    except FieldNameTaken:
        raise RuleError(Violation(("name",), UserErrorCode.INVALID_INPUT, NAME_TAKEN)) from None
    return definition


async def set_custom_field_values(
    uow: UnitOfWork,
    builder_account_id: int,
    contact_id: int,
    values: Sequence[tuple[int | None, str | None]],
    *,
    expected_version: int | None,
) -> ChangedContact:
    """`values` are (field id, value) pairs; a null or blank value clears the field,
    fields not listed keep their values. All are checked before anything is written."""
    contact = await load_for_change(uow, builder_account_id, contact_id, expected_version)
    fields = CustomFieldRepository(uow.session, builder_account_id)
    known = await fields.definitions_by_id([i for i, _ in values if i is not None], visible_only=False)
    errors = Collected()
    cleaned: dict[int, str | None] = {}
    for index, (field_id, raw) in enumerate(values):
        path = ("values", str(index))
        definition = known.get(field_id)
        if definition is None:
            errors.add((*path, "fieldId"), UserErrorCode.NOT_FOUND, "No custom field with this id.")
        elif field_id in cleaned:
            errors.add((*path, "fieldId"), UserErrorCode.INVALID_INPUT, f'"{definition.name}" is listed twice.')
        elif raw is None or not raw.strip():
            cleaned[field_id] = None
        else:
            try:
                cleaned[field_id] = clean_value(definition.name, definition.type, definition.options, raw)
            except InvalidValue as error:
                cleaned[field_id] = None
                errors.add((*path, "value"), UserErrorCode.INVALID_INPUT, str(error))
    errors.raise_if_any()
    previous = await fields.set_values(contact.id, cleaned)
    ContactRepository(uow.session, builder_account_id).touch(contact)
    await uow.flush()
    # The owner's timeline shows changes of the fields they may read, never the others.
    for found, visible in custom_field_events([
        FieldValueChange(known[i].name, known[i].visible_to_owner, previous.get(i), value)
        for i, value in cleaned.items()
    ]):
        uow.timeline.record(
            builder_account_id, contact.id, EventKind.CUSTOM_FIELDS_SET, changes=found, visible_to_owner=visible
        )
    return ChangedContact(contact)

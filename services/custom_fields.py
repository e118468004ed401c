"""Custom fields (SPEC 8): builder admins define them, builders fill them in on
any contact at any activation status (they are the builder's own notes, not the
owner's identity). Who may call these is decided by permissions/."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from domain.custom_fields import InvalidValue, check_definition, clean_value, name_key
from domain.errors import Collected, RuleError, Violation
from domain.timeline import EventKind, FieldValueChange, custom_field_events
from models import CustomFieldDefinition
from repository.contacts import ContactRepository
from repository.custom_fields import CustomFieldRepository, FieldNameTaken
from repository.uow import UnitOfWork
from services.contacts import ContactChange, EditedContact

NAME_TAKEN = "A custom field with this name already exists."


@dataclass(frozen=True)
class FieldDefinition:
    builder_account_id: int
    name: str
    field_type: str
    options: Sequence[str] | None
    visible_to_owner: bool


async def define_custom_field(uow: UnitOfWork, command: FieldDefinition) -> CustomFieldDefinition:
    builder_account_id, name, field_type, options = (
        command.builder_account_id, command.name, command.field_type, command.options
    )
    visible_to_owner = command.visible_to_owner
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
        raise RuleError(Violation(("name",), "INVALID_INPUT", NAME_TAKEN)) from None
    return definition


@dataclass(frozen=True)
class FieldValues:
    """(field id, value) pairs for one contact; a null or blank value clears the
    field, fields not listed keep their values. A field id None named no field."""

    contact_id: int | None
    values: Sequence[tuple[int | None, str | None]]


async def set_custom_field_values(uow: UnitOfWork, target: EditedContact, command: FieldValues) -> ContactChange:
    """All values are checked before anything is written."""
    contact, values = target.row, command.values
    builder_account_id = contact.builder_account_id
    fields = CustomFieldRepository(uow.session, builder_account_id)
    known = await fields.definitions_by_id([i for i, _ in values if i is not None], visible_only=False)
    errors = Collected()
    cleaned: dict[int, str | None] = {}
    for index, (field_id, raw) in enumerate(values):
        path = ("values", str(index))
        definition = known.get(field_id)
        if definition is None:
            errors.add((*path, "field_id"), "NOT_FOUND", "No custom field with this id.")
        elif field_id in cleaned:
            errors.add((*path, "field_id"), "INVALID_INPUT", f'"{definition.name}" is listed twice.')
        elif raw is None or not raw.strip():
            cleaned[field_id] = None
        else:
            try:
                cleaned[field_id] = clean_value(definition.name, definition.type, definition.options, raw)
            except InvalidValue as error:
                cleaned[field_id] = None
                errors.add((*path, "value"), "INVALID_INPUT", str(error))
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
    return ContactChange(target.row, target.additional_emails)

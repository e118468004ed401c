"""There is no way for a builder to set or reset an owner's credentials (SPEC 3):
the schema is walked, so a field added later cannot slip past this test."""

from __future__ import annotations

import re

from graphql import GraphQLInputObjectType, GraphQLObjectType, GraphQLSchema, get_named_type

from resolvers.root.build import schema

CREDENTIAL = re.compile(r"password|username|token|credential|secret|hash", re.IGNORECASE)
# Every mutation that takes a credential, and whose credentials it sets:
# login and changePassword act on the caller themself; acceptInvite and
# resetPassword act on whoever holds a token that only the owner's mailbox sees;
# confirmEmailChange sets no credential but makes the address that gets the reset
# links, for whoever holds the token mailed to that address (SPEC 12).
CREDENTIAL_MUTATIONS = {"login", "acceptInvite", "resetPassword", "changePassword", "confirmEmailChange"}


def _input_fields(type_, path=(), seen=frozenset()):
    """(path, named type) of every field reachable from an input type."""
    named = get_named_type(type_)
    if isinstance(named, GraphQLInputObjectType) and named.name not in seen:
        for name, field in named.fields.items():
            yield path + (name,), named_type_of(field.type)
            yield from _input_fields(field.type, path + (name,), seen | {named.name})


def named_type_of(type_) -> str:
    return get_named_type(type_).name


def _graphql_schema() -> GraphQLSchema:
    return schema.graphql_schema


def _mutation_arguments():
    mutation = _graphql_schema().mutation_type
    for name, field in mutation.fields.items():
        found = []
        for arg_name, arg in field.args.items():
            found.append(((arg_name,), named_type_of(arg.type)))
            found.extend(((arg_name, *p), t) for p, t in _input_fields(arg.type))
        yield name, found


def test_only_the_self_and_token_mutations_take_credentials():
    carrying = {
        name for name, fields in _mutation_arguments() if any(CREDENTIAL.search(path[-1]) for path, _ in fields)
    }
    assert carrying == CREDENTIAL_MUTATIONS


def test_no_credential_mutation_can_name_another_user_or_contact():
    for name, fields in _mutation_arguments():
        if name in CREDENTIAL_MUTATIONS:
            assert not [path for path, type_name in fields if type_name == "ID" or re.search("id$", path[-1], re.I)], name


def test_change_password_proves_the_current_password():
    fields = dict(_mutation_arguments())["changePassword"]
    assert (("input", "currentPassword"), "String") in fields


def test_no_output_field_exposes_a_hash_or_anothers_token():
    """The only token in any answer is the caller's own new session token."""
    graphql_schema = _graphql_schema()
    exposed = []
    for type_ in graphql_schema.type_map.values():
        is_data = type_ not in (graphql_schema.query_type, graphql_schema.mutation_type)
        if isinstance(type_, GraphQLObjectType) and is_data and not type_.name.startswith("__"):
            exposed += [f"{type_.name}.{name}" for name in type_.fields if CREDENTIAL.search(name)]
    assert sorted(exposed) == ["BuilderUser.username", "OwnerUser.username", "SessionPayload.token"]

"""Names that only a framework uses, for the dead-code test (tests/test_dead_code.py).

Vulture sees a name as used when it appears anywhere it scans, so each line below
marks one name as used. The GraphQL schema's fields and enum values are not listed
here: the test reads them from the built schema. Add a name only when a library
calls it; code that nothing calls is deleted instead.
"""

_ = object()

# Strawberry: the HTTP view's hooks, permission classes, extensions, relay nodes.
_.get_context, _.get_form_data, _.encode_json, _.render_graphql_ide, _.request_adapter_class
_.decode_json, _.parse_http_body
_.has_permission, _.on_operation, _.on_execute, _.on_validate, _.on_parse, _.resolve_nodes
# Strawberry's schema hook for the errors of a result (resolvers/root/build.py logs them).
_.process_errors

# graphql-core: validation rules' visitor methods.
_.enter_fragment_spread, _.enter_field, _.enter_string_value, _.enter_selection_set

# SQLAlchemy: the type decorator's protocol, the registry's annotation map, and a
# column written for the record (when the password last changed) that no query reads.
_.impl, _.cache_ok, _.process_bind_param, _.process_result_value, _.type_annotation_map
_.password_changed_at
# sqlite3's connection attribute, set in db/engine.py.
_.isolation_level

# Alembic: each migration's module attributes and hooks.
_.revision, _.down_revision, _.branch_labels, _.depends_on, _.upgrade, _.downgrade

# pydantic-settings, Pillow's decompression-bomb threshold, functions renamed for
# their tracebacks, and module `__getattr__` (uvicorn's `server:app`).
_.model_config, _.MAX_IMAGE_PIXELS, _.__qualname__, _.__getattr__
# uvicorn's `--factory bench.baseline:create_app_from_env`.
_.create_app_from_env

# Starlette's request.state, read back by name (`state.get("graphql_operation")`).
_.graphql_operation, _.graphql_outcome

# Read by tests only, to watch a cache and the outbox from outside.
_.validation_cache_info, _.backlog_count, _.dead_letter_count
# One round of the outbox sender, driven step by step by the outbox tests.
_.drain_once

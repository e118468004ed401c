"""schema.graphql is the published contract: it must match the code."""

from pathlib import Path

from resolvers.root.build import schema

SCHEMA_FILE = Path(__file__).resolve().parent.parent / "schema.graphql"


def test_schema_graphql_is_up_to_date():
    assert SCHEMA_FILE.read_text(encoding="utf-8") == schema.as_str() + "\n", (
        "schema.graphql is stale: run `ownerhub export-schema` (make schema)"
    )

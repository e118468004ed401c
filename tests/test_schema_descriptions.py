"""The schema documents itself (SPEC 12): every type, field, argument, input
field and enum value in the published `schema.graphql` has a description, and
every custom scalar says where it is specified (`@specifiedBy`). GraphiQL's docs
pane, codegen comments and IDE hovers show these; this lint keeps them at 100%.

It reads the exported SDL with graphql-core's public `build_schema`, so it checks
what clients see; `test_schema_file.py` keeps the file equal to the code."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from graphql import (
    GraphQLEnumType,
    GraphQLInputObjectType,
    GraphQLInterfaceType,
    GraphQLObjectType,
    GraphQLScalarType,
    GraphQLSchema,
    build_schema,
    is_specified_directive,
    is_specified_scalar_type,
)

ROOT = Path(__file__).resolve().parent.parent
SCHEMA_FILE = ROOT / "schema.graphql"
SCHEMA_LINTER = ROOT / "tools/node/node_modules/graphql-schema-linter/lib/cli.js"
DESCRIPTION_RULES = ",".join([
    "types-have-descriptions", "fields-have-descriptions", "arguments-have-descriptions",
    "input-object-values-have-descriptions", "enum-values-have-descriptions",
])


def undocumented(schema: GraphQLSchema) -> list[str]:
    """Every schema element without a description, as `Type.field(arg)` paths;
    custom scalars without `@specifiedBy` too."""
    missing: list[str] = []

    def check(path: str, description: str | None) -> None:
        if not (description and description.strip()):
            missing.append(path)

    for name, type_ in sorted(schema.type_map.items()):
        if name.startswith("__") or is_specified_scalar_type(type_):
            continue
        check(name, type_.description)
        if isinstance(type_, (GraphQLObjectType, GraphQLInterfaceType)):
            for field_name, field in type_.fields.items():
                check(f"{name}.{field_name}", field.description)
                for arg_name, arg in field.args.items():
                    check(f"{name}.{field_name}({arg_name})", arg.description)
        elif isinstance(type_, GraphQLInputObjectType):
            for field_name, field in type_.fields.items():
                check(f"{name}.{field_name}", field.description)
        elif isinstance(type_, GraphQLEnumType):
            for value_name, value in type_.values.items():
                check(f"{name}.{value_name}", value.description)
        elif isinstance(type_, GraphQLScalarType) and not type_.specified_by_url:
            missing.append(f"{name} @specifiedBy")
    for directive in schema.directives:
        if is_specified_directive(directive):
            continue
        check(f"@{directive.name}", directive.description)
        for arg_name, arg in directive.args.items():
            check(f"@{directive.name}({arg_name})", arg.description)
    return missing


def test_every_schema_element_has_a_description():
    missing = undocumented(build_schema(SCHEMA_FILE.read_text(encoding="utf-8")))

    assert missing == [], f"{len(missing)} schema elements lack a description:\n" + "\n".join(missing)


def test_the_lint_finds_what_lacks_a_description():
    schema = build_schema('''
        """Documented."""
        type Query {
          """Documented."""
          a(x: Int): Int
          b: Thing
        }
        type Thing { c: Int }
        """Documented."""
        enum E {
          """Documented."""
          ONE
          TWO
        }
        """Documented."""
        input I { d: Int }
        """Documented."""
        scalar Moment
    ''')

    assert undocumented(schema) == [
        "E.TWO", "I.d", "Moment @specifiedBy", "Query.a(x)", "Query.b", "Thing", "Thing.c",
    ]


def schema_linter(schema_file: Path) -> subprocess.CompletedProcess:
    """graphql-schema-linter (npm, installed by tools/setup_node.sh) with its
    description rules: the lint clients' tooling knows, beside ours above."""
    node = shutil.which("node")
    assert node, "Node.js is needed for the schema lint"
    assert SCHEMA_LINTER.exists(), "graphql-schema-linter is missing: run tools/setup_node.sh (make assets)"
    return subprocess.run(
        [node, str(SCHEMA_LINTER), "--rules", DESCRIPTION_RULES, str(schema_file)],
        capture_output=True, text=True, timeout=60,
    )


def test_graphql_schema_linter_finds_every_description():
    result = schema_linter(SCHEMA_FILE)

    assert result.returncode == 0, result.stdout + result.stderr


def test_graphql_schema_linter_refuses_a_type_without_one(tmp_path):
    sdl = SCHEMA_FILE.read_text(encoding="utf-8")
    query_at = sdl.index("type Query")
    description_end = sdl.rindex('"""', 0, query_at)
    description_start = sdl.rindex('"""', 0, description_end)
    broken = tmp_path / "schema.graphql"
    broken.write_text(sdl[:description_start] + sdl[description_end + 3:], encoding="utf-8")

    result = schema_linter(broken)

    assert result.returncode != 0
    assert "`Query` is missing a description" in result.stdout

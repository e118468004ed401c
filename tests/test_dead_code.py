"""No dead code: vulture, run over the project's own code, finds nothing unused.

What only a framework uses is not dead: the GraphQL schema's fields and enum
values (taken from the built schema, since clients reach them by name) and the
hooks named in tools/vulture_whitelist.py. The confidence is vulture's lowest, 60%,
because that is where it reports unused functions, classes, methods, attributes
and variables; above it only unused imports, arguments and unreachable code show.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

import vulture

from resolvers.root.build import schema

ROOT = Path(__file__).resolve().parent.parent
MIN_CONFIDENCE = 60
# What Typer, SQLAlchemy's event system and pydantic call.
FRAMEWORK_DECORATORS = ["@app.command", "@app.callback", "@event.listens_for", "@field_validator"]


def project_sources() -> list[Path]:
    """The installed modules and packages (pyproject.toml), and the benchmark."""
    setuptools = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]
    modules = [ROOT / f"{name}.py" for name in setuptools["py-modules"]]
    packages = [ROOT / pattern.rstrip("*") for pattern in setuptools["packages"]["find"]["include"]]
    return [*modules, *packages, ROOT / "bench"]


def schema_python_names() -> set[str]:
    """Python names of every field and enum value of the GraphQL schema."""
    names: set[str] = set()
    for concrete in schema.schema_converter.type_map.values():
        definition = concrete.definition
        names.update(field.python_name for field in getattr(definition, "fields", ()))
        names.update(value.name for value in getattr(definition, "values", ()))
    return names


def test_the_schema_names_are_found():
    # Guards the test itself: an empty set would whitelist nothing and fail loudly,
    # a wrong attribute path would silently miss the enums.
    names = schema_python_names()
    assert {"primary_email", "viewer_can", "EMAIL_IN_USE", "PENDING"} <= names


def test_vulture_finds_no_unused_code():
    finder = vulture.Vulture(ignore_decorators=FRAMEWORK_DECORATORS)
    finder.scavenge([*project_sources(), ROOT / "tools" / "vulture_whitelist.py"])
    finder.scan("\n".join(f"_.{name}" for name in sorted(schema_python_names())), filename="schema-names")
    unused = [
        f"{Path(item.filename).relative_to(ROOT)}:{item.first_lineno}: {item.message} ({item.confidence}%)"
        for item in finder.get_unused_code(min_confidence=MIN_CONFIDENCE)
    ]
    assert unused == [], "\n".join(unused)

"""The docs stay true to the code: every setting is described once, in one table
(docs/deploy.md, "Every setting"), with its real default; the README stays short."""

from __future__ import annotations

import json
import re
from pathlib import Path

from settings import Settings

ROOT = Path(__file__).resolve().parent.parent
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
SETTINGS_TABLE = ROOT / "docs" / "deploy.md"
# A table row whose first cell is one setting's name.
SETTING_ROW = re.compile(r"^\| `([A-Z][A-Z0-9_]*)` \| ([^|]*) \|", re.MULTILINE)


def table_rows() -> dict[str, str]:
    """Setting name -> its default cell, from the "Every setting" table."""
    text = SETTINGS_TABLE.read_text(encoding="utf-8")
    section = text.split("### Every setting", 1)[1].split("\n#", 1)[0]
    rows = SETTING_ROW.findall(section)
    names = [name for name, _ in rows]
    assert len(names) == len(set(names)), f"a setting has two rows: {names}"
    return dict(rows)


def documented_default(value: object) -> str:
    if value is None:
        return "unset"
    if value == "":
        return "empty"
    if isinstance(value, bool):
        return f"`{str(value).lower()}`"
    if isinstance(value, list):
        return f"`{json.dumps(value)}`"
    return f"`{value}`"


def test_every_setting_has_a_row_and_every_row_is_a_setting():
    documented = set(table_rows())
    fields = set(Settings.model_fields)
    assert fields - documented == set(), "add a row for each to docs/deploy.md's table, Every setting"
    assert documented - fields == set(), "these rows of docs/deploy.md, Every setting, are no settings"


def test_each_documented_default_is_the_real_one():
    for name, cell in table_rows().items():
        default = Settings.model_fields[name].get_default(call_default_factory=True)
        if default is None and cell.startswith("follows "):
            continue  # None standing for "decided by another setting"
        assert cell.strip() == documented_default(default), name


def test_no_other_table_describes_a_setting():
    for path in DOCS:
        text = path.read_text(encoding="utf-8")
        if path == SETTINGS_TABLE:
            text = text.replace(text.split("### Every setting", 1)[1].split("\n#", 1)[0], "")
        rows = [name for name, _ in SETTING_ROW.findall(text) if name in Settings.model_fields]
        assert rows == [], f"{path.name} describes {rows}: describe a setting only in docs/deploy.md's table"


def test_the_readme_fits_on_a_few_screens():
    assert len((ROOT / "README.md").read_text(encoding="utf-8").splitlines()) <= 150


def test_relative_links_between_the_docs_lead_somewhere():
    link = re.compile(r"\]\(([^)#:]+)(?:#[^)]*)?\)")
    for path in DOCS:
        for target in link.findall(path.read_text(encoding="utf-8")):
            assert (path.parent / target).exists(), f"{path.name} links to {target}, which is not there"

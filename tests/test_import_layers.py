"""The import layers hold: import-linter's contracts in pyproject.toml are kept
(docs/architecture.md draws the layers and says what each contract protects)."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_the_import_contracts_are_kept():
    linter = Path(sys.executable).parent / "lint-imports"
    result = subprocess.run(
        [str(linter), "--no-cache", "--config", "pyproject.toml"],
        cwd=ROOT, capture_output=True, text=True, timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    # Some contracts were read, and all were kept (a missing table would keep none).
    assert re.search(r"Contracts: [1-9]\d* kept, 0 broken", result.stdout), result.stdout


def importlinter_config() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["importlinter"]


def test_every_package_is_in_exactly_one_layer():
    """A package left out of `root_packages` is not analysed at all, and one left
    out of the layers may import anything: the contract names them all."""
    config = importlinter_config()
    installed = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]
    packages = {pattern.rstrip("*") for pattern in installed["packages"]["find"]["include"]}
    assert set(config["root_packages"]) == packages
    (layers,) = [c["layers"] for c in config["contracts"] if c["type"] == "layers"]
    placed = [name.strip() for layer in layers for name in re.split(r"[|:]", layer)]
    assert sorted(placed) == sorted(packages)


def test_an_upward_import_breaks_the_contract(tmp_path):
    """The check can fail: on a copy of the packages where `models` imports
    `services`, import-linter reports the layers contract broken."""
    for package in importlinter_config()["root_packages"]:
        shutil.copytree(ROOT / package, tmp_path / package, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    (tmp_path / "models" / "upwards.py").write_text("import services.contacts\n", encoding="utf-8")
    linter = Path(sys.executable).parent / "lint-imports"
    result = subprocess.run(
        [str(linter), "--no-cache", "--config", "pyproject.toml"],
        cwd=tmp_path, capture_output=True, text=True, timeout=300,
    )
    assert result.returncode != 0, result.stdout
    assert "Layers: each imports only what is below it BROKEN" in result.stdout, result.stdout
    assert "models.upwards -> services.contacts" in result.stdout, result.stdout

"""The import layers hold: import-linter's contracts in pyproject.toml are kept
(docs/architecture.md draws the layers and says what each contract protects)."""

from __future__ import annotations

import re
import subprocess
import sys
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

"""The layering is enforced: pyproject.toml's import-linter contracts hold, and they bite.

The contracts: the domain (catalog/ but catalog/cli) never imports tui, catalog.cli, typer or
textual; tui never imports catalog.cli; catalog's packages sit in layers (see pyproject.toml).
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def _lint(root: Path) -> subprocess.CompletedProcess[str]:
    # lint-imports puts its working directory first on sys.path: it reads the tree at ``root``.
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache", "--no-logo"],
        cwd=root, capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip


def test_the_import_contracts_hold() -> None:
    result = _lint(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Contracts: 3 kept, 0 broken." in result.stdout


@pytest.mark.parametrize(
    ("module", "probe", "broken"),
    [
        # The old probe: the domain reaching for the TUI's columns.
        (
            "catalog/search/engine.py",
            "from tui.columns import COLUMNS",
            "never imports a front end",
        ),
        ("tui/app.py", "from catalog.cli.main import app", "The TUI never imports the CLI"),
        ("catalog/store/engine.py", "from catalog.views import model_detail", "in layers"),
    ],
)
def test_a_forbidden_import_breaks_a_contract(
    tmp_path: Path, module: str, probe: str, broken: str
) -> None:
    for package in ("catalog", "tui"):
        shutil.copytree(
            ROOT / package, tmp_path / package, ignore=shutil.ignore_patterns("__pycache__")
        )
    shutil.copy(ROOT / "pyproject.toml", tmp_path)
    with (tmp_path / module).open("a", encoding="utf-8") as source:
        source.write(f"\n{probe}\n")

    result = _lint(tmp_path)

    assert result.returncode == 1, result.stdout + result.stderr
    assert any(broken in line and " BROKEN" in line for line in result.stdout.splitlines()), (
        result.stdout
    )
    assert module.removesuffix(".py").replace("/", ".") in result.stdout

"""Snapshot tests: `list`, `show llama-2-7b` and `license show llama2` at 100 columns, byte for byte.

Regenerate after an intended change with ``MODELCAT_UPDATE_GOLDEN=1 pytest tests/cli``, then
read the diff before committing it.
"""

from __future__ import annotations

import difflib
import os
import re
from pathlib import Path

import pytest

from tests.cli.conftest import cli

GOLDEN = Path(__file__).parent / "golden"
UPDATE = os.environ.get("MODELCAT_UPDATE_GOLDEN") == "1"

CASES = {
    "list": ["list"],
    "show-llama-2-7b": ["show", "llama-2-7b"],
    "license-show-llama2": ["license", "show", "llama2"],
}


@pytest.mark.usefixtures("fixed_today")
@pytest.mark.parametrize("name", list(CASES))
def test_output_matches_the_golden_file(name: str) -> None:
    result = cli(*CASES[name])
    assert result.exit_code == 0, result.output
    golden = GOLDEN / f"{name}.txt"
    if UPDATE:
        golden.write_text(result.stdout, encoding="utf-8")
    expected = golden.read_text(encoding="utf-8")
    diff = "".join(
        difflib.unified_diff(
            expected.splitlines(keepends=True),
            result.stdout.splitlines(keepends=True),
            fromfile=f"golden/{name}.txt",
            tofile="output",
        )
    )
    assert result.stdout == expected, (
        f"output differs from the golden file (if intended, e.g. after a change to data/*.yaml, "
        f"regenerate with MODELCAT_UPDATE_GOLDEN=1 and read the diff):\n{diff}"
    )


@pytest.mark.parametrize("name", list(CASES))
def test_golden_files_fit_100_columns_without_padding(name: str) -> None:
    for number, line in enumerate((GOLDEN / f"{name}.txt").read_text().splitlines(), 1):
        lone_url = re.fullmatch(r" *https?://\S+", line) is not None  # never cut: may overflow
        assert len(line) <= 100 or lone_url, f"{name}.txt:{number} is {len(line)} columns"
        assert line == line.rstrip(), f"{name}.txt:{number} ends in spaces"

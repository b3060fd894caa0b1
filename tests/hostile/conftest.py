"""Helpers for the hostile-input suite: overlays, policy files and guarded ``modelcat`` runs."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from tests.core.test_curated_validation import GOOD

GOOD_ENTRY = GOOD.removeprefix("models:\n")
"""One valid model entry (``my-model``), to append to or edit."""


def alias_bomb(levels: int, *, width: int = 9) -> str:
    """Anchors ``l0`` .. ``l{levels-1}``, each a list of ``width`` aliases of the one before:
    ``*l{levels-1}`` expands to ``width ** levels`` strings."""
    lines = [f"l0: &l0 [{', '.join(['lol'] * width)}]"]
    for level in range(1, levels):
        lines.append(f"l{level}: &l{level} [{', '.join([f'*l{level - 1}'] * width)}]")
    return "\n".join(lines) + "\n"


@pytest.fixture
def overlay(tmp_path: Path):  # type: ignore[no-untyped-def]
    """Write ``models.yaml`` (dedented) into a fresh overlay folder and return the folder."""

    def write(text: str, name: str = "models.yaml") -> Path:
        folder = tmp_path / "overlay"
        folder.mkdir(exist_ok=True)
        (folder / name).write_text(textwrap.dedent(text), encoding="utf-8")
        return folder

    return write

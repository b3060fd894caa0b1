"""Fixtures of the advisor tests: a catalog whose reference models carry their configs."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from catalog.api import Catalog
from tests.advisor.catalog_data import write_overlay


@pytest.fixture
def configured(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """MODELCAT_DATA points at an overlay giving the reference models their configs."""
    folder = write_overlay(tmp_path / "overlay")
    monkeypatch.setenv("MODELCAT_DATA", str(folder))
    return folder


@pytest.fixture
def ccat(configured: Path, db_path: Path) -> Iterator[Catalog]:
    """The catalog with the overlay."""
    catalog = Catalog.open(db_path, data_dir=configured)
    yield catalog
    catalog.close()

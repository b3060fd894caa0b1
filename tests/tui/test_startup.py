"""The app starts on a missing, empty or corrupt database file (rebuilt) and with no network."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from catalog.api import Catalog, make_filters
from tests.tui.conftest import SIZE
from tests.tui.helpers import settle, shown_ids
from tui.app import make_app
from tui.screens.browse import PAGE_SIZE


@pytest.mark.parametrize("content", [None, b"", "damaged"], ids=["missing", "empty", "corrupt"])
async def test_starts_and_lists_the_curated_catalog(
    tmp_path: Path, machine: Any, content: bytes | str | None
) -> None:
    assert os.environ["HF_HUB_OFFLINE"] == "1"
    db = tmp_path / "state" / "modelcat.db"
    db.parent.mkdir(parents=True)
    if content == "damaged":  # a modelcat store (its mark kept) whose pages are junk
        Catalog.open(db).close()
        with sqlite3.connect(db) as conn:
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        db.write_bytes(db.read_bytes()[:100] + b"just junk bytes\x00\x01" * 400)
    elif content is not None:
        db.write_bytes(content)
    app = make_app(db=db, hardware=machine, count_delay=0)  # the count at once, not after a pause
    try:
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            with Catalog.open(db) as check:
                total = check.count(make_filters(hide_retired=True))
            assert total > 0
            assert app.browse.table.total == total
            assert len(shown_ids(app)) == min(total, PAGE_SIZE)  # the first page of rows
            notes = [n.message for n in app._notifications]
            if content == "damaged":
                assert app.catalog.recovered_from is not None
                assert any("was corrupt" in n for n in notes)
            else:
                assert not any("corrupt" in n for n in notes)
    finally:
        app.catalog.close()


async def test_starts_without_being_given_the_machine(tmp_path: Path) -> None:
    """Hardware is probed in a worker; the fit column fills in once it is known."""
    app = make_app(db=tmp_path / "m.db")
    try:
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            assert app.hardware is not None
            fit = [c.key for c in app.browse.table.columns].index("fit")
            cells = [row.cells[fit].text for row in app.browse.table.loaded_rows()]
            assert cells and "…" not in cells
    finally:
        app.catalog.close()


async def test_the_ansi_theme_uses_the_terminals_colours(tmp_path: Path, machine: Any) -> None:
    app = make_app(db=tmp_path / "m.db", hardware=machine, theme="ansi-dark")
    try:
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            assert app.current_theme.name == "ansi-dark" and app.current_theme.ansi
            assert app.browse.table.total > 0
    finally:
        app.catalog.close()


def test_an_unknown_theme_is_a_usage_error(cat: Catalog) -> None:
    from catalog.errors import UsageError

    with pytest.raises(UsageError, match="unknown theme 'neon'.*ansi-dark"):
        make_app(catalog=cat, theme="neon")

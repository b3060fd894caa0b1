"""``--db`` never damages a file it does not own; a missing folder is created only by default."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from catalog.api import Catalog
from catalog.store.ownership import APPLICATION_ID
from tests.cli.conftest import cli


def refused(db: Path, *fragments: str) -> None:
    before = db.read_bytes()
    result = cli("--db", str(db), "list")
    assert result.exit_code == 2, result.output
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and str(db) in lines[0], result.stderr
    for fragment in fragments:
        assert fragment in lines[0]
    assert db.read_bytes() == before  # not renamed, not rebuilt, not stamped
    assert [p.name for p in db.parent.iterdir() if ".corrupt-" in p.name] == []


def test_a_text_file_is_refused_not_renamed(tmp_path: Path) -> None:
    db = tmp_path / "models.yaml"
    db.write_text("models:\n  - id: mine\n", encoding="utf-8")
    refused(db, "not a modelcat store")


def test_another_programs_sqlite_file_is_refused(tmp_path: Path) -> None:
    db = tmp_path / "app.sqlite"
    with sqlite3.connect(db) as conn:
        conn.execute("CREATE TABLE invoices (id INTEGER PRIMARY KEY, total REAL)")
        conn.execute("INSERT INTO invoices (total) VALUES (12.5)")
    conn.close()
    refused(db, "another program's SQLite database", "invoices")


def test_a_sqlite_file_stamped_by_another_program_is_refused(tmp_path: Path) -> None:
    db = tmp_path / "other.db"
    with sqlite3.connect(db) as conn:
        conn.execute("PRAGMA application_id = 1234")
        conn.execute("CREATE TABLE meta (key TEXT)")  # even with a table of the same name
        conn.execute("CREATE TABLE model (id TEXT)")
    conn.close()
    refused(db, "application id 0x000004d2")


def test_a_damaged_sqlite_file_without_modelcats_mark_is_refused(tmp_path: Path) -> None:
    db = tmp_path / "broken.db"
    with sqlite3.connect(db) as conn:
        conn.execute("CREATE TABLE t (x)")
    conn.close()
    db.write_bytes(db.read_bytes()[:100] + b"\xff" * 4000)
    refused(db, "damaged")


def test_modelcats_own_damaged_store_is_moved_aside_and_rebuilt(tmp_path: Path) -> None:
    db = tmp_path / "mine.db"
    Catalog.open(db).close()
    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA application_id").fetchone()[0] == APPLICATION_ID
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    db.write_bytes(db.read_bytes()[:100] + b"\xff" * 8000)

    result = cli("--db", str(db), "list", "--format", "json")
    assert result.exit_code == 0, result.output
    assert "was corrupt; moved it to" in result.stderr
    assert [p for p in tmp_path.iterdir() if p.name.startswith("mine.db.corrupt-")]


def test_a_store_from_before_the_stamp_is_recognised_and_stamped(tmp_path: Path) -> None:
    db = tmp_path / "old.db"
    Catalog.open(db).close()
    with sqlite3.connect(db) as conn:
        conn.execute("PRAGMA application_id = 0")  # as modelcat left stores before the stamp
    conn.close()
    assert cli("--db", str(db), "list").exit_code == 0
    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA application_id").fetchone()[0] == APPLICATION_ID
    conn.close()


def test_an_empty_file_becomes_a_store(tmp_path: Path) -> None:
    db = tmp_path / "empty.db"
    db.touch()
    assert cli("--db", str(db), "list").exit_code == 0
    with Catalog.open(db) as cat:
        assert cat.info().curated_models > 0


def test_an_explicit_path_in_a_missing_folder_is_an_error(tmp_path: Path) -> None:
    db = tmp_path / "no" / "such" / "folder" / "modelcat.db"
    result = cli("--db", str(db), "list")
    assert result.exit_code == 2
    assert "no folder" in result.stderr and str(db.parent) in result.stderr
    assert not (tmp_path / "no").exists()


def test_the_default_location_makes_its_folder_and_owns_its_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from catalog.paths import default_db_path

    monkeypatch.delenv("MODELCAT_DB")
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    default = default_db_path()
    assert str(default).startswith(str(tmp_path / "xdg")) and not default.parent.exists()

    assert cli("list").exit_code == 0
    assert default.is_file()

    default.write_text("overwritten by accident", encoding="utf-8")
    result = cli("list")
    assert result.exit_code == 0
    assert "was corrupt; moved it to" in result.stderr  # modelcat's own place: moved aside

"""Issue 13, point 3: ``db copy`` never turns a typo into an empty store that wipes the target.

The source must exist and be a modelcat store with models (opened read-only, never created);
``--replace`` of a target holding benchmarks or saved items says what goes and needs ``--yes``.
Run on SQLite and on PostgreSQL (the team store a typo would erase)."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from catalog.api import Catalog
from catalog.cli.main import app


@pytest.fixture
def team_store(db_url: str) -> str:
    """A target holding a saved list of its own, as a team store does."""
    with Catalog.open(db_url) as cat:
        cat.save_list("team-picks", ["llama-2-7b", "mistral-7b"])
    return db_url


def copy(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, ["db", "copy", *args])
    return result.exit_code, result.stderr


def assert_untouched(url: str) -> None:
    with Catalog.open(url) as cat:
        assert cat.saved_list("team-picks") == ["llama-2-7b", "mistral-7b"]


def test_a_mistyped_source_is_refused_and_never_created(tmp_path: Path, team_store: str) -> None:
    typo = tmp_path / "modelcat.bd"
    code, err = copy("--from", str(typo), "--to", team_store, "--replace", "--yes")
    assert code == 2 and "does not exist" in err and str(typo) in err
    assert not typo.exists()
    assert_untouched(team_store)


def test_a_source_that_is_no_modelcat_store_is_refused(tmp_path: Path, team_store: str) -> None:
    other = tmp_path / "other.db"
    import sqlite3

    with sqlite3.connect(other) as conn:
        conn.execute("CREATE TABLE t (x)")
    code, err = copy("--from", str(other), "--to", team_store, "--replace", "--yes")
    assert code == 2 and "not a modelcat store" in err
    assert_untouched(team_store)


def test_an_empty_source_is_refused(tmp_path: Path, team_store: str) -> None:
    empty = f"sqlite:///{tmp_path / 'empty.db'}"
    with Catalog.open(empty) as cat:
        with cat.engine.begin() as conn:
            from sqlalchemy import delete

            from catalog.store.tables import MODEL

            conn.execute(delete(MODEL))
    code, err = copy("--from", empty, "--to", team_store, "--replace", "--yes")
    assert code == 2 and "holds no models" in err
    assert_untouched(team_store)


def test_replace_says_what_would_be_lost_and_needs_yes(tmp_path: Path, team_store: str) -> None:
    source = str(tmp_path / "mine.db")
    Catalog.open(source).close()
    before = Path(source).stat().st_mtime_ns
    code, err = copy("--from", source, "--to", team_store, "--replace")
    assert code == 2 and "1 saved_list rows" in err and "--yes" in err
    assert_untouched(team_store)
    code, err = copy("--from", source, "--to", team_store, "--replace", "--yes")
    assert code == 0, err
    with Catalog.open(team_store) as cat:
        assert cat.saved_lists() == []
    assert Path(source).stat().st_mtime_ns == before  # the source was only read


@pytest.mark.postgres
def test_a_mistyped_postgresql_source_is_refused(pg_url: str, tmp_path: Path) -> None:
    target = str(tmp_path / "target.db")
    with Catalog.open(target) as cat:
        cat.save_list("team-picks", ["llama-2-7b", "mistral-7b"])
    typo = pg_url.rsplit("/", 1)[0] + "/no_such_database_here"
    code, err = copy("--from", typo, "--to", target, "--replace", "--yes")
    assert code == 2 and "cannot read the source store" in err
    assert_untouched(f"sqlite:///{target}")

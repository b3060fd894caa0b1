"""Issue 13, points 6 and 7: what used to end in a traceback is one line and exit 2; a store
whose Alembic revision is unknown is refused by every command."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text
from typer.testing import CliRunner

from catalog.api import Catalog
from catalog.cli.main import app
from tests.hostile.conftest import GOOD_ENTRY


def one_line_exit_2(args: list[str], *, env: dict[str, str] | None = None) -> str:
    result = CliRunner().invoke(app, args, env=env)
    assert result.exit_code == 2, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert "Traceback" not in result.output
    assert result.stderr.startswith("modelcat: ")
    return result.stderr


@pytest.mark.parametrize(
    ("value", "message"),
    [("1e30", "not a number"), ("true", "not a number"), (str(10**30), "less than or equal")],
)
def test_absurd_or_boolean_params_in_an_overlay(overlay: Any, value: str, message: str) -> None:
    text_ = f"models:\n{GOOD_ENTRY}".replace("params: 7000000000", f"params: {value}")
    err = one_line_exit_2(["--data", str(overlay(text_)), "list"])
    assert "models.yaml:" in err and "field 'params'" in err and message in err


def test_an_absurd_max_params_flag() -> None:
    err = one_line_exit_2(["list", "--max-params", "99999999999999999999999B"])
    assert "larger than 1000T" in err


def test_an_unknown_task_lists_the_tasks() -> None:
    err = one_line_exit_2(["advise", "--task", "bogus", "--examples", "0"])
    assert "bogus" in err and "summarization" in err and "domain-qa" in err


def test_a_db_path_through_a_regular_file(tmp_path: Path) -> None:
    file = tmp_path / "a-file"
    file.write_text("not a folder")
    err = one_line_exit_2(["--db", str(file / "sub" / "modelcat.db"), "list"])
    assert str(file) in err


@pytest.mark.parametrize(
    "args", [["shortlist", "--top", "2", "--save", "picks"], ["db", "rebuild"]]
)
def test_writing_to_a_read_only_store_says_so(cat: Catalog, db_path: Path, args: list[str]) -> None:
    read_only = f"sqlite:///file:{db_path}?mode=ro&uri=true"
    err = one_line_exit_2(["--db", read_only, *args])
    assert "read-only" in err and str(db_path) in err


def test_a_store_with_an_unknown_alembic_revision_is_refused_everywhere(
    cat: Catalog, db_path: Path
) -> None:
    with cat.engine.begin() as conn:  # meta mirrors the head: only Alembic's table says newer
        conn.execute(text("UPDATE alembic_version SET version_num = '9999_future'"))
    cat.close()
    for args in (["list"], ["db", "info"], ["db", "upgrade"], ["shortlist", "--save", "x"]):
        err = one_line_exit_2(args)
        assert "newer modelcat" in err and "9999_future" in err
    with _raw(db_path) as conn:
        assert conn.execute("SELECT version_num FROM alembic_version").fetchall() == [
            ("9999_future",)
        ]
        assert conn.execute("SELECT count(*) FROM saved_list").fetchall() == [(0,)]


def _raw(path: Path) -> Any:
    import sqlite3
    from contextlib import closing

    return closing(sqlite3.connect(path))

"""Alembic migrations: new stores, stores made before migrations, newer stores, and the fast path."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.engine import Engine
from typer.testing import CliRunner

from catalog.api import Catalog
from catalog.cli.main import app
from catalog.errors import StorageError
from catalog.store.upgrade import HEAD_REVISION, MIGRATIONS_DIR, REVISIONS, alembic_config
from tests.store.legacy import HUB_MODEL_ID, OLD_BUILT_AT, SAVED_IDS, build_legacy_store
from tests.store.schema import alembic_versions, count, meta_rows, schema_differences

ROOT = Path(__file__).resolve().parents[2]


def test_head_constant_is_alembics_head() -> None:
    from alembic.script import ScriptDirectory

    scripts = ScriptDirectory(str(MIGRATIONS_DIR))
    assert scripts.get_heads() == [HEAD_REVISION]
    walked = [s.revision for s in scripts.walk_revisions()]
    assert list(reversed(walked)) == list(REVISIONS)


def test_new_store_is_at_head_and_matches_the_models(db_url: str, raw_engine: Engine) -> None:
    with Catalog.open(db_url) as cat:
        info = cat.info()
    assert info.schema_revision == HEAD_REVISION == info.schema_head
    assert info.size_bytes is not None and info.size_bytes > 0
    assert alembic_versions(raw_engine) == [HEAD_REVISION]
    assert meta_rows(raw_engine)["schema_revision"] == HEAD_REVISION
    assert schema_differences(raw_engine) == []


def test_pre_alembic_store_is_adopted_in_place(db_url: str, raw_engine: Engine) -> None:
    build_legacy_store(raw_engine)
    models_before = count(raw_engine, "model")
    assert alembic_versions(raw_engine) == []
    with Catalog.open(db_url) as cat:
        assert cat.saved_list("team-picks") == SAVED_IDS
        assert cat.get(HUB_MODEL_ID).tier == "hub"
        assert cat.info().schema_revision == HEAD_REVISION
    assert alembic_versions(raw_engine) == [HEAD_REVISION]
    # The curated files did not change: no rebuild, every row as it was.
    assert meta_rows(raw_engine)["built_at"] == OLD_BUILT_AT
    assert count(raw_engine, "model") == models_before
    for table in ("hub_snapshot", "hub_lineage", "hub_drift", "bench_machine", "bench_run"):
        assert count(raw_engine, table) == 1, table
    assert schema_differences(raw_engine) == []
    # Migration 0004 backfilled the shutdown days from the rows' own documents.
    with raw_engine.connect() as conn:
        shut = dict(conn.execute(text("SELECT id, shutdown_date FROM model")).all())
    assert str(shut["gpt-4"]) == "2026-10-23" and shut["llama-2-7b"] is None


def test_stale_pre_alembic_store_is_upgraded_then_rebuilt_keeping_other_rows(
    db_url: str, raw_engine: Engine
) -> None:
    build_legacy_store(raw_engine, digest="from-older-yaml")
    with Catalog.open(db_url) as cat:
        info = cat.info()
        assert cat.saved_list("team-picks") == SAVED_IDS
        assert cat.get(HUB_MODEL_ID).tier == "hub"
    assert info.built_at != OLD_BUILT_AT and not info.stale
    assert info.curated_models == count(raw_engine, "model", "tier = 'curated'") > 70
    assert count(raw_engine, "bench_run") == count(raw_engine, "hub_snapshot") == 1


def test_store_missing_later_tables_gets_them(db_url: str, raw_engine: Engine) -> None:
    # A store from before the Hub sync and benchmark tables existed.
    build_legacy_store(raw_engine, tables=("meta", "license", "model", "saved_list"))
    with Catalog.open(db_url) as cat:
        assert cat.saved_list("team-picks") == SAVED_IDS
    assert count(raw_engine, "bench_run") == count(raw_engine, "hub_snapshot") == 0
    assert schema_differences(raw_engine) == []


def test_store_from_a_newer_modelcat_is_refused(db_url: str, raw_engine: Engine) -> None:
    Catalog.open(db_url).close()
    with raw_engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '9999_future'"))
        conn.execute(text("UPDATE meta SET value = '9999_future' WHERE key = 'schema_revision'"))
    with pytest.raises(StorageError, match="newer modelcat"):
        Catalog.open(db_url)
    result = CliRunner().invoke(app, ["db", "info"])
    assert result.exit_code == 2
    assert "newer modelcat" in result.stderr and "Traceback" not in result.output
    assert alembic_versions(raw_engine) == ["9999_future"]  # left untouched


def test_down_and_up_again(db_url: str, raw_engine: Engine) -> None:
    """Every revision's downgrade works (batch mode on SQLite) and the upgrade restores it."""
    from alembic import command

    with Catalog.open(db_url) as cat:
        cat.save_list("kept", ["llama-2-7b"])
    with raw_engine.begin() as conn:
        command.downgrade(alembic_config(conn), REVISIONS[0])
    assert alembic_versions(raw_engine) == [REVISIONS[0]]
    with raw_engine.begin() as conn:
        command.upgrade(alembic_config(conn), "head")
    assert schema_differences(raw_engine) == []
    with Catalog.open(db_url) as cat:
        assert cat.saved_list("kept") == ["llama-2-7b"]


def test_db_upgrade_and_info_report_the_revision(db_url: str, raw_engine: Engine) -> None:
    build_legacy_store(raw_engine)
    runner = CliRunner()
    first = runner.invoke(app, ["db", "upgrade", "--format", "json"])
    assert first.exit_code == 0, first.output
    assert json.loads(first.stdout) == {
        "before": None,
        "after": HEAD_REVISION,
        "upgraded": True,
        "head": HEAD_REVISION,
    }
    again = runner.invoke(app, ["db", "upgrade"])
    assert again.exit_code == 0 and "already at" in again.stdout
    info = runner.invoke(app, ["db", "info", "--format", "json"])
    payload = json.loads(info.stdout)
    assert payload["schema_revision"] == payload["schema_head"] == HEAD_REVISION


def test_opening_a_current_store_does_not_load_alembic(db_url: str) -> None:
    Catalog.open(db_url).close()
    code = (
        "import sys; from catalog.api import Catalog; "
        f"Catalog.open({db_url!r}).close(); "
        "print('alembic' in sys.modules)"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert done.stdout.strip() == "False"

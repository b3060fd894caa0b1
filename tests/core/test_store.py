"""The store is built from the YAML files, kept fresh, and survives deletion and corruption."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from sqlalchemy import text

from catalog.api import Catalog
from catalog.domain import Model
from catalog.store.convert import model_row
from catalog.store.tables import MODEL


def _hub_model(model_id: str) -> Model:
    return Model(
        id=model_id, name=model_id, family="Someone", publisher="someone", release_date=None,
        variant="base", params=1_000_000, active_params=None, context_length=2048,
        architecture="llama", hub_id=f"someone/{model_id}", license="apache-2.0", access="open",
        tunability=("lora",), tuning_routes=(), sources={}, tier="hub",
    )  # fmt: skip


def test_built_from_yaml_when_missing(db_path: Path) -> None:
    assert not db_path.exists()
    with Catalog.open(db_path) as cat:
        info = cat.info()
    assert db_path.exists()
    assert info.curated_models >= 60
    assert info.licenses >= 19
    assert info.stale is False
    assert info.path == str(db_path)


def test_sqlite_runs_in_wal_mode_with_a_busy_timeout(cat: Catalog) -> None:
    with cat.connect() as conn:
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert conn.execute(text("PRAGMA busy_timeout")).scalar() >= 5000


def test_rebuilt_when_the_curated_files_change(db_path: Path, tmp_path: Path) -> None:
    overlay = tmp_path / "overlay"
    overlay.mkdir()
    with Catalog.open(db_path, data_dir=overlay) as cat:
        before = cat.info().data_digest
        assert cat.get("gpt-j-6b").name != "Changed"
    (overlay / "models.yaml").write_text(
        "models:\n"
        "  - id: gpt-j-6b\n    name: Changed\n    family: GPT-J\n    publisher: EleutherAI\n"
        "    release_date: 2021-06-04\n    variant: base\n    params: 6050882784\n"
        "    license: apache-2.0\n    access: open\n"
        "    sources: {license: 'https://huggingface.co/EleutherAI/gpt-j-6b', access: 'https://huggingface.co/EleutherAI/gpt-j-6b'}\n",
        encoding="utf-8",
    )
    with Catalog.open(db_path, data_dir=overlay) as cat:
        assert cat.info().data_digest != before
        assert cat.get("gpt-j-6b").name == "Changed"


def test_a_deleted_database_is_rebuilt(db_path: Path) -> None:
    Catalog.open(db_path).close()
    for suffix in ("", "-wal", "-shm"):
        Path(str(db_path) + suffix).unlink(missing_ok=True)
    with Catalog.open(db_path) as cat:
        assert cat.get("llama-2-7b").license == "llama2"


def test_a_corrupt_database_is_moved_aside_and_rebuilt(db_path: Path) -> None:
    Catalog.open(db_path).close()
    with sqlite3.connect(db_path) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    header = db_path.read_bytes()[:100]  # modelcat's mark survives; every page after it is junk
    db_path.write_bytes(header + b"this is not a database, it was overwritten by accident" * 100)
    with Catalog.open(db_path) as cat:
        assert cat.recovered_from is not None
        assert b"it was overwritten by accident" in Path(cat.recovered_from).read_bytes()
        assert cat.get("falcon-40b").access == "open"
        assert cat.info().curated_models >= 60
    # the rebuilt file is a real SQLite database again
    with sqlite3.connect(db_path) as conn:
        assert conn.execute("select count(*) from model").fetchone()[0] >= 60


def test_a_truncated_database_is_rebuilt(db_path: Path) -> None:
    Catalog.open(db_path).close()
    with sqlite3.connect(db_path) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    data = db_path.read_bytes()
    db_path.write_bytes(data[:100] + b"\0" * (len(data) - 100))
    with Catalog.open(db_path) as cat:
        assert cat.get("gpt-neo-125m").params == 125_198_592


def test_rebuild_keeps_hub_discovered_models(cat: Catalog) -> None:
    with cat.engine.begin() as conn:
        conn.execute(MODEL.insert(), [model_row(_hub_model("found-on-hub"), commercial_use="yes")])
    cat.rebuild()
    assert cat.get("found-on-hub").tier == "hub"
    assert cat.get("llama-2-7b").tier == "curated"


def test_a_curated_entry_replaces_a_hub_row_with_the_same_id(cat: Catalog) -> None:
    with cat.engine.begin() as conn:
        conn.execute(MODEL.delete().where(MODEL.c.id == "gpt-j-6b"))
        conn.execute(MODEL.insert(), [model_row(_hub_model("gpt-j-6b"), commercial_use="yes")])
    cat.rebuild()
    assert cat.get("gpt-j-6b").tier == "curated"


def test_unreachable_database_is_a_clear_error(tmp_path: Path) -> None:
    import pytest

    from catalog.errors import StorageError

    with pytest.raises(StorageError, match="not a database URL"):
        Catalog.open("notadialect://what")


def test_saved_lists_survive_reopening(db_path: Path) -> None:
    with Catalog.open(db_path) as cat:
        assert cat.saved_list() == []
        cat.save_list("default", ["llama-2-7b", "mistral-7b", "llama-2-7b"])
        cat.save_list("legal-review", ["gpt-j-6b"])
    with Catalog.open(db_path) as cat:
        assert cat.saved_list() == ["llama-2-7b", "mistral-7b"]
        assert cat.saved_lists() == ["default", "legal-review"]
        cat.rebuild()
        assert cat.saved_list("legal-review") == ["gpt-j-6b"]

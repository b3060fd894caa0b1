"""Assertions about the sync tables after a sync, a failure or a kill."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import create_engine, select, text

from catalog.store.hub_tables import HUB_DRIFT, HUB_LINEAGE, HUB_SNAPSHOT
from catalog.store.tables import MODEL


def assert_consistent(db_path: Path) -> None:
    """SQLite is intact and every model's Hub rows are whole: none half-written."""
    engine = create_engine(f"sqlite:///{db_path}")
    try:
        with engine.connect() as conn:
            assert conn.execute(text("PRAGMA integrity_check")).scalar_one() == "ok"
            snapshots = conn.execute(select(HUB_SNAPSHOT)).mappings().all()
            for row in snapshots:
                if row["sha"] is not None:  # fetched in full at least once
                    assert row["synced_at"] is not None and row["last_modified"] is not None
                    assert row["tags"] is not None and row["base_models"] is not None
                else:  # only ever failed
                    assert row["error"] is not None and row["synced_at"] is None
            synced = {r["repo_id"] for r in snapshots if r["sha"] is not None}
            lineage_repos = {r for (r,) in conn.execute(select(HUB_LINEAGE.c.repo_id))}
            assert lineage_repos <= synced
            hub_ids = dict(conn.execute(select(MODEL.c.id, MODEL.c.hub_id)).all())
            for (model_id,) in conn.execute(select(HUB_DRIFT.c.model_id)):
                assert hub_ids.get(model_id) in synced
            curated = conn.execute(select(MODEL.c.id).where(MODEL.c.tier == "curated")).all()
            assert len(curated) > 70  # nothing curated lost
    finally:
        engine.dispose()

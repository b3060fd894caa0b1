"""Several processes on one store at once: new store, stale store, two syncs, many benchmarks.

Each race releases real ``modelcat`` processes together; afterwards the store must hold every
row exactly once and every process must have succeeded.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.engine import Engine

from catalog.api import Catalog
from catalog.curated import load_curated
from catalog.store.bench_tables import BENCH_MACHINE, BENCH_RUN
from catalog.store.hub_tables import HUB_LINEAGE, HUB_SNAPSHOT
from catalog.store.tables import MODEL
from catalog.store.upgrade import HEAD_REVISION
from catalog.testing.fake_hub import FakeHub
from catalog.testing.hub_seed import curated_hub_models, seed_curated
from tests.store.races import race
from tests.store.schema import alembic_versions, count, meta_rows


def test_processes_opening_a_new_store_at_once_build_it_once(
    db_url: str, raw_engine: Engine, tmp_path: Path
) -> None:
    outcomes = race([["db", "info", "--format", "json"]] * 3, folder=tmp_path)
    assert [o.code for o in outcomes] == [0, 0, 0], [o.stderr for o in outcomes]
    assert alembic_versions(raw_engine) == [HEAD_REVISION]
    curated = len(load_curated().models)
    assert count(raw_engine, "model", "tier = 'curated'") == curated
    assert {o.json()["curated_models"] for o in outcomes} == {curated}


def test_processes_opening_a_stale_store_at_once_rebuild_it_safely(
    db_url: str, raw_engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    Catalog.open(db_url).close()
    built = meta_rows(raw_engine)["built_at"]
    monkeypatch.setenv("MODELCAT_DATA", str(overlay_with_a_new_model(tmp_path / "data")))
    outcomes = race([["show", "team-model-7b", "--format", "json"]] * 3, folder=tmp_path)
    assert [o.code for o in outcomes] == [0, 0, 0], [o.stderr for o in outcomes]
    assert {o.json()["id"] for o in outcomes} == {"team-model-7b"}
    assert count(raw_engine, "model", "id = 'team-model-7b'") == 1
    assert count(raw_engine, "model", "tier = 'curated'") == len(
        load_curated().models
    )  # with the overlay
    assert meta_rows(raw_engine)["built_at"] >= built


def overlay_with_a_new_model(folder: Path) -> Path:
    """A data folder adding ``team-model-7b`` (a copy of a shipped entry) to the catalog."""
    import yaml

    from catalog.paths import shipped_data_dir

    shipped = yaml.safe_load((shipped_data_dir() / "models.yaml").read_text(encoding="utf-8"))
    entry = next(e for e in shipped["models"] if e["id"] == "mistral-7b")
    entry.update(id="team-model-7b", name="Team Model 7B", hub_id=None)
    folder.mkdir()
    (folder / "models.yaml").write_text(yaml.safe_dump({"models": [entry]}), encoding="utf-8")
    return folder


def test_two_syncs_at_once_store_every_repo_once(
    db_url: str, raw_engine: Engine, fake_hub: FakeHub, tmp_path: Path
) -> None:
    seed_curated(fake_hub)
    Catalog.open(db_url).close()
    sync = ["sync", "--full", "--format", "json", "--retries", "0", "--concurrency", "4"]
    outcomes = race([sync, sync], folder=tmp_path)
    assert [o.code for o in outcomes] == [0, 0], [o.stderr[-2000:] for o in outcomes]
    expected = curated_hub_models()
    for outcome in outcomes:
        report = outcome.json()
        assert report["failed"] == [] and len(report["synced"]) == len(expected)
    with raw_engine.connect() as conn:
        snapshots = dict(conn.execute(select(HUB_SNAPSHOT.c.repo_id, HUB_SNAPSHOT.c.sha)).all())
        lineage = conn.execute(select(func.count()).select_from(HUB_LINEAGE)).scalar_one()
    assert set(snapshots) == set(expected)
    assert all(sha == fake_hub.get_model(repo).sha for repo, sha in snapshots.items())
    declared = sum(
        1
        for repo in expected
        for base in fake_hub.get_model(repo).properties().get("baseModels") or []
        if base
    )
    assert lineage <= declared


def test_two_discoveries_at_once_store_every_model_once(
    db_url: str, raw_engine: Engine, fake_hub: FakeHub, tmp_path: Path
) -> None:
    listed = fake_hub.add_synthetic_models(1500, seed=3)
    Catalog.open(db_url).close()
    discover = ["sync", "--discover", "--format", "json", "--retries", "0"]
    outcomes = race([discover, discover], folder=tmp_path)
    assert [o.code for o in outcomes] == [0, 0], [o.stderr[-2000:] for o in outcomes]
    assert all(o.json()["failed"] == [] for o in outcomes)
    with raw_engine.connect() as conn:
        hub_rows = conn.execute(select(MODEL.c.hub_id).where(MODEL.c.tier == "hub")).scalars().all()
        snapshots = conn.execute(select(func.count()).select_from(HUB_SNAPSHOT)).scalar_one()
    assert len(hub_rows) == len(set(hub_rows))
    curated = {repo.lower() for repo in curated_hub_models()}
    assert {r for r in listed if r.lower() not in curated} <= set(hub_rows)
    assert snapshots == len(hub_rows)


def test_benchmarks_from_many_machines_at_once_land_once(
    db_url: str, raw_engine: Engine, tmp_path: Path
) -> None:
    Catalog.open(db_url).close()
    machines, runs = 4, 6
    writers = [[db_url, f"box-{i}", str(runs)] for i in range(machines)]
    outcomes = race(writers, folder=tmp_path, module="tests.store.bench_writer")
    assert [o.code for o in outcomes] == [0] * machines, [o.stderr[-2000:] for o in outcomes]
    with raw_engine.connect() as conn:
        total = conn.execute(select(func.count()).select_from(BENCH_RUN)).scalar_one()
        names = conn.execute(select(BENCH_MACHINE.c.name)).scalars().all()
    assert total == machines * runs + runs  # each shared run id lands once
    assert sorted(n for n in names if n) == [f"box-{i}" for i in range(machines)]
    assert len(names) == machines + 1  # the writers' machines and the shared one

"""The Hub snapshot is a typed record: it goes into the store and comes back field for field."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from catalog.api import Catalog
from catalog.store import hub_store
from catalog.store.hub_records import DriftItem, HubSnapshot, LineageLink

_text = st.text(st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), max_size=40)
_opt_text = st.none() | _text
_count = st.none() | st.integers(min_value=0, max_value=2**62)
_time = st.none() | st.datetimes(
    min_value=dt.datetime(2000, 1, 1), max_value=dt.datetime(2100, 1, 1), timezones=st.just(dt.UTC)
)
_json_scalar = st.none() | st.booleans() | st.integers(-(2**53), 2**53) | _text
_config = st.none() | st.dictionaries(_text, _json_scalar, max_size=5)

snapshots = st.builds(
    HubSnapshot,
    repo_id=st.from_regex(r"[a-z0-9]{1,10}/[A-Za-z0-9._-]{1,20}", fullmatch=True),
    sha=st.none() | st.from_regex(r"[0-9a-f]{40}", fullmatch=True),
    last_modified=_time,
    created_at=_time,
    gated=st.sampled_from([None, False, "auto", "manual"]),
    private=st.none() | st.booleans(),
    disabled=st.none() | st.booleans(),
    license=_opt_text,
    license_name=_opt_text,
    license_link=_opt_text,
    downloads=_count,
    likes=_count,
    safetensors_total=_count,
    safetensors_parameters=st.none() | st.dictionaries(_text, st.integers(0, 2**62), min_size=1),
    quantized=st.booleans(),
    library_name=_opt_text,
    pipeline_tag=_opt_text,
    tags=st.lists(_text, max_size=4).map(tuple),
    base_models=st.lists(_text, max_size=3).map(tuple),
    config=_config,
    config_note=_opt_text,
    synced_at=_time,
    checked_at=_time,
    error=_opt_text,
)


@pytest.fixture(scope="module")
def shared(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Catalog]:
    """One store for every example: building the curated store takes longer than a write."""
    cat = Catalog.open(tmp_path_factory.mktemp("hub-store") / "store.db")
    hub_store.ensure_tables(cat.engine)
    yield cat
    cat.close()


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(snapshot=snapshots)
def test_a_snapshot_reads_back_exactly_as_written(shared: Catalog, snapshot: HubSnapshot) -> None:
    with shared.engine.begin() as conn:
        hub_store.write_repo(conn, snapshot, lineage=None, drift=None)
    stored = hub_store.stored_snapshot(shared.engine, snapshot.repo_id)
    assert stored == snapshot
    assert stored is not None
    assert stored.config == snapshot.config
    assert stored.safetensors_parameters == snapshot.safetensors_parameters


def test_gated_false_is_not_confused_with_unknown(cat: Catalog) -> None:
    hub_store.ensure_tables(cat.engine)
    with cat.engine.begin() as conn:
        hub_store.write_repo(conn, HubSnapshot("a/open", gated=False), lineage=None, drift=None)
        hub_store.write_repo(conn, HubSnapshot("a/unknown"), lineage=None, drift=None)
    open_repo = hub_store.stored_snapshot(cat.engine, "a/open")
    unknown = hub_store.stored_snapshot(cat.engine, "a/unknown")
    assert open_repo is not None and open_repo.gated is False
    assert unknown is not None and unknown.gated is None


def test_a_cheap_check_refreshes_only_what_it_returned() -> None:
    at = dt.datetime(2026, 1, 2, tzinfo=dt.UTC)
    stored = HubSnapshot("a/b", sha="1" * 40, gated="manual", downloads=5, likes=2)
    fresh = stored.refreshed(
        gated=False, private=None, disabled=None, downloads=9, likes=None, at=at
    )
    assert (fresh.gated, fresh.downloads, fresh.likes, fresh.sha) == (False, 9, 2, "1" * 40)
    assert fresh.checked_at == at


def test_lineage_and_drift_are_replaced_with_the_repo(cat: Catalog) -> None:
    hub_store.ensure_tables(cat.engine)
    at = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    first = [DriftItem("pythia-1b", "license", "apache-2.0", "mit", "tag")]
    with cat.engine.begin() as conn:
        hub_store.write_repo(
            conn,
            HubSnapshot("EleutherAI/pythia-1b"),
            lineage=[LineageLink("EleutherAI/pythia-1b", "x/base", "finetune", 0)],
            drift=("pythia-1b", first, at),
        )
    assert hub_store.stored_drift(cat.engine, ["pythia-1b"]) == first
    with cat.engine.begin() as conn:
        hub_store.write_repo(
            conn, HubSnapshot("EleutherAI/pythia-1b"), lineage=[], drift=("pythia-1b", [], at)
        )
    assert hub_store.stored_drift(cat.engine, ["pythia-1b"]) == []


def test_reads_of_a_store_without_the_sync_tables_give_nothing(cat: Catalog) -> None:
    with cat.engine.begin() as conn:
        conn.exec_driver_sql("DROP TABLE IF EXISTS hub_snapshot")
        conn.exec_driver_sql("DROP TABLE IF EXISTS hub_drift")
    assert hub_store.stored_snapshot(cat.engine, "a/b") is None
    assert hub_store.stored_drift(cat.engine, ["x"]) == []

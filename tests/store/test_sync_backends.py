"""The Hub sync against the fake Hub, on SQLite and PostgreSQL alike.

The sync's own tests (``tests/sync``) cover its behaviour on SQLite in depth; these run the
main paths on every backend: a full sync, a no-change re-sync, drift, a failure that keeps
what was stored, discovery, and the lineage-aware license check.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from catalog.api import Catalog
from catalog.hub import HubClient
from catalog.licenses import IntendedUse
from catalog.sync import check_with_lineage, discover, sync_catalog
from catalog.testing.fake_hub import FakeHub
from catalog.testing.hub_seed import curated_hub_models, seed_curated
from catalog.views import detail_json, model_detail


@pytest.fixture
def hub(fake_hub: FakeHub) -> FakeHub:
    seed_curated(fake_hub)
    return fake_hub


@pytest.fixture
def client(hub: FakeHub) -> HubClient:
    return HubClient(endpoint=hub.url, token=False, timeout=2.0, backoff=0.0, max_retries=1)


@pytest.fixture
def store(db_url: str) -> Iterator[Catalog]:
    with Catalog.open(db_url) as cat:
        yield cat


def test_full_sync_then_no_change_resync(store: Catalog, hub: FakeHub, client: HubClient) -> None:
    curated = curated_hub_models()
    first = sync_catalog(store, client=client)
    assert not first.failed and len(first.synced) == len(curated) and first.drift == []
    for hub_id, entry in list(curated.items())[:10]:
        view = detail_json(model_detail(store, store.get(entry.id)))["hub"]
        fake = hub.get_model(hub_id)
        assert view["sha"] == fake.sha and view["downloads"] == fake.downloads
        assert view["last_modified"] is not None and view["last_modified"].endswith("+00:00")
    again = sync_catalog(store, client=client)
    assert set(again.unchanged) == {e.id for e in curated.values()} and again.synced == []


def test_drift_is_recorded_and_cleared(store: Catalog, hub: FakeHub, client: HubClient) -> None:
    sync_catalog(store, client=client, models=["llama-2-7b"])
    hub.update_model("meta-llama/Llama-2-7b-hf", license="apache-2.0")
    report = sync_catalog(store, client=client, models=["llama-2-7b"])
    assert [(d.model, d.field) for d in report.drift] == [("llama-2-7b", "license")]
    assert detail_json(model_detail(store, store.get("llama-2-7b")))["drift"]
    hub.update_model("meta-llama/Llama-2-7b-hf", license="llama2")
    assert sync_catalog(store, client=client, models=["llama-2-7b"]).drift == []
    assert detail_json(model_detail(store, store.get("llama-2-7b")))["drift"] == []


def test_a_failure_keeps_what_was_stored(store: Catalog, hub: FakeHub, client: HubClient) -> None:
    sync_catalog(store, client=client, models=["pythia-1b"])
    before = detail_json(model_detail(store, store.get("pythia-1b")))["hub"]
    hub.update_model("EleutherAI/pythia-1b", downloads=99)
    hub.inject("info", "server_error", repo_id="EleutherAI/pythia-1b", times=None)
    report = sync_catalog(store, client=client, models=["pythia-1b"], full=True)
    assert [f.model for f in report.failed] == ["pythia-1b"]
    after = detail_json(model_detail(store, store.get("pythia-1b")))["hub"]
    assert after["sha"] == before["sha"] and after["downloads"] == before["downloads"]
    assert after["error"]


def test_discovery_and_lineage_aware_check(store: Catalog, hub: FakeHub, client: HubClient) -> None:
    hub.add_model(
        "someone/llama-2-7b-reupload",
        license="apache-2.0",
        base_model="meta-llama/Llama-2-7b-hf",
        config={"model_type": "llama", "architectures": ["LlamaForCausalLM"]},
    )
    report = discover(store, client=client, author="someone")
    assert not report.failed and report.synced == ["someone--llama-2-7b-reupload"]
    model = store.get("someone/llama-2-7b-reupload")
    assert model.tier == "hub" and model.family == "Llama 2"
    licenses: dict[str, Any] = {lic.id: lic for lic in store.licenses()}
    [verdict] = check_with_lineage(
        store, [model], licenses, IntendedUse.from_options(use="commercial", mau="900M")
    )
    assert verdict.verdict == "forbidden"  # the base model's license caps MAU
    assert store.info().hub_models == 1

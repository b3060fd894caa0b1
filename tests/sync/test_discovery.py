"""Discovery pages through the Hub listing and stores uncurated models as the ``hub`` tier."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from typer.testing import CliRunner

from catalog.api import Catalog
from catalog.cli.main import app
from catalog.hub import HubClient
from catalog.sync import discover, sync_catalog, synced_config
from catalog.sync.hub_model import hub_model_id
from catalog.testing.fake_hub import FakeHub
from catalog.testing.hub_seed import hub_requests
from catalog.views import detail_json, model_detail


def test_2500_models_in_3_list_requests(
    cat: Catalog, hub: FakeHub, client: HubClient, curated: dict[str, Any]
) -> None:
    added = hub.add_synthetic_models(2500)
    report = discover(cat, client=client)
    total = len(hub.repo_ids)
    # Hub ids are case-insensitive: a repo spelled like a curated one is that curated model.
    curated_ids = {h.lower() for h in curated}
    uncurated = [r for r in hub.repo_ids if r.lower() not in curated_ids]
    assert hub.counts() == {"list": 3} and report.requests == hub_requests(hub) == 3
    assert report.discovered == total
    assert len(report.synced) == len(uncurated) and report.ok
    assert cat.count(_filters(tier="hub")) == len(uncurated)
    assert cat.count(_filters(tier="curated")) > 70  # curated rows untouched, none duplicated
    assert len({hub_model_id(r) for r in added}) == len(added)
    hub.reset_log()
    again = discover(cat, client=client)
    assert hub.counts() == {"list": 3}
    assert len(again.unchanged) == len(uncurated) and again.synced == []


def test_hub_models_are_listed_filtered_and_shown_with_their_tier(
    cat: Catalog, hub: FakeHub, client: HubClient
) -> None:
    hub.add_model(
        "acme/Wonder-7B-Instruct",
        config={"architectures": ["LlamaForCausalLM"], "model_type": "llama"},
        license="mit",
        gated="auto",
        safetensors_total=7_000_000_000,
    )
    hub.add_model("acme/odd-license", license="some-custom-thing", library_name="gguf")
    hub.add_model(
        "acme/Wonder-7B-GPTQ",
        config={"model_type": "llama", "architectures": ["LlamaForCausalLM"],
                "quantization_config": {"quant_method": "gptq", "bits": 4}},
        safetensors_total=1_000_000_000,
        tags=["gptq", "4-bit"],
    )  # fmt: skip
    discover(cat, client=client, author="acme")
    wonder = cat.get("acme/Wonder-7B-Instruct")
    assert wonder.id == "acme--wonder-7b-instruct" and wonder.tier == "hub"
    assert (wonder.license, wonder.access, wonder.params) == ("mit", "gated", 7_000_000_000)
    assert wonder.variant == "instruct" and wonder.family == "llama" and wonder.publisher == "acme"
    assert wonder.tunability == ("full", "lora", "qlora", "prompt-tuning")
    odd = cat.get("acme/odd-license")
    assert odd.license == "unknown" and odd.tunability == ()
    gptq = cat.get("acme/Wonder-7B-GPTQ")
    assert gptq.params is None and gptq.tunability == ("lora",)  # packed weights: no count
    runner = CliRunner()
    listed = runner.invoke(app, ["list", "--tier", "hub", "--format", "json"])
    assert listed.exit_code == 0
    assert {m["id"] for m in json.loads(listed.stdout)} == {
        "acme--wonder-7b-instruct", "acme--odd-license", "acme--wonder-7b-gptq",
    }  # fmt: skip
    shown = detail_json(model_detail(cat, wonder))
    assert shown["tier"] == "hub" and shown["hub"]["likes"] == 10
    assert shown["hub"]["license"] == "mit" and shown["hub"]["gated"] == "auto"


def test_filters_and_limits(cat: Catalog, hub: FakeHub, client: HubClient) -> None:
    hub.add_synthetic_models(300)
    limited = discover(cat, client=client, limit=40)
    assert limited.discovered == 40 and hub.count("list") == 1
    assert hub.requests("list")[0].param("limit") == ["40"]
    hub.reset_log()
    popular = discover(cat, client=client, min_downloads=100_000, pipeline_tag="text-generation")
    request = hub.requests("list")[0]
    assert request.param("sort") == ["downloads"] and request.param("pipeline_tag") == [
        "text-generation"
    ]
    for model_id in popular.synced + popular.unchanged:
        assert detail_json(model_detail(cat, cat.get(model_id)))["hub"]["downloads"] >= 100_000


def test_a_broken_listing_keeps_the_pages_already_stored(
    cat: Catalog, hub: FakeHub, make_client: Any, db_path: Path
) -> None:
    hub.add_synthetic_models(1500)
    client = make_client(max_retries=0)
    # The first page comes through; the second is a proxy's HTML page.
    first = _ListingThenFault(hub)
    report = discover(cat, client=client, progress=first)
    assert not report.ok and report.failed[0].model == "hub listing"
    assert "invalid JSON" in report.failed[0].error
    assert hub.count("list") == 2
    # the first page is stored: every listed model but the curated ones (kept as curated)
    curated = cat.count(_filters(tier="curated"))
    assert cat.count(_filters(tier="hub")) == len(report.synced) >= report.discovered - curated > 0
    result = CliRunner().invoke(app, ["sync", "--discover", "--retries", "0", "-f", "json"])
    assert result.exit_code == 1
    assert json.loads(result.stdout)["failed"][0]["model"] == "hub listing"


def test_a_large_discovery_in_bulk_rounds_stores_the_same(
    cat: Catalog, hub: FakeHub, client: HubClient, monkeypatch: Any, tmp_path: Path
) -> None:
    """Past its first pages a discovery writes in bulk rounds: the same rows, report and
    re-discovery as a discovery written page by page."""
    import catalog.sync.storage as storage

    hub.add_synthetic_models(2500)
    paged = discover(cat, client=client)
    monkeypatch.setattr(storage, "BULK_AFTER", 1000)
    monkeypatch.setattr(storage, "ROUND_MIN", 600)
    rounds: list[int] = []
    real_begin = storage.ListingWriter._begin_round

    def counted(writer: storage.ListingWriter) -> None:
        rounds.append(writer.written)
        real_begin(writer)

    monkeypatch.setattr(storage.ListingWriter, "_begin_round", counted)
    with Catalog.open(tmp_path / "bulk.db") as bulk:
        report = discover(bulk, client=client)
        assert rounds and rounds[0] >= 1000  # the first pages went page by page
        assert sorted(report.synced) == sorted(paged.synced) and report.ok
        assert bulk.count(_filters(tier="hub")) == cat.count(_filters(tier="hub"))
        ids = [m.id for m in cat.shortlist(search="llama", top=500)]
        assert ids and [m.id for m in bulk.shortlist(search="llama", top=500)] == ids
        again = discover(bulk, client=client)
        assert sorted(again.unchanged) == sorted(paged.synced) and again.synced == []


def test_cli_discovery_json(hub: FakeHub, db_path: Path) -> None:
    hub.add_synthetic_models(50)
    result = CliRunner().invoke(app, ["sync", "--discover", "--author", "TheBloke", "-f", "json"])
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    assert payload["requests"] == 1 and payload["failed"] == []
    assert all(i.startswith("thebloke--") for i in payload["synced"])


class _ListingThenFault:
    """A progress callback that breaks the listing once the first page is stored."""

    def __init__(self, hub: FakeHub) -> None:
        self.hub = hub

    def __call__(self, report: Any) -> None:
        if report.phase == "discover" and not self.hub.requests("list")[1:]:
            self.hub.inject("list", "non_json", times=None)


def _filters(**kwargs: Any) -> Any:
    from catalog.api import make_filters

    return make_filters(**kwargs)


def test_syncing_a_discovered_model_fetches_its_config_once(
    cat: Catalog, hub: FakeHub, client: HubClient
) -> None:
    """A listing stores no config.json: the first sync of that repo fetches it, the next does not."""
    config = {"architectures": ["LlamaForCausalLM"], "model_type": "llama", "hidden_size": 64}
    hub.add_model("acme/Listed-1B", config=config, license="mit")
    discover(cat, client=client, author="acme")
    model_id = hub_model_id("acme/Listed-1B")
    hub.reset_log()
    report = sync_catalog(cat, client=client, models=[model_id])
    assert report.synced == [model_id] and hub.counts().get("resolve", 0) == 1
    assert synced_config(cat, cat.get(model_id)) == config
    hub.reset_log()
    again = sync_catalog(cat, client=client, models=[model_id])
    assert again.unchanged == [model_id] and hub.counts().get("resolve", 0) == 0

"""Drift: where the Hub disagrees with a curated judgment it is recorded and shown, never applied."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from catalog.api import Catalog
from catalog.cli.main import app
from catalog.hub import HubClient
from catalog.store.hub_records import HubSnapshot
from catalog.sync import sync_catalog
from catalog.sync.drift import hub_param_figures
from catalog.testing.fake_hub import FakeHub
from catalog.views import detail_json, model_detail


def _drift(cat: Catalog, model_id: str) -> list[dict[str, object]]:
    return list(detail_json(model_detail(cat, cat.get(model_id)))["drift"])


def test_a_consistent_hub_shows_no_drift_even_with_tied_embeddings(
    cat: Catalog, hub: FakeHub, client: HubClient
) -> None:
    report = sync_catalog(cat, client=client)
    assert report.drift == []
    # falcon-7b's safetensors total stores the tied embedding twice (7.22B vs 6.92B curated)
    falcon = detail_json(model_detail(cat, cat.get("falcon-7b")))
    assert falcon["hub"]["safetensors_total"] == 7_217_189_760 and falcon["params"] == 6_921_720_704
    assert falcon["drift"] == []


def test_license_tag_change_is_drift(cat: Catalog, hub: FakeHub, client: HubClient) -> None:
    sync_catalog(cat, client=client)
    hub.update_model("EleutherAI/pythia-1b", license="mit")
    report = sync_catalog(cat, client=client)
    assert [d.to_json() for d in report.drift] == [
        {
            "model": "pythia-1b",
            "field": "license",
            "curated": "apache-2.0",
            "hub": "mit",
            "detail": "the Hub's license tag is 'mit'",
        }
    ]
    assert cat.get("pythia-1b").license == "apache-2.0"  # the curated value is kept
    assert _drift(cat, "pythia-1b") == [
        {
            "field": "license",
            "curated": "apache-2.0",
            "hub": "mit",
            "detail": "the Hub's license tag is 'mit'",
        }
    ]


def test_an_unknown_license_tag_is_drift_too(cat: Catalog, hub: FakeHub, client: HubClient) -> None:
    hub.update_model("EleutherAI/pythia-1b", license="openrail++")
    sync_catalog(cat, client=client, models=["pythia-1b"])
    [item] = _drift(cat, "pythia-1b")
    assert item["field"] == "license" and item["hub"] == "openrail++"


def test_gated_change_without_a_commit_is_found_by_the_cheap_check(
    cat: Catalog, hub: FakeHub, client: HubClient
) -> None:
    sync_catalog(cat, client=client)
    hub.get_model("meta-llama/Llama-2-7b-hf").gated = False  # a repo setting: no new commit
    hub.get_model("EleutherAI/gpt-j-6b").gated = "auto"
    hub.reset_log()
    report = sync_catalog(cat, client=client)
    assert report.synced == [] and hub.count("resolve") == 0
    found = {(d.model, d.field, d.curated, d.hub) for d in report.drift}
    assert found == {
        ("llama-2-7b", "access", "gated", "open"),
        ("gpt-j-6b", "access", "open", "gated"),
    }
    assert cat.get("llama-2-7b").access == "gated"


def test_parameter_count_off_is_drift(cat: Catalog, hub: FakeHub, client: HubClient) -> None:
    config = dict(hub.get_model("EleutherAI/gpt-neo-125m").config or {})
    config["num_layers"] = 24  # a different checkpoint: twice the layers
    hub.update_model("EleutherAI/gpt-neo-125m", config=config, safetensors_total=210_000_000)
    report = sync_catalog(cat, client=client, models=["gpt-neo-125m"])
    [item] = report.drift
    assert (item.field, item.curated) == ("params", 125_198_592)
    assert isinstance(item.hub, int) and item.hub > 1.02 * 125_198_592
    assert item.detail is not None and "config.json estimate" in item.detail
    assert cat.get("gpt-neo-125m").params == 125_198_592


def test_a_quantized_total_is_not_compared(cat: Catalog, hub: FakeHub, client: HubClient) -> None:
    hub.update_model(
        "mosaicml/mpt-7b", safetensors_total=900_000_000, tags=["gptq", "4-bit"]
    )  # packed int4 weights: far fewer stored elements
    report = sync_catalog(cat, client=client, models=["mpt-7b"])
    assert report.drift == []


def test_drift_goes_away_when_the_hub_agrees_again(
    cat: Catalog, hub: FakeHub, client: HubClient
) -> None:
    hub.update_model("EleutherAI/pythia-1b", license="mit")
    sync_catalog(cat, client=client, models=["pythia-1b"])
    assert _drift(cat, "pythia-1b")
    hub.update_model("EleutherAI/pythia-1b", license="apache-2.0")
    sync_catalog(cat, client=client, models=["pythia-1b"])
    assert _drift(cat, "pythia-1b") == []


def test_param_figures_account_for_tied_embeddings() -> None:
    config = {"model_type": "gpt2", "architectures": ["GPT2LMHeadModel"], "vocab_size": 100,
              "n_embd": 8, "n_layer": 1, "n_head": 2, "n_positions": 16}  # fmt: skip
    figures = hub_param_figures(
        HubSnapshot("gpt2-tiny", config=config, safetensors_total=5000, quantized=False)
    )
    assert figures["safetensors total, tied embedding once"] == 5000 - 100 * 8
    assert "config.json estimate" in figures
    assert hub_param_figures(HubSnapshot("q", safetensors_total=5000, quantized=True)) == {}


def test_cli_reports_drift(hub: FakeHub, db_path: Path) -> None:
    hub.update_model("EleutherAI/pythia-1b", license="mit")
    result = CliRunner().invoke(app, ["sync", "pythia-1b", "-f", "json"])
    assert result.exit_code == 0
    assert json.loads(result.stdout)["drift"] == [
        {
            "model": "pythia-1b",
            "field": "license",
            "curated": "apache-2.0",
            "hub": "mit",
            "detail": "the Hub's license tag is 'mit'",
        }
    ]
    table = CliRunner().invoke(app, ["sync", "pythia-1b", "--full"])
    assert "drift" in table.stdout and "mit" in table.stdout

"""One ``ModelDetail`` per model: ``modelcat show`` (every format) and the TUI detail read it."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from catalog.api import Catalog
from catalog.cli.main import app
from catalog.hub import HubClient
from catalog.licenses import IntendedUse
from catalog.store.hub_records import HubSnapshot
from catalog.sync import discover, sync_catalog
from catalog.testing.fake_hub import FakeHub
from catalog.testing.tiny_models import write_hf_cache
from catalog.views import detail_json, model_detail
from catalog.views.detail import LOCAL_CONFIG_SOURCE

LLAMA2 = "meta-llama/Llama-2-7b-hf"
REUPLOAD = "someone/Llama-2-7b-reupload"
SHOW_KEYS_BEFORE = {
    "license_summary", "estimate", "local", "benchmarks", "hub", "drift", "lineage",
}  # fmt: skip
"""The sections ``show --format json`` had before ``ModelDetail``: they must all stay."""


def _show(*args: str) -> str:
    result = CliRunner().invoke(app, ["show", *args])
    assert result.exit_code == 0, result.output
    return result.stdout


@pytest.fixture
def derivative(cat: Catalog, fake_hub: FakeHub) -> str:
    """A Hub re-upload of Llama 2 tagged apache-2.0, discovered; returns its catalog id."""
    config = {"architectures": ["LlamaForCausalLM"], "model_type": "llama"}
    fake_hub.add_model(REUPLOAD, config=config, license="apache-2.0", base_model=LLAMA2)
    discover(cat, client=HubClient(endpoint=fake_hub.url, token=False), author="someone")
    return cat.get(REUPLOAD).id


def test_a_derivative_is_judged_with_its_lineage_in_the_detail_and_in_show(
    cat: Catalog, derivative: str
) -> None:
    detail = model_detail(cat, derivative, use=IntendedUse(mau=800_000_000))
    assert detail.verdict is not None and detail.verdict.verdict == "forbidden"
    assert detail.verdict.license == "llama2"
    assert detail.lineage is not None and detail.lineage.licenses == ["apache-2.0", "llama2"]
    assert isinstance(detail.hub, HubSnapshot) and detail.hub.license == "apache-2.0"
    shown = json.loads(_show(derivative, "--format", "json"))
    assert SHOW_KEYS_BEFORE <= shown.keys()
    assert shown["license_verdict"]["license"] == "llama2"
    assert shown["license_verdict"]["use"]["use"] == "commercial"
    assert shown["lineage"]["licenses"] == ["apache-2.0", "llama2"]


@pytest.mark.parametrize("fmt", ["csv", "md", "table"])
def test_every_format_of_show_carries_the_same_detail(
    cat: Catalog, derivative: str, fmt: str
) -> None:
    shown = json.loads(_show(derivative, "--format", "json"))
    text = _show(derivative, "--format", fmt)
    expected = {
        "license_verdict.verdict": shown["license_verdict"]["verdict"],
        "hub.sha": shown["hub"]["sha"],
        "lineage.licenses": ", ".join(shown["lineage"]["licenses"]),
        "license_summary.id": shown["license_summary"]["id"],
    }
    if fmt == "csv":
        rows = {r["field"]: r["value"] for r in csv.DictReader(io.StringIO(text))}
        for field, value in expected.items():
            assert rows[field] == value
    elif fmt == "md":
        for field, value in expected.items():
            assert field in text and value in text
    else:  # for people: one group per section, the value under it
        lines = text.splitlines()
        for field, value in expected.items():
            group, key = field.split(".")
            start = lines.index(group.replace("_", " "))
            assert any(line.split() == [key, *value.split()] for line in lines[start:]), field


def test_show_estimates_from_the_local_copy_as_the_tui_detail_does(
    cat: Catalog, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A local copy whose config.json says 4096 tokens; the curated entry says 2048.
    pythia = cat.get("pythia-1b")
    assert pythia.hub_id is not None and pythia.context_length == 2048
    source = tmp_path / "pythia-copy"
    source.mkdir()
    config = {**(pythia.config or {}), "max_position_embeddings": 4096}
    (source / "config.json").write_text(json.dumps(config), encoding="utf-8")
    (source / "model.safetensors").write_bytes(b"")
    cache = tmp_path / "hf-cache"
    write_hf_cache(cache, repo_id=pythia.hub_id, source=source)
    monkeypatch.setenv("HF_HUB_CACHE", str(cache))

    detail = model_detail(cat, "pythia-1b")
    assert [copy.hub_id for copy in detail.local] == [pythia.hub_id]
    assert detail.shape_source == LOCAL_CONFIG_SOURCE
    assert [e.inference.context for e in detail.estimates] == [4096, 4096, 4096]
    shown = json.loads(_show("pythia-1b", "--format", "json"))
    assert shown["estimate"]["context"] == 4096
    assert shown["local"][0]["hub_id"] == pythia.hub_id


def test_before_a_sync_the_hub_section_is_empty_but_every_key_is_there(cat: Catalog) -> None:
    detail = model_detail(cat, "llama-2-7b")
    assert detail.hub is None and detail.hub_note is None and detail.drift == ()
    shown = detail_json(detail)
    assert shown["hub"]["sha"] is None and shown["hub"]["has_config"] is False
    api = model_detail(cat, "gpt-4o")
    assert api.hub_note is not None and api.local_note is not None and api.estimates == ()
    assert detail_json(api)["estimate"]["available"] is False


def test_a_synced_snapshot_reads_back_typed(
    cat: Catalog, fake_hub: FakeHub, monkeypatch: pytest.MonkeyPatch
) -> None:
    from catalog.testing.hub_seed import seed_curated

    seed_curated(fake_hub)
    sync_catalog(cat, client=HubClient(endpoint=fake_hub.url, token=False), models=["pythia-1b"])
    detail = model_detail(cat, "pythia-1b")
    assert detail.hub is not None and detail.hub.sha is not None
    assert detail.hub.gated is False  # typed: the Hub's False, not the stored text "false"
    assert detail_json(detail)["hub"]["gated"] is False

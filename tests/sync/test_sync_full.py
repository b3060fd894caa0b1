"""A first sync fills the Hub facts of every curated model, and ``show`` reports them."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable
from typing import Any

from typer.testing import CliRunner

from catalog.api import Catalog
from catalog.cli.main import app
from catalog.hub import HubClient
from catalog.sync import SyncProgress, sync_catalog
from catalog.testing.fake_hub import FakeHub
from catalog.testing.hub_seed import hub_requests
from catalog.views import detail_json, model_detail

HUB_KEYS = {
    "sha",
    "last_modified",
    "gated",
    "license",
    "downloads",
    "likes",
    "safetensors_total",
    "synced_at",
}


def test_show_has_null_hub_fields_before_any_sync(cat: Catalog) -> None:
    details = detail_json(model_detail(cat, cat.get("llama-2-7b")))
    assert HUB_KEYS <= set(details["hub"])
    assert all(details["hub"][k] is None for k in HUB_KEYS)
    assert details["drift"] == [] and details["lineage"] is None


def test_full_sync_fills_every_curated_model(
    cat: Catalog, hub: FakeHub, client: HubClient, curated: dict[str, Any]
) -> None:
    seen: list[SyncProgress] = []
    report = sync_catalog(cat, client=client, progress=seen.append)
    ids = {entry.id for entry in curated.values()}
    assert set(report.synced) == ids and not report.failed and not report.unchanged
    assert report.ok and report.drift == []
    assert report.requests == hub_requests(hub)
    # One info per model; config.json only where the repo is not gated (no token here).
    assert hub.count("info") == len(ids)
    gated = {e.id for e in curated.values() if e.access == "gated"}
    assert {w["model"] for w in report.warnings} == gated
    for hub_id, entry in curated.items():
        view = detail_json(model_detail(cat, cat.get(entry.id)))["hub"]
        fake = hub.get_model(hub_id)
        assert view["sha"] == fake.sha and view["synced_at"] is not None
        assert view["downloads"] == fake.downloads and view["likes"] == fake.likes
        assert view["gated"] == fake.gated and view["license"] == fake.license
        assert view["safetensors_total"] == (fake.safetensors or {}).get("total")
        assert view["last_modified"] is not None and view["error"] is None
        assert view["has_config"] is (entry.access != "gated")
    assert seen and seen[-1].phase == "done" and seen[-1].fraction == 1.0


def test_the_stored_config_is_the_full_file(cat: Catalog, hub: FakeHub, client: HubClient) -> None:
    from catalog.sync import synced_config

    sync_catalog(cat, client=client, models=["gpt-neox-20b"])
    config = synced_config(cat, cat.get("gpt-neox-20b"))
    assert config == hub.get_model("EleutherAI/gpt-neox-20b").config
    assert config is not None and "hidden_size" in config  # the API's config is only a subset


def test_curated_rows_are_never_written(cat: Catalog, hub: FakeHub, client: HubClient) -> None:
    before = {m.id: m.to_json(with_config=True) for m in cat.list(tier="curated")}
    hub.update_model("meta-llama/Llama-2-7b-hf", license="apache-2.0", gated=False)
    sync_catalog(cat, client=client)
    after = {m.id: m.to_json(with_config=True) for m in cat.list(tier="curated")}
    assert after == before


def test_cli_json_shape_and_exit_zero(hub: FakeHub, db_path: Any) -> None:
    result = CliRunner().invoke(
        app, ["sync", "--format", "json", "--retries", "0"], catch_exceptions=False
    )
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    assert {"synced", "unchanged", "failed", "drift", "requests"} <= set(payload)
    assert payload["failed"] == [] and len(payload["synced"]) > 50
    assert payload["requests"] == hub_requests(hub)
    shown = CliRunner().invoke(app, ["show", "falcon-7b", "--format", "json"])
    assert shown.exit_code == 0
    hub_part = json.loads(shown.stdout)["hub"]
    assert hub_part["sha"] == hub.get_model("tiiuae/falcon-7b").sha
    assert hub_part["has_config"] is True


def test_cli_names_models_and_rejects_bad_usage(hub: FakeHub, db_path: Any) -> None:
    runner = CliRunner()
    one = runner.invoke(app, ["sync", "pythia-1b", "EleutherAI/gpt-neo-125m", "-f", "json"])
    assert one.exit_code == 0, one.output
    assert sorted(json.loads(one.stdout)["synced"]) == ["gpt-neo-125m", "pythia-1b"]
    assert runner.invoke(app, ["sync", "gpt-4"]).exit_code == 2  # API-only: no hub_id
    assert runner.invoke(app, ["sync", "no-such-model"]).exit_code == 2
    assert runner.invoke(app, ["sync", "--author", "x"]).exit_code == 2  # needs --discover
    assert runner.invoke(app, ["sync", "--concurrency", "0"]).exit_code == 2
    assert runner.invoke(app, ["sync", "--discover", "pythia-1b"]).exit_code == 2


def test_a_first_sync_sends_the_fewest_requests(
    cat: Catalog, hub: FakeHub, make_client: Callable[..., HubClient], curated: dict[str, Any]
) -> None:
    """One info per model and one GET of config.json per repo that has one; no HEAD."""
    token = "hf_sync_counts"
    for hub_id in curated:
        hub.grant_access(hub_id, token)
    bare = "EleutherAI/pythia-1b"
    hub.update_model(bare, config=None)  # its info lists no config.json: nothing is asked
    hub.reset_log()
    report = sync_catalog(cat, client=make_client(token=token))
    assert report.ok and len(report.synced) == len(curated)
    assert [r.method for r in hub.requests() if r.method != "GET"] == []
    assert hub.count("info") == len(curated)
    assert {r.repo_id for r in hub.requests("info")} == set(curated)
    fetched = [r.repo_id for r in hub.requests("resolve")]
    assert sorted(fetched) == sorted(set(curated) - {bare})  # one each
    assert report.requests == hub_requests(hub) == 2 * len(curated) - 1
    snapshot = model_detail(cat, "pythia-1b").hub
    assert snapshot is not None and snapshot.config_note == "no config.json in the repository"

    hub.reset_log()
    again = sync_catalog(cat, client=make_client(token=token))
    authors = Counter(hub_id.split("/")[0] for hub_id in curated)
    assert again.unchanged and not again.synced
    # One listing per author of several repos, one small info per lone repo: one per author.
    assert again.requests == hub_requests(hub) == len(authors)
    assert hub.count("resolve") == 0

"""Issue 13, point 4: one bad Hub number, or one model the store refuses, fails that model
alone; every other model is stored, and the numbers that are stored are sane."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import text
from typer.testing import CliRunner

from catalog.api import Catalog
from catalog.cli.main import app
from catalog.errors import HubError
from catalog.hub import MAX_COUNT, HubClient, HubModel
from catalog.schema import MAX_PARAMS
from catalog.sync import discover, sync_catalog
from catalog.sync.hub_model import hub_model_id
from catalog.testing.fake_hub import FakeHub
from catalog.testing.hub_seed import seed_curated

HUGE = 10**30


def client_for(hub: FakeHub) -> HubClient:
    return HubClient(endpoint=hub.url, token=False, backoff=0.0, max_retries=1)


def test_a_huge_download_count_drops_that_field_and_the_sync_goes_on(
    cat: Catalog, fake_hub: FakeHub
) -> None:
    seed_curated(fake_hub)
    fake_hub.update_model("EleutherAI/pythia-1b", downloads=HUGE, safetensors_total=HUGE)
    report = sync_catalog(cat, client=client_for(fake_hub))
    assert report.ok and not report.failed
    assert "pythia-1b" in report.synced and len(report.synced) > 60
    warned = [w["warning"] for w in report.warnings if w["model"] == "pythia-1b"]
    assert any(w.startswith("downloads:") and "out of range" in w for w in warned)
    assert any(w.startswith("safetensors.total:") for w in warned)
    hub = cat.get("pythia-1b")
    from catalog.views import detail_json, model_detail

    view = detail_json(model_detail(cat, hub))["hub"]
    assert view["downloads"] is None and view["safetensors_total"] is None


def test_a_negative_parameter_count_is_dropped_and_nothing_downstream_breaks(
    cat: Catalog, fake_hub: FakeHub, db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake_hub.add_model(
        "acme/negative-7b",
        config={"architectures": ["LlamaForCausalLM"], "model_type": "llama"},
        safetensors_total=-5,
    )
    fake_hub.add_model("acme/huge-downloads", downloads=HUGE, safetensors_total=1_000_000)
    fake_hub.add_model("acme/fine", safetensors_total=2_000_000)
    report = discover(cat, client=client_for(fake_hub), author="acme")
    ids = {hub_model_id(r) for r in ("acme/negative-7b", "acme/huge-downloads", "acme/fine")}
    assert ids <= set(report.synced) and report.ok
    assert cat.get(hub_model_id("acme/negative-7b")).params is None
    assert cat.get(hub_model_id("acme/huge-downloads")).params == 1_000_000
    monkeypatch.setenv("MODELCAT_DB", str(db_path))
    model = hub_model_id("acme/negative-7b")
    for args in (
        ["show", model],
        ["shortlist", "--fits", "--tier", "hub", "--memory", "16GB"],
        ["advise", "--task", "chat", "--examples", "0"],
    ):
        result = CliRunner().invoke(app, args)
        assert result.exit_code in (0, 1), result.output
        assert "Traceback" not in result.output


@pytest.fixture
def refusing_store(cat: Catalog) -> Catalog:
    """A store that refuses to write one repo, as a full or broken disk would refuse one write."""
    with cat.engine.begin() as conn:
        conn.execute(
            text(
                "CREATE TRIGGER refuse_one BEFORE INSERT ON model WHEN NEW.hub_id = 'acme/doomed' "
                "BEGIN SELECT RAISE(ABORT, 'database or disk is full'); END"
            )
        )
    return cat


def test_a_storage_error_in_discovery_fails_that_model_alone(
    refusing_store: Catalog, fake_hub: FakeHub
) -> None:
    for name in ("acme/alpha", "acme/doomed", "acme/omega"):
        fake_hub.add_model(name, safetensors_total=1_000_000)
    report = discover(refusing_store, client=client_for(fake_hub), author="acme")
    assert [f.model for f in report.failed] == [hub_model_id("acme/doomed")]
    assert "disk full" in report.failed[0].error
    assert {hub_model_id("acme/alpha"), hub_model_id("acme/omega")} <= set(report.synced)
    assert refusing_store.get(hub_model_id("acme/omega")).params == 1_000_000


def test_a_storage_error_in_a_sync_fails_that_model_alone_and_exits_1(
    cat: Catalog, fake_hub: FakeHub, db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    seed_curated(fake_hub)
    with cat.engine.begin() as conn:
        conn.execute(
            text(
                "CREATE TRIGGER refuse_one BEFORE UPDATE ON hub_snapshot "
                "WHEN NEW.repo_id = 'EleutherAI/pythia-1b' AND NEW.sha IS NOT NULL "
                "BEGIN SELECT RAISE(ABORT, 'database or disk is full'); END"
            )
        )
        conn.execute(
            text(
                "CREATE TRIGGER refuse_new BEFORE INSERT ON hub_snapshot "
                "WHEN NEW.repo_id = 'EleutherAI/pythia-1b' AND NEW.sha IS NOT NULL "
                "BEGIN SELECT RAISE(ABORT, 'database or disk is full'); END"
            )
        )
    monkeypatch.setenv("MODELCAT_DB", str(db_path))
    monkeypatch.setenv("HF_ENDPOINT", fake_hub.url)
    result = CliRunner().invoke(app, ["sync", "--format", "json"])
    assert result.exit_code == 1, result.output
    report = json.loads(result.stdout)
    assert [f["model"] for f in report["failed"]] == ["pythia-1b"]
    assert (
        "disk full" in report["failed"][0]["error"] and str(db_path) in report["failed"][0]["error"]
    )
    assert len(report["synced"]) > 60


LEAF = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**40), max_value=10**40)
    | st.floats()
    | st.text(max_size=20)
)
NESTED = LEAF | st.lists(LEAF, max_size=4) | st.dictionaries(st.text(max_size=8), LEAF, max_size=4)
JSON = (
    NESTED | st.lists(NESTED, max_size=4) | st.dictionaries(st.text(max_size=8), NESTED, max_size=4)
)
ANSWER = st.fixed_dictionaries(
    {},
    optional={
        "id": st.sampled_from(["acme/x", "a/b\x1b", "", "../etc", "x" * 300])
        | st.text(max_size=10),
        "downloads": JSON,
        "likes": JSON,
        "safetensors": st.fixed_dictionaries(
            {}, optional={"total": JSON, "parameters": st.dictionaries(st.text(max_size=5), JSON)}
        )
        | JSON,
        "cardData": JSON,
        "config": JSON,
        "tags": JSON,
        "baseModels": JSON,
        "gated": JSON,
        "sha": JSON,
        "lastModified": JSON,
        "library_name": JSON,
    },
)


@settings(max_examples=400, deadline=1000)
@given(ANSWER)
def test_any_hub_answer_gives_a_bounded_model_or_a_hub_error(answer: dict[str, Any]) -> None:
    try:
        model = HubModel.from_api(answer)
    except HubError:
        return
    for count in (model.downloads, model.likes):
        assert count is None or 0 <= count <= MAX_COUNT
    assert model.safetensors_total is None or 1 <= model.safetensors_total <= MAX_PARAMS
    assert all(1 <= v <= MAX_PARAMS for v in model.safetensors_parameters.values())
    texts = json.dumps([model.card_data, model.config_subset, model.tags, model.base_models])
    assert json.loads(texts) is not None  # plain, finite JSON
    for value in (model.license, model.license_name, model.sha, *model.tags, *model.base_models):
        assert value is None or not any(ord(c) < 32 or 0x7F <= ord(c) <= 0x9F for c in value)

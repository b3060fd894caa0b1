"""A re-sync asks only the cheap question unless something changed (or --full)."""

from __future__ import annotations

from typing import Any

from catalog.api import Catalog
from catalog.hub import HubClient
from catalog.sync import sync_catalog
from catalog.sync.fetch import CHEAP_EXPAND
from catalog.testing.fake_hub import FakeHub
from catalog.testing.hub_seed import hub_requests
from catalog.views import detail_json, model_detail


def _authors(curated: dict[str, Any]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for hub_id in curated:
        author = hub_id.split("/", 1)[0]
        counts[author] = counts.get(author, 0) + 1
    return counts


def test_no_change_resync_makes_only_the_cheap_check(
    cat: Catalog, hub: FakeHub, client: HubClient, curated: dict[str, Any]
) -> None:
    sync_catalog(cat, client=client)
    hub.reset_log()
    report = sync_catalog(cat, client=client)
    ids = {e.id for e in curated.values()}
    assert set(report.unchanged) == ids and report.synced == [] and report.ok
    authors = _authors(curated)
    shared = {a for a, n in authors.items() if n > 1}
    alone = {h for h in curated if authors[h.split("/", 1)[0]] == 1}
    # One listing per author with several repos, one small info per lone repo, nothing else.
    assert hub.count("list") == len(shared)
    assert {r.param("author")[0] for r in hub.requests("list")} == shared
    assert hub.count("info") == len(alone)
    assert {r.repo_id for r in hub.requests("info")} == alone
    assert all(r.param("expand") == list(CHEAP_EXPAND) for r in hub.requests("info"))
    assert hub.count("resolve") == 0
    assert report.requests == hub_requests(hub) < len(ids) // 2


def test_a_changed_model_is_fetched_again_and_only_it(
    cat: Catalog, hub: FakeHub, client: HubClient
) -> None:
    sync_catalog(cat, client=client)
    new = hub.update_model("EleutherAI/pythia-1b", downloads=42, likes=7)
    hub.update_model("EleutherAI/gpt-neo-125m", downloads=5)
    hub.get_model("tiiuae/falcon-7b").downloads = 123  # no commit: volatile field only
    hub.reset_log()
    report = sync_catalog(cat, client=client)
    assert sorted(report.synced) == ["gpt-neo-125m", "pythia-1b"]
    fetched = {r.repo_id for r in hub.requests("info") if r.param("expand") != list(CHEAP_EXPAND)}
    assert fetched == {"EleutherAI/pythia-1b", "EleutherAI/gpt-neo-125m"}
    view = detail_json(model_detail(cat, cat.get("pythia-1b")))["hub"]
    assert view["sha"] == new.sha and view["downloads"] == 42 and view["likes"] == 7
    # The cheap check refreshed a volatile field without fetching the model again.
    assert "falcon-7b" in report.unchanged
    assert detail_json(model_detail(cat, cat.get("falcon-7b")))["hub"]["downloads"] == 123


def test_full_fetches_everything_again(
    cat: Catalog, hub: FakeHub, client: HubClient, curated: dict[str, Any]
) -> None:
    sync_catalog(cat, client=client)
    hub.reset_log()
    report = sync_catalog(cat, client=client, full=True)
    assert len(report.synced) == len(curated) and report.unchanged == []
    assert hub.count("list") == 0 and hub.count("info") == len(curated)


def test_a_model_that_failed_is_retried_next_time(
    cat: Catalog, hub: FakeHub, client: HubClient
) -> None:
    sync_catalog(cat, client=client)
    hub.update_model("EleutherAI/pythia-1b", likes=1)
    hub.inject("info", "not_found", repo_id="EleutherAI/pythia-1b", times=None)
    first = sync_catalog(cat, client=client)
    assert [f.model for f in first.failed] == ["pythia-1b"]
    hub.clear_faults()
    second = sync_catalog(cat, client=client)
    assert second.synced == ["pythia-1b"] and second.ok
    assert detail_json(model_detail(cat, cat.get("pythia-1b")))["hub"]["error"] is None


def test_concurrency_one_gives_the_same_result(
    cat: Catalog, hub: FakeHub, client: HubClient, curated: dict[str, Any]
) -> None:
    report = sync_catalog(cat, client=client, concurrency=1)
    assert len(report.synced) == len(curated) and report.ok

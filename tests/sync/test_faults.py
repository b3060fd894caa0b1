"""Every fault the Hub can throw ends in a per-model failure with a reason; the rest is stored."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from catalog.api import Catalog
from catalog.cli.main import app
from catalog.hub import HubClient
from catalog.sync import sync_catalog
from catalog.testing.fake_hub import FakeHub
from catalog.views import detail_json, model_detail
from tests.sync.store_checks import assert_consistent

REPO = "EleutherAI/pythia-1b"
MODEL_ID = "pythia-1b"

FAULTS = [
    ("info", "rate_limit", {"retry_after": 0}, "rate limited"),
    ("info", "server_error", {}, "HTTP 500"),
    ("info", "server_error", {"status": 503}, "HTTP 503"),
    ("info", "timeout", {"delay": 1.0}, "no answer within"),
    ("info", "disconnect", {}, "connection"),
    ("info", "truncated_json", {}, "invalid JSON"),
    ("info", "short_body", {}, "connection broke"),
    ("info", "non_json", {}, "invalid JSON"),
    ("info", "gated", {}, "gated"),
    ("info", "not_found", {}, "repo not found"),
    ("resolve", "entry_not_found", {}, "config.json of EleutherAI/pythia-1b"),
    ("resolve", "server_error", {"status": 502}, "HTTP 502"),
    ("resolve", "truncated_json", {}, "not valid JSON"),
]


@pytest.mark.parametrize(("route", "kind", "options", "reason"), FAULTS, ids=lambda v: str(v))
def test_fault_fails_one_model_and_keeps_the_rest(
    cat: Catalog,
    hub: FakeHub,
    make_client: Callable[..., HubClient],
    curated: dict[str, Any],
    db_path: Path,
    route: Any,
    kind: Any,
    options: dict[str, Any],
    reason: str,
) -> None:
    hub.inject(route, kind, repo_id=REPO, times=None, **options)
    report = sync_catalog(cat, client=make_client(timeout=0.5))
    assert [f.model for f in report.failed] == [MODEL_ID]
    failure = report.failed[0]
    assert reason in failure.error and failure.hub_id == REPO
    assert not report.ok
    assert set(report.synced) == {e.id for e in curated.values()} - {MODEL_ID}
    view = detail_json(model_detail(cat, cat.get(MODEL_ID)))["hub"]
    assert view["error"] == failure.error and view["sha"] is None
    assert_consistent(db_path)
    hub.clear_faults()
    again = sync_catalog(cat, client=make_client())
    assert again.synced == [MODEL_ID] and again.ok


def test_a_failed_update_keeps_what_was_stored(
    cat: Catalog, hub: FakeHub, client: HubClient, db_path: Path
) -> None:
    sync_catalog(cat, client=client)
    old = detail_json(model_detail(cat, cat.get(MODEL_ID)))["hub"]
    hub.update_model(REPO, likes=1)
    hub.inject("resolve", "entry_not_found", repo_id=REPO, times=None)
    report = sync_catalog(cat, client=client)
    assert [f.model for f in report.failed] == [MODEL_ID]
    now = detail_json(model_detail(cat, cat.get(MODEL_ID)))["hub"]
    assert now["sha"] == old["sha"] and now["likes"] == old["likes"]  # the old commit's facts
    assert now["error"] is not None and "file not found" in now["error"]
    assert_consistent(db_path)


def test_429_waits_as_long_as_retry_after_says(
    cat: Catalog, hub: FakeHub, client: HubClient
) -> None:
    hub.inject("info", "rate_limit", repo_id=REPO, times=1, retry_after=1)
    started = time.monotonic()
    report = sync_catalog(cat, client=client, models=[MODEL_ID])
    waited = time.monotonic() - started
    assert report.synced == [MODEL_ID] and report.ok
    assert hub.count("info", repo_id=REPO, status=429) == 1
    assert hub.count("info", repo_id=REPO, status=200) == 1
    assert waited >= 1.0  # the client slept for Retry-After before asking again


def test_a_failing_author_listing_falls_back_to_single_checks(
    cat: Catalog, hub: FakeHub, client: HubClient
) -> None:
    sync_catalog(cat, client=client)
    hub.reset_log()
    hub.inject("list", "not_found", times=1)
    report = sync_catalog(cat, client=client)
    assert report.ok and report.synced == []
    assert hub.count("info") > 0  # the listed author's repos were checked one by one


def test_cli_exits_1_names_the_failed_model_and_stores_the_others(
    hub: FakeHub, db_path: Path
) -> None:
    hub.inject("info", "not_found", repo_id=REPO, times=None)
    result = CliRunner().invoke(app, ["sync", "--format", "json"])
    assert result.exit_code == 1
    payload = json.loads(result.stdout)
    assert payload["failed"] == [
        {
            "model": MODEL_ID,
            "error": f"model info for {REPO}: repo not found (it does not exist or is private)",
            "hub_id": REPO,
        }
    ]
    assert len(payload["synced"]) > 50
    table = CliRunner().invoke(app, ["sync", MODEL_ID])
    assert table.exit_code == 1
    assert MODEL_ID in table.stdout and "repo not found" in table.stdout
    assert_consistent(db_path)

"""Offline mode sends nothing and says so in one line; a token is used but never shown or stored."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from catalog.api import Catalog
from catalog.cli.main import app
from catalog.errors import HubOfflineError
from catalog.hub import HubClient
from catalog.sync import discover, sync_catalog
from catalog.testing.fake_hub import FakeHub
from catalog.views import detail_json, model_detail

ROOT = Path(__file__).resolve().parents[2]
TOKEN = "hf_modelcatTestTokenThatMustNeverLeak0123"


def test_offline_cli_sends_nothing_and_exits_1(
    hub: FakeHub, db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    result = CliRunner().invoke(app, ["sync"])
    assert result.exit_code == 1
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "offline" in lines[0] and "HF_HUB_OFFLINE" in lines[0]
    assert CliRunner().invoke(app, ["sync", "--discover", "--limit", "5"]).exit_code == 1
    assert hub.requests() == []
    listing = CliRunner().invoke(app, ["list", "--format", "json"])  # the catalog still works
    assert listing.exit_code == 0 and len(json.loads(listing.stdout)) > 50


def test_offline_api_raises_before_any_request(cat: Catalog, hub: FakeHub) -> None:
    client = HubClient(endpoint=hub.url, token=False, offline=True)
    with pytest.raises(HubOfflineError):
        sync_catalog(cat, client=client)
    with pytest.raises(HubOfflineError):
        discover(cat, client=client)
    assert hub.requests() == []


def test_token_is_used_but_never_printed_or_stored(
    cat: Catalog, hub: FakeHub, db_path: Path, curated: dict[str, Any]
) -> None:
    gated = [h for h, e in curated.items() if e.access == "gated"]
    for hub_id in gated:
        hub.grant_access(hub_id, TOKEN)
    hub.inject("info", "gated", repo_id=gated[0], times=None)  # an error message with a token
    env = dict(os.environ, HF_TOKEN=TOKEN, MODELCAT_DB=str(db_path))
    outputs = []
    for fmt in ("json", "table"):
        done = subprocess.run(
            [sys.executable, "-c", "from catalog.cli.main import run; run()", "sync", "-f", fmt],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert done.returncode == 1, done.stderr  # the injected gated failure
        outputs += [done.stdout, done.stderr]
    payload = json.loads(outputs[0])
    assert [f["hub_id"] for f in payload["failed"]] == [gated[0]]
    assert "token" in payload["failed"][0]["error"]
    assert payload["warnings"] == []  # with access granted, gated configs download
    assert hub.requests() and all(r.token_present for r in hub.requests())
    assert (
        detail_json(model_detail(cat, cat.get(curated[gated[1]].id)))["hub"]["has_config"] is True
    )
    for text in outputs:
        assert TOKEN not in text
    cat.close()
    for path in db_path.parent.glob(db_path.name + "*"):  # the database, its WAL and SHM
        assert TOKEN.encode() not in path.read_bytes()

"""Sync without a network: the first failure to connect at all stops the sync within seconds
with one line on stderr (the endpoint, and HF_HUB_OFFLINE=1), exit 1, the store unchanged."""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, func, select
from typer.testing import CliRunner

from catalog.api import Catalog
from catalog.cli.main import app
from catalog.errors import HubUnreachableError
from catalog.hub import HubClient
from catalog.store.hub_tables import HUB_DRIFT, HUB_SNAPSHOT
from catalog.sync import SyncProgress, sync_catalog
from catalog.testing.fake_hub import FakeHub
from tests.sync.store_checks import assert_consistent


@pytest.fixture
def nowhere(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """``HF_ENDPOINT`` on a port of 127.0.0.1 where nothing listens: every connect is refused."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    endpoint = f"http://127.0.0.1:{port}"
    monkeypatch.setenv("HF_ENDPOINT", endpoint)
    monkeypatch.setenv("HF_HUB_OFFLINE", "0")
    yield endpoint


def hub_rows(db: Path) -> tuple[int, int]:
    engine = create_engine(f"sqlite:///{db}")
    try:
        with engine.connect() as conn:
            count = func.count()
            return (
                conn.execute(select(count).select_from(HUB_SNAPSHOT)).scalar_one(),
                conn.execute(select(count).select_from(HUB_DRIFT)).scalar_one(),
            )
    finally:
        engine.dispose()


@pytest.mark.parametrize("args", [["sync"], ["sync", "--full"], ["sync", "--discover"]])
def test_no_route_to_the_hub_is_one_line_exit_1_and_nothing_stored(
    nowhere: str, db_path: Path, args: list[str]
) -> None:
    Catalog.open(db_path).close()
    before = hub_rows(db_path)

    started = time.monotonic()
    result = CliRunner().invoke(app, [*args, "--retries", "3"])
    elapsed = time.monotonic() - started

    assert result.exit_code == 1
    assert elapsed < 5.0, f"took {elapsed:.1f} s"
    assert result.stdout == ""  # no table of identical per-model failures
    [line] = result.stderr.strip().splitlines()
    assert nowhere in line and "connection refused" in line and "HF_HUB_OFFLINE=1" in line
    assert hub_rows(db_path) == before == (0, 0)  # not even a failure recorded per model


def test_json_output_stays_empty_and_the_line_goes_to_stderr(nowhere: str) -> None:
    result = CliRunner().invoke(app, ["sync", "--format", "json"])
    assert result.exit_code == 1 and result.stdout == ""
    assert "cannot reach the Hub" in result.stderr


def test_a_connection_lost_midway_keeps_the_models_already_synced(
    hub: FakeHub, db_path: Path
) -> None:
    client = HubClient(endpoint=hub.url, token=False, timeout=2.0, backoff=0.0, max_retries=3)

    def lose_the_network(progress: SyncProgress) -> None:
        if progress.message.startswith("synced") and progress.done >= 3:
            hub.stop()

    with Catalog.open(db_path) as cat, pytest.raises(HubUnreachableError) as caught:
        sync_catalog(cat, client=client, concurrency=1, progress=lose_the_network)

    assert "models synced before it are kept" in str(caught.value)
    synced, _ = hub_rows(db_path)
    assert synced >= 3  # what finished stays, whole
    assert_consistent(db_path)


def test_one_models_fault_keeps_the_per_model_report(hub: FakeHub) -> None:
    repo = "EleutherAI/pythia-1b"
    hub.inject("info", "not_found", repo_id=repo, times=None)
    result = CliRunner().invoke(app, ["sync"])
    assert result.exit_code == 1
    assert "pythia-1b" in result.stdout and "repo not found" in result.stdout
    assert "cannot reach" not in result.output

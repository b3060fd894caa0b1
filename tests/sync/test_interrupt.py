"""A sync killed midway (SIGKILL) or cancelled (Ctrl-C) leaves a consistent store; the next one completes."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, func, select
from sqlalchemy.exc import DBAPIError

from catalog.api import Catalog
from catalog.store.hub_tables import HUB_SNAPSHOT
from catalog.sync import sync_catalog
from catalog.testing.fake_hub import FakeHub
from tests.sync.store_checks import assert_consistent

ROOT = Path(__file__).resolve().parents[2]
SLOW_REPO = "meta-llama/Llama-2-13b-hf"  # about a third of the way through the sorted ids


def _start_sync(*args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-c", "from catalog.cli.main import run; run()", "sync", *args],
        cwd=ROOT,
        env=dict(os.environ),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _synced_rows(db_path: Path) -> int:
    engine = create_engine(f"sqlite:///{db_path}")
    try:
        with engine.connect() as conn:
            stmt = (
                select(func.count())
                .select_from(HUB_SNAPSHOT)
                .where(HUB_SNAPSHOT.c.sha.is_not(None))
            )
            return int(conn.execute(stmt).scalar_one())
    except DBAPIError:
        return 0  # not created yet
    finally:
        engine.dispose()


def _wait_until_stuck(process: subprocess.Popen[str], fault: Any, db_path: Path) -> int:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        assert process.poll() is None, process.communicate()
        rows = _synced_rows(db_path)
        if fault.hits and rows >= 5:
            return rows
        time.sleep(0.05)
    raise AssertionError("the sync never reached the slow repository")


def test_sigkill_midway_leaves_a_consistent_store(
    cat: Catalog, hub: FakeHub, db_path: Path, curated: dict[str, Any]
) -> None:
    fault = hub.inject("info", "timeout", repo_id=SLOW_REPO, times=None, delay=60)
    process = _start_sync("--concurrency", "1", "--timeout", "60", "--format", "json")
    rows = _wait_until_stuck(process, fault, db_path)
    process.send_signal(signal.SIGKILL)
    process.communicate(timeout=30)  # also closes the pipes
    assert process.returncode == -signal.SIGKILL
    assert_consistent(db_path)
    assert 5 <= rows < len(curated)
    hub.clear_faults()
    again = _start_sync("--format", "json")
    out, errors = again.communicate(timeout=300)
    assert again.returncode == 0, errors
    payload = json.loads(out)
    assert payload["failed"] == []
    assert len(payload["synced"]) + len(payload["unchanged"]) == len(curated)
    assert len(payload["unchanged"]) >= 5  # what the killed run finished is kept
    assert_consistent(db_path)
    assert _synced_rows(db_path) == len(curated)


def test_ctrl_c_cancels_cleanly(
    cat: Catalog, hub: FakeHub, db_path: Path, curated: dict[str, Any]
) -> None:
    fault = hub.inject("info", "timeout", repo_id=SLOW_REPO, times=None, delay=60)
    process = _start_sync(
        "--concurrency", "1", "--timeout", "2", "--retries", "0", "--format", "json"
    )
    _wait_until_stuck(process, fault, db_path)
    process.send_signal(signal.SIGINT)
    out, errors = process.communicate(timeout=60)
    assert process.returncode == 1, errors
    payload = json.loads(out)
    assert payload["cancelled"] is True and payload["skipped"]
    assert "Traceback" not in errors
    done = set(payload["synced"]) | {f["model"] for f in payload["failed"]}
    assert done.isdisjoint(payload["skipped"])
    assert len(done) + len(payload["skipped"]) == len(curated)
    assert_consistent(db_path)
    hub.clear_faults()
    report = sync_catalog(cat, client=_client(hub))
    assert report.ok


def _client(hub: FakeHub) -> Any:
    from catalog.hub import HubClient

    return HubClient(endpoint=hub.url, token=False, timeout=2.0, backoff=0.0)

"""Issue 13, point 8: a big overlay is rebuilt in memory that does not grow with it, a problem
at its very end leaves the store as it was, and a full disk is "disk full" and where.

How fast a 50 MB overlay is rebuilt is measured by ``bench/big_overlay.py``, not here."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event

from catalog.api import Catalog
from catalog.errors import DataFileError, StorageError
from catalog.store.convert import model_row
from catalog.store.tables import MODEL
from catalog.testing.big_overlay import entry, write_overlay
from catalog.testing.guard import MODELCAT, run_guarded
from tests.core.test_store import _hub_model as hub_model


def rebuild_peak_mb(tmp_path: Path, count: int) -> float:
    overlay = write_overlay(tmp_path / f"overlay-{count}", count)
    db = tmp_path / f"store-{count}.db"
    run = run_guarded(["--db", str(db), "--data", str(overlay), "db", "info"], timeout=300)
    assert run.code == 0 and not run.timed_out, run.stderr
    built = next(line for line in run.stdout.splitlines() if line.startswith("curated_models"))
    assert int(built.split()[1].replace(",", "")) > count
    return run.peak_mb


def test_memory_does_not_grow_with_the_overlay(tmp_path: Path) -> None:
    small = rebuild_peak_mb(tmp_path, 1_000)
    big = rebuild_peak_mb(tmp_path, 20_000)
    # Held whole, 19,000 more entries cost over 100 MB (a node tree, then every row at once).
    assert big - small < 40, (small, big)


def test_a_problem_in_the_last_entry_leaves_the_store_as_it_was(tmp_path: Path) -> None:
    folder = tmp_path / "overlay"
    folder.mkdir()
    with Catalog.open(tmp_path / "store.db", data_dir=folder) as cat:
        before = cat.info()
        bad = entry(999_999).replace("access: open", "access: sometimes")
        write_overlay(folder, 5_000, last=bad)
        with pytest.raises(DataFileError) as raised:
            cat.rebuild()
        assert "sometimes" in str(raised.value) and "bulk-999999" in str(raised.value)
        after = cat.info()
    assert (after.curated_models, after.data_digest) == (before.curated_models, before.data_digest)


def test_a_store_that_cannot_grow_stops_the_rebuild_with_disk_full(tmp_path: Path) -> None:
    """SQLite's page cap stands in for a full disk: the same SQLITE_FULL as a full filesystem."""
    folder = tmp_path / "overlay"
    folder.mkdir()
    db = tmp_path / "store.db"
    with Catalog.open(db, data_dir=folder) as cat:
        before = cat.info().curated_models
        with cat.connect() as conn:
            pages = conn.exec_driver_sql("PRAGMA page_count").scalar_one()

        def cap(dbapi_connection: Any, _record: Any) -> None:
            dbapi_connection.execute(f"PRAGMA max_page_count = {pages + 8}")

        event.listen(cat.engine, "connect", cap)
        cat.engine.dispose()  # the next connection gets the cap
        write_overlay(folder, 5_000)
        with pytest.raises(StorageError) as raised:
            cat.rebuild()
        assert str(raised.value).startswith(f"disk full: cannot write the store at {db}")
        assert cat.info().curated_models == before


def _tiny_filesystem_available() -> bool:
    if shutil.which("unshare") is None:
        return False
    probe = subprocess.run(
        ["unshare", "--user", "--map-root-user", "--mount", "sh", "-c",
         "mount -t tmpfs -o size=1m tmpfs /mnt"],
        capture_output=True, check=False,
    )  # fmt: skip
    return probe.returncode == 0


@pytest.mark.skipif(
    not _tiny_filesystem_available(),
    reason="needs unshare and unprivileged user and mount namespaces to mount a 1 MB tmpfs",
)
def test_a_really_full_filesystem_is_disk_full_and_where(tmp_path: Path) -> None:
    overlay = write_overlay(tmp_path / "overlay", 5_000)
    disk = tmp_path / "disk"
    disk.mkdir()
    store = disk / "store.db"
    command = f'mount -t tmpfs -o size=1m tmpfs "{disk}" && exec "{MODELCAT}" "$@"'
    done = subprocess.run(
        ["unshare", "--user", "--map-root-user", "--mount", "sh", "-c", command, "sh",
         "--db", str(store), "--data", str(overlay), "db", "info"],
        capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    assert done.returncode == 2, done.stderr
    assert done.stderr.splitlines() == [
        f"modelcat: disk full: cannot write the store at {store} (database or disk is full)"
    ]


def test_the_text_index_follows_a_bulk_rebuild(tmp_path: Path) -> None:
    """The rebuild fills the text index in one statement: shipped entries, overlay entries, an
    overlay entry replacing a shipped one and one replacing a Hub-discovered row are all found
    by their new text, none by the text they replaced, and SQLite finds the index whole."""
    folder = tmp_path / "overlay"
    folder.mkdir()
    with Catalog.open(tmp_path / "store.db", data_dir=folder) as cat:
        with cat.engine.begin() as conn:
            conn.execute(MODEL.insert(), [model_row(hub_model("bulk-7"), commercial_use="yes")])
        renamed = entry(0).replace("id: bulk-0", "id: gpt-j-6b").replace("Bulk 0", "Zebra J")
        write_overlay(folder, 50, last=renamed)
        for _ in range(2):  # the second rebuild replaces rows the first one indexed
            cat.rebuild()
            assert [m.id for m in cat.list(search="zebra j")] == ["gpt-j-6b"]
            assert cat.list(search="gpt-j 6b") == []  # the shipped name it replaced
            assert [m.id for m in cat.list(search="bulk 7")] == ["bulk-7"]
            assert cat.list(search="someone") == []  # the Hub row's publisher
            assert "llama-2-70b" in [m.id for m in cat.list(search="llama 2 70b")]
            with cat.engine.begin() as conn:
                conn.exec_driver_sql(
                    "INSERT INTO model_search(model_search, rank) VALUES ('integrity-check', 1)"
                )

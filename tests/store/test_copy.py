"""``modelcat db copy``: a whole catalog moves between stores with every row as it was."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from typer.testing import CliRunner

from catalog.api import Catalog
from catalog.bench.store import load_results, save_result
from catalog.cli.main import app
from catalog.hub import HubClient
from catalog.store.copy import rows_by_table
from catalog.store.engine import make_engine
from catalog.store.upgrade import target_metadata
from catalog.sync import discover, sync_catalog
from catalog.testing.fake_hub import FakeHub
from catalog.testing.hub_seed import seed_curated
from tests.bench_store.results import machine, result

POLICY = "use:\n  use: research\ndeny_licenses: [llama2]\n"
SYNCED = ["llama-2-7b", "mistral-7b", "falcon-7b", "pythia-1b", "gpt-neox-20b"]


def fill(url: str, hub: FakeHub) -> None:
    """A store with rows in every table: curated, synced, discovered, benchmarks, saved items."""
    seed_curated(hub)
    hub.add_synthetic_models(250, seed=5)
    hub.update_model("meta-llama/Llama-2-7b-hf", license="apache-2.0")  # drift
    client = HubClient(endpoint=hub.url, token=False, timeout=2.0, backoff=0.0, max_retries=1)
    with Catalog.open(url) as cat:
        report = sync_catalog(cat, client=client, models=SYNCED)
        assert not report.failed and report.drift
        assert not discover(cat, client=client, limit=250).failed
        for i, cpu in enumerate(["box a", "box b"]):
            save_result(cat, result(on=machine(cpu=cpu), perplexity=1.0 / 3 + i), machine_name=cpu)
        cat.save_list("default", ["llama-2-7b", "mistral-7b"])
        cat.save_list("team", ["falcon-7b"], query={"filters": {"access": ["open"]}, "top": 1})
        cat.save_policy("legal", POLICY)


def test_every_table_is_filled_by_the_fixture(tmp_path: Path, fake_hub: FakeHub) -> None:
    url = f"sqlite:///{tmp_path / 'full.db'}"
    fill(url, fake_hub)
    rows = _rows(url)
    assert {name for name, found in rows.items() if not found} == set()
    assert set(rows) == {t.name for t in target_metadata().sorted_tables}


def test_sqlite_to_postgresql_and_back_is_identical(
    tmp_path: Path, fake_hub: FakeHub, pg_url: str
) -> None:
    first = f"sqlite:///{tmp_path / 'first.db'}"
    back = tmp_path / "back.db"
    fill(first, fake_hub)
    runner = CliRunner()
    there = runner.invoke(app, ["db", "copy", "--from", first, "--to", pg_url, "-f", "json"])
    assert there.exit_code == 0, there.output
    again = runner.invoke(app, ["db", "copy", "--from", pg_url, "--to", str(back), "-f", "json"])
    assert again.exit_code == 0, again.output
    original = _rows(first)
    assert _rows(pg_url) == original
    assert _rows(f"sqlite:///{back}") == original
    assert json.loads(there.stdout)["tables"] == {t: len(r) for t, r in original.items()}
    # Byte for byte in the SQLite files too (JSON text, timestamps, SQL NULL vs JSON null).
    assert _raw(tmp_path / "first.db") == _raw(back)
    # And the copy works as a catalog.
    with Catalog.open(first) as cat:
        hub_models = cat.info().hub_models
    with Catalog.open(pg_url) as cat:
        assert cat.saved_list("team") == ["falcon-7b"]
        assert len(load_results(cat)) == 2
        assert cat.info().hub_models == hub_models > 100
        assert cat.saved_policy("legal") is not None


def test_copy_refuses_a_target_with_its_own_data(tmp_path: Path, db_url: str) -> None:
    source = f"sqlite:///{tmp_path / 'source.db'}"
    with Catalog.open(source) as cat:
        cat.save_list("mine", ["llama-2-7b"])
    with Catalog.open(db_url) as cat:  # the curated part alone is fine to overwrite
        pass
    runner = CliRunner()
    ok = runner.invoke(app, ["db", "copy", "--from", source, "--to", db_url])
    assert ok.exit_code == 0, ok.output
    with Catalog.open(db_url) as cat:
        cat.save_list("theirs", ["mistral-7b"])
    refused = runner.invoke(app, ["db", "copy", "--from", source, "--to", db_url])
    assert refused.exit_code == 2 and "--replace" in refused.stderr
    with Catalog.open(db_url) as cat:
        assert cat.saved_list("theirs") == ["mistral-7b"]  # untouched
    unasked = runner.invoke(app, ["db", "copy", "--from", source, "--to", db_url, "--replace"])
    assert unasked.exit_code == 2 and "2 saved_list rows" in unasked.stderr
    assert "--yes" in unasked.stderr
    forced = runner.invoke(
        app, ["db", "copy", "--from", source, "--to", db_url, "--replace", "--yes"]
    )
    assert forced.exit_code == 0
    with Catalog.open(db_url) as cat:
        assert cat.saved_lists() == ["mine"]
    same = runner.invoke(app, ["db", "copy", "--from", db_url, "--to", db_url])
    assert same.exit_code == 2


def _raw(path: Path) -> dict[str, list[tuple[object, ...]]]:
    with sqlite3.connect(path) as conn:
        return {
            t.name: sorted(conn.execute(f"SELECT * FROM {t.name}").fetchall(), key=repr)
            for t in target_metadata().sorted_tables
        }


def _rows(url: str) -> dict[str, list[tuple[object, ...]]]:
    engine = make_engine(url)
    try:
        return dict(rows_by_table(engine))
    finally:
        engine.dispose()

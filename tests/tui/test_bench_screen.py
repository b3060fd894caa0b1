"""The benchmark screen against a tiny real model in a Hugging Face cache: it finds the local
copy of the highlighted model, runs in a worker with progress and a log, charts the result, and
cancels cleanly; without torch it says how to install it."""

# Tests of the TUI drive textual directly (the TID251 ban keeps textual out of catalog/).

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from textual.pilot import Pilot
from textual.widgets import DataTable, Input, Static

from catalog.testing.tiny_models import TinyModels, session_models, write_hf_cache
from tests.tui.conftest import SIZE
from tests.tui.helpers import settle
from tui.app import ModelcatApp
from tui.screens.bench import BenchScreen
from tui.screens.detail import DetailScreen
from tui.screens.local import LocalScreen
from tui.widgets.bench_chart import BenchChart
from tui.widgets.task_panel import TaskPanel

HUB_ID = "EleutherAI/pythia-1b"
"""A curated model's Hub id; the tiny model is cached under it so the catalog entry links."""


@pytest.fixture(scope="module")
def tiny(tmp_path_factory: pytest.TempPathFactory) -> TinyModels:
    pytest.importorskip("torch")
    pytest.importorskip("transformers")
    return session_models(tmp_path_factory)


@pytest.fixture
def cached(tiny: TinyModels, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The tiny Llama in a Hub cache as ``EleutherAI/pythia-1b``; returns its snapshot folder."""
    cache = tmp_path / "hf-cache"
    monkeypatch.delenv("HUGGINGFACE_HUB_CACHE", raising=False)
    monkeypatch.setenv("HF_HUB_CACHE", str(cache))
    monkeypatch.setenv("TRANSFORMERS_OFFLINE", "1")
    return write_hf_cache(cache, repo_id=HUB_ID, source=tiny.llama).snapshot


def settings(screen: BenchScreen, *, prompt: int, gen: int, repeat: int) -> None:
    for key, value in (("prompt", prompt), ("gen", gen), ("repeat", repeat)):
        screen.query_one(f"#{key}", Input).value = str(value)


async def open_bench(app: ModelcatApp, pilot: Pilot[None]) -> BenchScreen:
    await settle(pilot)
    await pilot.press("slash", *"pythia-1b", "enter", "b")
    await settle(pilot)
    screen = app.screen
    assert isinstance(screen, BenchScreen)
    return screen


@pytest.mark.bench
async def test_b_finds_the_local_copy_runs_and_charts(app: ModelcatApp, cached: Path) -> None:
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_bench(app, pilot)
        assert screen.target == "pythia-1b"
        assert Path(screen.query_one("#path", Input).value) == cached
        settings(screen, prompt=16, gen=4, repeat=2)
        await pilot.click("#start")
        await settle(pilot)
        assert len(screen.results) == 1
        result = screen.results[0]
        assert result.decode_tps.mean > 0 and result.peak_memory_bytes > 0
        chart = screen.query_one(BenchChart)
        assert chart.results == [result]
        # The bar's number is explained with the run's settings, so unlike runs are told apart.
        legend = str(chart.query_one("#legend", Static).render())
        assert legend.startswith("1 pythia-1b p16 g4 ") and legend.endswith("t")
        log = screen.query_one(TaskPanel).log_text
        assert "load…" in log and "decode…" in log and "decode" in log.splitlines()[-1]
        assert "Benchmark done" in [n.title for n in app._notifications]
        # Stored against the catalog entry: the browse column and the detail history show it.
        from catalog.bench.store import load_results

        [stored] = load_results(app.catalog, model="pythia-1b")
        assert stored.id == result.id and stored.catalog_id == "pythia-1b"
        await pilot.press("escape")
        await settle(pilot)
        bench = [c.key for c in app.browse.table.columns].index("bench")
        [row] = app.browse.table.loaded_rows()
        assert row.key == "pythia-1b" and row.cells[bench].text == f"{result.decode_tps.mean:.1f}"
        await pilot.press("enter")
        await settle(pilot)
        detail = app.screen
        assert isinstance(detail, DetailScreen) and detail.data is not None
        assert [r.id for r in detail.data.bench] == [result.id]


@pytest.mark.bench
async def test_the_chart_starts_with_stored_runs(
    app_factory: Callable[..., ModelcatApp], cached: Path
) -> None:
    first = app_factory()
    async with first.run_test(size=SIZE) as pilot:
        screen = await open_bench(first, pilot)
        settings(screen, prompt=16, gen=4, repeat=2)
        await pilot.click("#start")
        await settle(pilot)
        [run] = screen.results
    again = app_factory()
    async with again.run_test(size=SIZE) as pilot:
        screen = await open_bench(again, pilot)
        assert [r.id for r in screen.results] == [run.id]
        assert [r.id for r in screen.query_one(BenchChart).results] == [run.id]


@pytest.mark.bench
async def test_cancel_stops_the_run_and_records_nothing(app: ModelcatApp, cached: Path) -> None:
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_bench(app, pilot)
        settings(screen, prompt=16, gen=400, repeat=50)
        await pilot.click("#start")
        await pilot.click("#cancel")
        await settle(pilot)
        assert screen.results == []
        assert "Cancelled: nothing was recorded." in screen.query_one(TaskPanel).log_text
        assert not screen.running


async def test_a_bad_folder_is_an_error_notification_not_a_crash(
    app: ModelcatApp, tmp_path: Path
) -> None:
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_bench(app, pilot)
        screen.query_one("#path", Input).value = str(tmp_path / "nothing-here")
        await pilot.click("#start")
        await settle(pilot)
        assert app.is_running and screen.results == []
        assert any(n.severity == "error" for n in app._notifications)
        assert "Failed:" in screen.query_one(TaskPanel).log_text


async def test_without_torch_the_screen_says_how_to_install_it(
    app: ModelcatApp, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "torch", None)  # what `import torch` sees when not installed
    folder = tmp_path / "model"
    folder.mkdir()
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_bench(app, pilot)
        screen.query_one("#path", Input).value = str(folder)
        await pilot.click("#start")
        await settle(pilot)
        assert app.is_running and isinstance(app.screen, BenchScreen)
        assert screen.results == [] and not screen.running
        hint = "modelcat bench needs torch and transformers: pip install 'modelcat[bench]'"
        assert f"Failed: {hint}" in screen.query_one(TaskPanel).log_text
        [note] = [n for n in app._notifications if n.severity == "error"]
        assert hint in note.message


@pytest.mark.bench
async def test_the_local_models_screen_lists_links_and_benchmarks(
    app: ModelcatApp, cached: Path
) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("i")
        await settle(pilot)
        local = app.screen
        assert isinstance(local, LocalScreen)
        assert app.focused is local.query_one(DataTable)
        [entry] = local.entries
        assert entry.model.path == cached and entry.model.catalog_id == "pythia-1b"
        assert entry.last_run is None
        await pilot.press("b")
        await settle(pilot)
        bench = app.screen
        assert isinstance(bench, BenchScreen) and bench.target == "pythia-1b"
        assert Path(bench.query_one("#path", Input).value) == cached
        assert app.focused is bench.query_one("#start")
        settings(bench, prompt=16, gen=4, repeat=2)
        await pilot.press("enter")
        await settle(pilot)
        [run] = bench.results
        assert run.catalog_id == "pythia-1b"  # the linked copy: stored against its entry
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen is local
        [entry] = local.entries
        assert entry.last_run is not None and entry.last_run.id == run.id
        assert "tok/s" in str(local.query_one(DataTable).get_row_at(0)[-1])
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, DetailScreen) and app.screen.model_id == "pythia-1b"

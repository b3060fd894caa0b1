"""Quitting: q from the table, a question anywhere else or while a task runs, ctrl+c like quit,
and the real process gone within 2 seconds of the answer, with nothing half-written stored."""

# Tests of the TUI drive textual directly (the TID251 ban keeps textual out of catalog/).

from __future__ import annotations

import os
import shutil
import sqlite3
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from textual.widgets import Input

from catalog.api import Catalog
from catalog.testing.fake_hub import FakeHub
from catalog.testing.tiny_models import TinyModels, session_models, write_hf_cache
from tests.tui.conftest import SIZE
from tests.tui.helpers import settle
from tests.tui.terminal import Terminal
from tui.app import ModelcatApp
from tui.modals.confirm import QuitModal
from tui.screens.detail import DetailScreen
from tui.screens.sync import SyncScreen

GONE_WITHIN = 2.0
"""Seconds from the last key to the process having exited (the issue's bound)."""


async def test_q_quits_from_the_table_but_types_in_the_search_box(app: ModelcatApp) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("slash", "q")
        assert app.browse.query_one("#search", Input).value == "q"
        assert app.is_running
        await pilot.press("escape", "q")
        await pilot.pause()
        assert app.return_code == 0 and not app.is_running


async def test_q_elsewhere_asks_and_no_stays(app: ModelcatApp) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, DetailScreen)
        await pilot.press("q")
        assert isinstance(app.screen, QuitModal)
        await pilot.press("n")
        assert isinstance(app.screen, DetailScreen) and app.is_running


async def test_ctrl_c_quits_even_from_a_text_field(app: ModelcatApp) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("slash", "ctrl+c")
        await pilot.pause()
        assert not app.is_running


async def test_quitting_during_a_sync_asks_once_then_cancels_it(
    app: ModelcatApp, online: FakeHub
) -> None:
    online.inject("info", "timeout", times=None, delay=0.5)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("s", "enter")
        screen = app.screen
        assert isinstance(screen, SyncScreen) and screen.running
        task = screen.long_task
        assert task is not None
        await pilot.press("escape", "q")  # from the table: a task runs, so it asks
        assert isinstance(app.screen, QuitModal)
        assert "sync with the Hub is running" in str(app.screen.question)
        assert app.is_running and not task.cancel.is_set()
        await pilot.press("ctrl+c")  # a second quit key while it asks: quit
        await pilot.pause()
        assert task.cancel.is_set() and not app.is_running


# -- the real process ---------------------------------------------------------------------


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    """The environment of the real process: a store and Hub cache of the test's own."""
    keep = ("PATH", "HOME", "LANG", "LC_ALL", "PYTHONPATH", "VIRTUAL_ENV")
    base = {k: v for k, v in os.environ.items() if k in keep}
    return {
        **base,
        "MODELCAT_DB": str(tmp_path / "store.db"),
        "HF_HOME": str(tmp_path / "hf-home"),
        "HF_HUB_CACHE": str(tmp_path / "hf-cache"),
        "TRANSFORMERS_OFFLINE": "1",
    }


@pytest.fixture
def terminal(tmp_path: Path) -> Iterator[list[Terminal]]:
    """Terminals the test opens, killed at the end whatever happened."""
    opened: list[Terminal] = []
    yield opened
    for term in opened:
        term.close()


def stored_store(path: Path) -> sqlite3.Connection:
    db = sqlite3.connect(path)
    assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    return db


def assert_gone_quickly(term: Terminal) -> None:
    """The process exits cleanly (code 0, no traceback) within ``GONE_WITHIN`` of the last key."""
    answered = time.monotonic()
    code = term.wait_exit(timeout=GONE_WITHIN + 3)
    took = time.monotonic() - answered
    assert code == 0, term.text[-2000:]
    assert took <= GONE_WITHIN, f"the process took {took:.2f} s to leave"
    assert "Traceback" not in term.text


def test_q_during_a_sync_stuck_on_the_network_leaves_within_2_s(
    fake_hub: FakeHub, env: dict[str, str], terminal: list[Terminal], tmp_path: Path
) -> None:
    """As with no network: every Hub answer hangs for 30 s; the process must not wait for it."""
    fake_hub.inject("any", "timeout", times=None, delay=30)
    term = Terminal(
        ["tui"], cwd=tmp_path, env={**env, "HF_ENDPOINT": fake_hub.url, "HF_HUB_OFFLINE": "0"}
    )
    terminal.append(term)
    term.wait_for("no filters")
    term.press("s")
    term.wait_for("Start sync")
    term.press("enter")
    deadline = time.monotonic() + 30
    while not fake_hub.requests() and time.monotonic() < deadline:
        time.sleep(0.1)
    assert fake_hub.requests(), "the sync never reached the Hub"
    term.press("q")
    term.wait_for("Quit and cancel it?")
    term.press("y")
    assert_gone_quickly(term)
    db = stored_store(tmp_path / "store.db")
    assert db.execute("SELECT count(*) FROM hub_snapshot").fetchone() == (0,)


@pytest.mark.bench
def test_ctrl_c_twice_during_a_benchmark_leaves_within_2_s_and_stores_nothing(
    env: dict[str, str],
    terminal: list[Terminal],
    tmp_path: Path,
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    pytest.importorskip("torch")
    pytest.importorskip("transformers")
    tiny: TinyModels = session_models(tmp_path_factory)
    write_hf_cache(Path(env["HF_HUB_CACHE"]), repo_id="EleutherAI/pythia-1b", source=tiny.llama)
    term = Terminal(["tui"], cwd=tmp_path, env={**env, "HF_HUB_OFFLINE": "1"})
    terminal.append(term)
    term.wait_for("no filters")
    time.sleep(1)  # the first paint comes before the table has focus
    term.press("/", "pythia-1b", "enter")
    term.wait_for("1 model")
    term.press("b")
    term.wait_for("Ready.")
    # Focus is on Run: back through repeats, generated and prompt tokens (typing replaces).
    term.press("shift+tab", "500", "shift+tab", "400", "shift+tab", "16")
    term.press("tab", "tab", "tab", "enter")
    term.wait_for("load…", timeout=60)
    term.press("ctrl+c")
    term.wait_for("benchmark of pythia-1b is running")
    term.press("ctrl+c")
    assert_gone_quickly(term)
    with Catalog.open(tmp_path / "store.db") as cat:
        from catalog.bench.store import load_results

        assert load_results(cat) == []
    stored_store(tmp_path / "store.db")
    shutil.rmtree(env["HF_HUB_CACHE"], ignore_errors=True)

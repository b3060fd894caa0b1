"""The sync screen: against the local fake Hub once ``catalog.sync`` exists; until then it says
so and offers nothing to start."""

# Tests of the TUI drive textual directly (the TID251 ban keeps textual out of catalog/).
# ruff: noqa: TID251

from __future__ import annotations

import pytest
from textual.widgets import Button, ProgressBar, Static

from tests.fixtures.fake_hub import FakeHub
from tests.tui.conftest import SIZE
from tests.tui.helpers import settle
from tui import features
from tui.app import ModelcatApp
from tui.screens.browse import BrowseScreen
from tui.screens.sync import SyncScreen
from tui.widgets.task_panel import TaskPanel


@pytest.mark.skipif(features.available("sync"), reason="catalog.sync exists")
async def test_without_catalog_sync_the_screen_says_so(app: ModelcatApp) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("s")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, SyncScreen)
        notes = [str(w.render()) for w in screen.query(".unavailable").results(Static)]
        assert any("not available yet" in n for n in notes)
        assert screen.query_one("#start", Button).disabled


@pytest.mark.skipif(not features.available("sync"), reason="needs catalog.sync")
async def test_sync_against_the_fake_hub(app: ModelcatApp, fake_hub: FakeHub) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("s")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, SyncScreen)
        await pilot.click("#start")
        await settle(pilot)
        panel = screen.query_one(TaskPanel)
        assert "Failed" not in panel.log_text
        assert len(panel.log_text.splitlines()) > 2
        assert screen.query_one(ProgressBar).percentage == 1.0
        assert fake_hub.count("info") > 0
        assert not any(n.severity == "error" for n in app._notifications)
        await pilot.press("escape")
        assert isinstance(app.screen, BrowseScreen)


@pytest.mark.skipif(not features.available("sync"), reason="needs catalog.sync")
async def test_leaving_the_sync_screen_keeps_it(app: ModelcatApp) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("s")
        first = app.screen
        await pilot.press("escape", "s")
        assert app.screen is first

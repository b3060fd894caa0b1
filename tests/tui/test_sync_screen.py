"""The sync screen: against the local fake Hub once ``catalog.sync`` exists; until then it says
so and offers nothing to start."""

# Tests of the TUI drive textual directly (the TID251 ban keeps textual out of catalog/).

from __future__ import annotations

import pytest
from textual.widgets import Button, ProgressBar, Static

from tests.fixtures.fake_hub import FakeHub
from tests.tui.conftest import SIZE
from tests.tui.helpers import settle
from tui import features
from tui.app import ModelcatApp
from tui.screens.browse import BrowseScreen
from tui.screens.detail import DetailScreen
from tui.screens.sync import SyncScreen
from tui.widgets.task_panel import TaskPanel


@pytest.fixture
def online(fake_hub: FakeHub, monkeypatch: pytest.MonkeyPatch) -> FakeHub:
    """The fake Hub, and huggingface_hub's import-time offline flag cleared.

    Other TUI tests run offline (``HF_HUB_OFFLINE=1``); if one of them imported huggingface_hub
    first, its constant stayed True and every request would be refused.
    """
    import huggingface_hub.constants as hub_constants

    monkeypatch.setattr(hub_constants, "HF_HUB_OFFLINE", False)
    return fake_hub


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
async def test_sync_against_the_fake_hub(app: ModelcatApp, online: FakeHub) -> None:
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
        assert online.count("info") > 0
        report = screen.report
        assert report is not None and report.synced and not report.cancelled
        assert str(report) in panel.log_text
        for failure in report.failed:  # e.g. gated repos without a token: logged, not fatal
            assert f"failed {failure.model}: {failure.error}" in panel.log_text
        assert not any(n.severity == "error" for n in app._notifications)
        await pilot.press("escape")
        assert isinstance(app.screen, BrowseScreen)
        # The detail screen now shows the Hub facts of a synced model.
        app.open_detail(report.synced[0])
        await settle(pilot)
        detail = app.screen
        assert isinstance(detail, DetailScreen) and detail.data is not None
        assert detail.data.hub is not None and detail.data.hub.get("sha")


@pytest.mark.skipif(not features.available("sync"), reason="needs catalog.sync")
async def test_cancel_stops_the_sync(app: ModelcatApp, online: FakeHub) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("s")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, SyncScreen)
        screen.start()
        screen.cancel()  # before the worker thread gets far: the sync sees the event set
        await settle(pilot)
        assert screen.report is not None and screen.report.cancelled
        assert "Sync cancelled" in screen.query_one(TaskPanel).log_text
        assert not screen.running


@pytest.mark.skipif(not features.available("sync"), reason="needs catalog.sync")
async def test_leaving_the_sync_screen_keeps_it(app: ModelcatApp) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("s")
        first = app.screen
        await pilot.press("escape", "s")
        assert app.screen is first

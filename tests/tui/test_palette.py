"""The command palette: jump to a model by a loose spelling of its id, every screen by name."""

# Tests of the TUI drive textual directly (the TID251 ban keeps textual out of catalog/).

from __future__ import annotations

from textual.command import CommandPalette

from tests.tui.conftest import SIZE
from tests.tui.helpers import settle
from tui.app import ModelcatApp
from tui.screens.advisor import AdvisorScreen
from tui.screens.detail import DetailScreen


async def run_command(app: ModelcatApp, pilot: object, query: str) -> None:
    from textual.pilot import Pilot

    assert isinstance(pilot, Pilot)
    await pilot.press("ctrl+p")
    assert isinstance(app.screen, CommandPalette)
    await pilot.press(*query)
    await pilot.pause(0.5)  # the palette searches its providers in the background
    await settle(pilot)
    await pilot.press("enter")
    await settle(pilot)


async def test_a_loose_id_jumps_to_the_model_from_any_screen(app: ModelcatApp) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("a")
        assert isinstance(app.screen, AdvisorScreen)
        await pilot.press("escape")
        await run_command(app, pilot, "gmma31b")
        screen = app.screen
        assert isinstance(screen, DetailScreen) and screen.model_id == "gemma-3-1b"
        assert len(app.screen_stack) == 2  # straight over the browse screen


async def test_screens_by_name(app: ModelcatApp) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await run_command(app, pilot, "Advisor")
        assert isinstance(app.screen, AdvisorScreen)
        await run_command(app, pilot, "Browse models")
        assert app.screen is app.browse


async def test_every_sort_and_reset_filters(app: ModelcatApp) -> None:
    from textual.widgets import Select

    from catalog.search import Sort
    from tui.widgets.filter_panel import FilterPanel

    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.browse.query_one(FilterPanel).query_one("#access", Select).value = "gated"
        await settle(pilot)
        assert app.filters.access == "gated"
        await pilot.press("l")
        await run_command(app, pilot, "Sort by params descending")
        assert app.screen is app.browse and app.sort == Sort("params", descending=True)
        await run_command(app, pilot, "Reset filters")
        assert app.filters.access == ""
        assert app.browse.query_one(FilterPanel).query_one("#access", Select).is_blank()

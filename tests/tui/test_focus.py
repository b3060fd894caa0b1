"""Focus for keyboard people: each screen opens on its first useful widget, single-letter keys
never act inside text fields or dropdowns, the advisor keeps its answers, export asks before
replacing a file and offers the last format again."""

# Tests of the TUI drive textual directly (the TID251 ban keeps textual out of catalog/).

from __future__ import annotations

from pathlib import Path

from textual.containers import VerticalScroll
from textual.widgets import Button, DataTable, Input, RadioButton, Select

from tests.tui.conftest import SIZE
from tests.tui.helpers import settle
from tui.app import ModelcatApp
from tui.modals.confirm import ConfirmModal
from tui.modals.export import ExportModal
from tui.screens.advisor import AdvisorScreen
from tui.screens.browse import BrowseScreen
from tui.widgets.filter_panel import FilterPanel
from tui.widgets.model_table import ModelTable


async def test_every_screen_opens_on_its_first_useful_widget(app: ModelcatApp) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert isinstance(app.focused, ModelTable)
        expected = {
            "a": ("#task", Input),  # the advisor's first field
            "s": ("#start", Button),  # sync: Start
            "i": ("#local-models", DataTable),
            "l": ("#licenses", DataTable),
            "question_mark": ("#keys", DataTable),
        }
        for key, (selector, kind) in expected.items():
            await pilot.press(key)
            await settle(pilot)
            assert app.focused is app.screen.query_one(selector, kind), key
            await pilot.press("escape")
            await settle(pilot)
        await pilot.press("b")  # the benchmark: Run
        await settle(pilot)
        assert app.focused is app.screen.query_one("#start", Button)
        await pilot.press("escape", "enter")  # the detail: its content, scrollable by keys
        await settle(pilot)
        assert app.focused is app.screen.query_one("#detail", VerticalScroll)
        await pilot.press("escape", "space", "space", "c")  # compare: the table
        await settle(pilot)
        assert app.focused is app.screen.query_one(DataTable)


async def test_letters_are_text_in_fields_and_dropdowns(app: ModelcatApp) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("space")  # one mark, so e would open the export dialog
        family = app.browse.query_one(FilterPanel).query_one("#family", Select)
        family.focus()
        await pilot.press(*"aelscqi", "question_mark")
        assert app.screen is app.browse and app.focused is family
        await pilot.press("enter")  # the open dropdown list, too
        assert app.focused is not family and app.focused is not None
        await pilot.press(*"aelsc")
        assert app.screen is app.browse
        await pilot.press("escape", "escape", "slash", *"qa")  # list closed, back to the table
        assert app.browse.query_one("#search", Input).value == "qa"
        assert isinstance(app.screen, BrowseScreen)


async def test_the_advisor_keeps_its_answers_and_result(app: ModelcatApp) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("a", *"classify tickets")
        screen = app.screen
        assert isinstance(screen, AdvisorScreen)
        await pilot.press("enter")
        await settle(pilot)
        advice = screen.advice
        assert advice is not None
        await pilot.press("escape", "escape", "a")
        await settle(pilot)
        assert app.screen is screen and screen.advice is advice
        assert screen.query_one("#task", Input).value == "classify tickets"
        assert screen.query_one("#advice", DataTable).row_count == len(advice.shortlist)


async def test_export_remembers_the_format_and_asks_before_replacing(
    app: ModelcatApp, tmp_path: Path
) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("space", "e")
        modal = app.screen
        assert isinstance(modal, ExportModal)
        target = tmp_path / "exports" / "modelcat-shortlist.csv"
        modal.query_one("#fmt-csv", RadioButton).value = True
        await pilot.pause()
        assert f"Writes {target}" in str(modal.query_one("#where").render())
        await pilot.press("enter")
        await settle(pilot)
        first = target.read_text()
        target.write_text("mine")
        await pilot.press("e")
        modal = app.screen
        assert isinstance(modal, ExportModal)
        assert modal.fmt == "csv" and modal.query_one("#path", Input).value == str(target)
        assert "exists" in str(modal.query_one("#where").render())
        await pilot.press("enter")
        assert isinstance(app.screen, ConfirmModal)
        await pilot.press("n")
        await settle(pilot)
        assert target.read_text() == "mine"  # kept
        await pilot.press("e", "enter", "y")
        await settle(pilot)
        assert target.read_text() == first  # replaced after the yes

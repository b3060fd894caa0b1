"""The advisor screen calls ``catalog.advisor.advise`` with the form's answers and the intended
use, shows the plan, the shortlist and the alternatives, and opens a suggested model."""

# Tests of the TUI drive textual directly (the TID251 ban keeps textual out of catalog/).

from __future__ import annotations

from typing import Any

from textual.widgets import Checkbox, DataTable, Input, Static

from catalog.advisor import advise
from catalog.api import Catalog
from tests.tui.conftest import SIZE
from tests.tui.helpers import settle
from tui.app import ModelcatApp
from tui.screens.advisor import AdvisorScreen
from tui.screens.detail import DetailScreen


async def test_advise_shows_the_plan_and_models_and_opens_one(
    app: ModelcatApp, cat: Catalog, machine: Any
) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("a")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, AdvisorScreen)
        screen.query_one("#task", Input).value = "classify support tickets"
        screen.query_one("#examples", Input).value = "5000"
        screen.query_one("#on_prem", Checkbox).value = True
        await pilot.click("#advise")
        await settle(pilot)
        want = advise(answers=screen.answers(), catalog=cat, hardware=machine)
        assert screen.advice is not None and screen.advice.approach == want.approach
        assert str(screen.query_one("#plan", Static).render()) == want.plan()
        table = screen.query_one("#advice", DataTable)
        ids = [str(table.get_row_at(i)[0]) for i in range(table.row_count)]
        assert ids == [c.model.id for c in want.shortlist] and ids
        assert not any(cat.get(i).is_api for i in ids)  # on premises: no API models
        alternatives = screen.query_one("#alternatives", DataTable)
        assert alternatives.row_count == len(want.alternatives)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, DetailScreen) and app.screen.model_id == ids[0]


async def test_a_bad_answer_is_a_notification(app: ModelcatApp) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("a")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, AdvisorScreen)
        await pilot.click("#advise")  # no task given
        await settle(pilot)
        assert app.is_running and isinstance(app.screen, AdvisorScreen)
        [note] = [n for n in app._notifications if n.severity == "error"]
        assert "task" in note.message

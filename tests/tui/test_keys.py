"""Every key of issue 7 (and the command palette), through Pilot, asserting what changed."""

# Tests of the TUI drive textual directly (the TID251 ban keeps textual out of catalog/).

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from textual.widgets import DataTable, Input, RadioButton

from catalog.api import SHORTLIST_SORT, Catalog, make_filters
from tests.tui.conftest import SIZE
from tests.tui.helpers import settle, shown_ids, status_text
from tui.app import ModelcatApp
from tui.modals.error import ErrorModal
from tui.modals.export import ExportModal
from tui.screens.advisor import AdvisorScreen
from tui.screens.bench import BenchScreen
from tui.screens.browse import BrowseScreen
from tui.screens.compare import CompareScreen
from tui.screens.detail import DetailScreen
from tui.screens.help import HelpScreen
from tui.screens.licenses import LicensesScreen
from tui.screens.sync import SyncScreen
from tui.state import SHORTLIST_NAME


def ranked(cat: Catalog) -> list[str]:
    return [m.id for m in cat.query(make_filters(), sort=SHORTLIST_SORT)]


async def test_enter_opens_the_highlighted_model_and_escape_returns(
    app: ModelcatApp, cat: Catalog
) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("down", "enter")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, DetailScreen)
        assert screen.model_id == ranked(cat)[1]
        assert screen.data is not None and screen.data.model.id == ranked(cat)[1]
        assert screen.data.verdict is not None
        await pilot.press("escape")
        assert isinstance(app.screen, BrowseScreen)


async def test_space_marks_and_the_shortlist_is_stored(app: ModelcatApp, cat: Catalog) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        first, second, third = ranked(cat)[:3]
        await pilot.press("space", "space")
        assert app.shortlist.ids == [first, second]
        assert cat.saved_list(SHORTLIST_NAME) == [first, second]
        assert app.browse.table.marked == {first, second}
        assert "2 marked" in status_text(app)
        assert app.browse.highlighted == third  # marking moves down, ready for the next
        await pilot.press("up", "space")  # unmarking moves down too, as in file managers
        assert cat.saved_list(SHORTLIST_NAME) == [first]
        assert app.browse.highlighted == third


async def test_the_shortlist_survives_a_restart(
    app_factory: Callable[..., ModelcatApp], cat: Catalog
) -> None:
    first = ranked(cat)[0]
    async with app_factory().run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("space")
    again = app_factory()
    async with again.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert again.shortlist.ids == [first]
        assert again.browse.table.marked == {first}


async def test_c_compares_two_to_four_marked_models(app: ModelcatApp, cat: Catalog) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("c")
        assert isinstance(app.screen, BrowseScreen)
        assert "Mark 2 to 4 models" in list(app._notifications)[-1].message
        await pilot.press("space", "space", "c")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, CompareScreen)
        first, second = ranked(cat)[:2]
        assert screen.ids == [first, second]
        table = screen.query_one(DataTable)
        assert [c.label.plain for c in table.columns.values()] == ["", first, second]
        differ = screen.differing()
        a, b = cat.get(first), cat.get(second)
        assert ("family" in differ) == (a.family != b.family)
        assert ("license" in differ) == (a.license != b.license)
        assert "access" not in differ or a.access != b.access


async def test_c_refuses_more_than_four(app: ModelcatApp) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press(*["space"] * 5, "c")
        assert isinstance(app.screen, BrowseScreen)
        assert "(5 marked)" in list(app._notifications)[-1].message


async def test_e_exports_the_shortlist_and_shows_the_path(
    app: ModelcatApp, cat: Catalog, tmp_path: Path
) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("space", "space", "e")
        assert isinstance(app.screen, ExportModal)
        await pilot.press("enter")
        await settle(pilot)
        target = tmp_path / "exports" / "modelcat-shortlist.json"
        data = json.loads(target.read_text())
        assert [m["id"] for m in data] == ranked(cat)[:2]
        assert str(target) in list(app._notifications)[-1].message
        assert app.last_export == target


async def test_e_exports_csv_when_chosen(app: ModelcatApp, cat: Catalog, tmp_path: Path) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("space", "e")
        modal = app.screen
        assert isinstance(modal, ExportModal)
        modal.query_one("#fmt-csv", RadioButton).value = True
        await pilot.pause()
        assert modal.query_one("#path", Input).value.endswith(".csv")
        await pilot.press("enter")
        await settle(pilot)
        lines = (tmp_path / "exports" / "modelcat-shortlist.csv").read_text().splitlines()
        assert lines[0].startswith("id,name,family,publisher")
        assert lines[1].startswith(ranked(cat)[0] + ",")


async def test_e_with_nothing_marked_explains(app: ModelcatApp) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("e")
        assert isinstance(app.screen, BrowseScreen)
        assert "Mark models with space" in list(app._notifications)[-1].message


async def test_l_opens_licenses_and_lists_the_highlighted_licenses_models(
    app: ModelcatApp, cat: Catalog
) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("l")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, LicensesScreen)
        licenses = screen.query_one("#licenses", DataTable)
        assert licenses.row_count == len(cat.licenses())
        first = screen.license_id
        assert first == cat.licenses()[0].id
        models = screen.query_one("#license-models")
        want = [m.id for m in cat.query(make_filters(license=[first]))]
        assert [r.key for r in models.loaded_rows()] == want  # type: ignore[attr-defined]
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, DetailScreen) and app.screen.model_id == want[0]


async def test_a_s_help_and_b_open_their_screens(app: ModelcatApp, cat: Catalog) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        for key, kind in (("a", AdvisorScreen), ("s", SyncScreen), ("question_mark", HelpScreen)):
            await pilot.press(key)
            await settle(pilot)
            assert isinstance(app.screen, kind), key
            await pilot.press("escape")
            assert isinstance(app.screen, BrowseScreen)
        await pilot.press("b")
        await settle(pilot)
        assert isinstance(app.screen, BenchScreen)
        assert app.screen.target == ranked(cat)[0]


async def test_help_lists_every_key(app: ModelcatApp) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("question_mark")
        await settle(pilot)
        table = app.screen.query_one(DataTable)
        keys = {str(table.get_row_at(i)[1]) for i in range(table.row_count)}
        assert {"/", "enter / click twice", "space", "c", "e", "l", "a", "s", "b", "?", "q"} <= keys


async def test_q_quits(app: ModelcatApp) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("q")
        await pilot.pause()
        assert not app.is_running


async def test_letters_typed_in_search_do_not_trigger_keys(app: ModelcatApp, cat: Catalog) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("slash", *"qlsace")
        await settle(pilot)
        assert isinstance(app.screen, BrowseScreen) and app.is_running
        assert app.browse.query_one("#search", Input).value == "qlsace"
        assert shown_ids(app) == []


async def test_command_palette_runs_main_actions(app: ModelcatApp) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+p", *"Licenses")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, LicensesScreen)


async def test_worker_errors_become_notifications_or_a_modal(app: ModelcatApp) -> None:
    from catalog.errors import StorageError

    def fails_ours() -> None:
        raise StorageError("the disk is full")

    def fails_unexpectedly() -> None:
        raise RuntimeError("a bug")

    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.browse.run_worker(fails_ours, thread=True, exit_on_error=False, description="Saving")
        await settle(pilot)
        note = list(app._notifications)[-1]
        assert note.title == "Saving failed" and "the disk is full" in note.message
        assert note.severity == "error"
        app.browse.run_worker(fails_unexpectedly, thread=True, exit_on_error=False)
        await settle(pilot)
        assert isinstance(app.screen, ErrorModal)
        assert "a bug" in app.screen.summary and "RuntimeError" in app.screen.details
        await pilot.press("escape")
        assert isinstance(app.screen, BrowseScreen) and app.is_running


async def test_advisor_form_collects_answers_with_the_intended_use(app: ModelcatApp) -> None:
    from textual.widgets import Checkbox, Select

    from tui.state import UseState

    # One MAU box serves both the commercial filter and the intended use.
    use = UseState(mau="900M", distribute="weights")
    app.filters = app.filters.with_(mau="900M", use=use)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("a")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, AdvisorScreen)
        await pilot.click("#task")
        await pilot.press(*"classify tickets")
        screen.query_one("#examples", Input).value = "2000"
        screen.query_one("#budget", Select).value = "low"
        screen.query_one("#on_prem", Checkbox).value = True
        answers = screen.answers()
        assert answers["task"] == "classify tickets" and answers["examples"] == "2000"
        assert answers["budget"] == "low" and answers["on_prem"] is True
        assert answers["mau"] == "900M" and answers["distribute"] == "weights"
        assert "max_params" not in answers  # empty fields leave the advisor's defaults

"""The model table from the keyboard: marks in bursts, sorting with o and O, shown in the header."""

# Tests of the TUI drive textual directly (the TID251 ban keeps textual out of catalog/).

from __future__ import annotations

from textual import events

from catalog.api import SHORTLIST_SORT, Catalog, make_filters
from catalog.search import Sort
from tests.tui.conftest import SIZE
from tests.tui.helpers import settle, shown_ids, status_text
from tui.app import ModelcatApp
from tui.widgets.model_table import ModelTable


def ranked(cat: Catalog, sort: Sort = SHORTLIST_SORT) -> list[str]:
    return [m.id for m in cat.query(make_filters(), sort=sort)]


def header(table: ModelTable) -> str:
    return table.render_line(0).text


async def test_three_spaces_in_one_burst_mark_three_rows(app: ModelcatApp, cat: Catalog) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        # Queued at once, as a terminal delivers a burst: no key waits for the one before.
        for _ in range(3):
            app.post_message(events.Key("space", " "))
        await settle(pilot)
        assert app.shortlist.ids == ranked(cat)[:3]
        assert app.browse.highlighted == ranked(cat)[3]


async def test_o_cycles_the_sort_column_and_shift_o_reverses(
    app: ModelcatApp, cat: Catalog
) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        table = app.browse.table
        assert "↑" not in header(table) and "↓" not in header(table)  # ranked
        await pilot.press("o")
        await settle(pilot)
        assert app.sort == Sort("id", descending=False)
        assert shown_ids(app)[:5] == ranked(cat, Sort("id"))[:5]
        assert "↑id" in header(table) and "sorted by id ↑" in status_text(app)
        await pilot.press("O")
        await settle(pilot)
        assert app.sort == Sort("id", descending=True)
        assert shown_ids(app)[:5] == ranked(cat, Sort("id", descending=True))[:5]
        assert "↓id" in header(table)
        await pilot.press("o")
        await settle(pilot)
        assert app.sort is not None and app.sort.key == "params"  # the next column shown
        assert "↑para" in header(table) and "↑id" not in header(table)


async def test_the_filter_panel_hides_and_shows_as_the_terminal_resizes(app: ModelcatApp) -> None:
    from tui.widgets.filter_panel import FilterPanel

    async with app.run_test(size=(160, 48)) as pilot:
        await settle(pilot)
        panel = app.browse.query_one(FilterPanel)
        assert panel.display
        await pilot.resize_terminal(60, 24)
        await pilot.pause()
        assert not panel.display
        assert app.browse.table.size.width >= 55  # the table gets the whole width
        await pilot.resize_terminal(160, 48)
        await pilot.pause()
        assert panel.display


async def test_an_invalid_filter_value_marks_its_own_field(app: ModelcatApp) -> None:
    from textual.widgets import Input, Label

    from tui.widgets.filter_panel import FilterPanel

    async with app.run_test(size=(160, 48)) as pilot:
        await settle(pilot)
        panel = app.browse.query_one(FilterPanel)
        mau = panel.query_one("#mau", Input)
        mau.value = "abc"
        await settle(pilot)
        assert mau.has_class("-problem")  # drawn with a red border
        label = panel.query_one("#mau-problem", Label)
        assert label.display and "abc" in str(label.render())
        siblings = list(label.parent.children) if label.parent else []
        assert siblings.index(label) == siblings.index(mau) + 1  # right under the field
        mau.value = "900M"
        await settle(pilot)
        assert not mau.has_class("-problem") and not label.display

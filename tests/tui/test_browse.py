"""The browse screen: the rows shown for each filter and their combinations, the status line,
search, sorting and the mouse."""

# Tests of the TUI drive textual directly (the TID251 ban keeps textual out of catalog/).

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.widgets import Checkbox, Input, Select

from catalog.api import Catalog
from catalog.licenses import IntendedUse
from catalog.search import SHORTLIST_SORT, Sort, make_filters
from tests.tui.conftest import SIZE
from tests.tui.helpers import settle, shown_ids, status_text, table_rows
from tui.app import ModelcatApp
from tui.browse_query import COUNT_CAP, BrowseResult, count_matches
from tui.screens import browse
from tui.screens.browse import PAGE_SIZE
from tui.screens.detail import DetailScreen
from tui.widgets.filter_panel import FilterPanel


def expected(cat: Catalog, sort: Sort = SHORTLIST_SORT, **filters: Any) -> list[str]:
    """What the engine answers; the browse screen, like ``shortlist``, hides retired models."""
    filters.setdefault("hide_retired", True)
    return [m.id for m in cat.query(make_filters(**filters), sort=sort)]


def first_page(ids: list[str]) -> list[str]:
    """What the table holds before scrolling: the catalog outgrew one page of rows."""
    return ids[:PAGE_SIZE]


def served(cat: Catalog) -> int:
    return cat.count(make_filters(hide_retired=True))


def panel(app: ModelcatApp) -> FilterPanel:
    return app.browse.query_one(FilterPanel)


async def test_first_screen_lists_every_model_ranked(app: ModelcatApp, cat: Catalog) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert shown_ids(app) == first_page(expected(cat))
        assert app.browse.table.total == served(cat)
        assert status_text(app).startswith(f"{served(cat)} models · no filters")


def counting(monkeypatch: pytest.MonkeyPatch) -> list[int | None]:
    """Record the cap of every count the browse screen makes."""
    calls: list[int | None] = []

    def count(
        cat: Catalog, result: BrowseResult, *, cap: int | None, cancel: threading.Event | None
    ) -> int:
        calls.append(cap)
        return count_matches(cat, result, cap=cap, cancel=cancel)

    monkeypatch.setattr(browse, "count_matches", count)
    return calls


async def until_status(pilot: Pilot[None], start: str) -> None:
    """Let the app run until the status line starts with ``start`` (a count follows a timer, so
    there is no worker to await yet)."""
    for _ in range(200):
        if status_text(pilot.app).startswith(start):  # type: ignore[arg-type]
            return
        await pilot.pause(0.05)
    raise AssertionError(f"the status line stayed {status_text(pilot.app)!r}")  # type: ignore[arg-type]


async def test_typing_shows_the_page_and_leaves_the_count_for_a_pause(
    app_factory: Callable[..., ModelcatApp], cat: Catalog, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A full first page answers a keystroke ("100+ models"); nothing is counted while typing."""
    counts = counting(monkeypatch)
    app = app_factory(count_delay=3600)  # the pause never comes during this test
    assert served(cat) > PAGE_SIZE
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert shown_ids(app) == first_page(expected(cat))
        assert status_text(app).startswith(f"{PAGE_SIZE}+ models · no filters")
        assert app.browse.table.total == PAGE_SIZE
        await pilot.press("slash", *"ll", "backspace", "backspace")
        await settle(pilot)
        assert shown_ids(app) == first_page(expected(cat))
        assert status_text(app).startswith(f"{PAGE_SIZE}+ models · no filters")
        await pilot.press(*"pythia")  # a page that is not full is the whole answer
        await settle(pilot)
        pythia = expected(cat, search="pythia")
        assert shown_ids(app) == pythia and len(pythia) < PAGE_SIZE
        assert status_text(app).startswith(f"{len(pythia)} models")
        assert counts == []


async def test_the_count_follows_when_typing_pauses(
    app_factory: Callable[..., ModelcatApp], cat: Catalog, monkeypatch: pytest.MonkeyPatch
) -> None:
    counts = counting(monkeypatch)
    app = app_factory(count_delay=0.1)
    async with app.run_test(size=SIZE) as pilot:
        await until_status(pilot, f"{served(cat)} models")
        assert app.browse.table.total == served(cat)
        assert counts == [COUNT_CAP]  # fewer than the cap: the capped count is exact


async def test_a_count_past_the_cap_shows_first_then_the_exact_one(
    app_factory: Callable[..., ModelcatApp], cat: Catalog, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Past ``COUNT_CAP`` matches the status says "10+" (cap 10, pages of 5 here) until every
    match is counted; an exact count that arrives after the user moved on is not shown."""
    monkeypatch.setattr(browse, "COUNT_CAP", 10)
    monkeypatch.setattr(browse, "PAGE_SIZE", 5)
    release = threading.Event()
    exact_counts: list[threading.Event | None] = []

    def count(
        cat: Catalog, result: BrowseResult, *, cap: int | None, cancel: threading.Event | None
    ) -> int:
        if cap is None:
            exact_counts.append(cancel)
            release.wait(timeout=30)
        return count_matches(cat, result, cap=cap, cancel=cancel)

    monkeypatch.setattr(browse, "count_matches", count)
    app = app_factory(count_delay=0)
    async with app.run_test(size=SIZE) as pilot:
        await until_status(pilot, "10+ models · no filters")
        assert app.browse.table.total == 10
        release.set()
        await until_status(pilot, f"{served(cat)} models")
        assert app.browse.table.total == served(cat)
        release.clear()
        assert len(expected(cat, search="l")) > 10
        await pilot.press("slash", *"l")  # its exact count waits...
        await until_status(pilot, "10+ models · search='l'")
        # ...while the user moves on (at once: a thread waiting per keystroke would fill the pool)
        app.browse.query_one("#search", Input).value = "llama-2"
        llama2 = expected(cat, search="llama-2")
        assert 0 < len(llama2) <= 10
        await until_status(pilot, f"{len(llama2)} models · search='llama-2'")
        stale = exact_counts[-1]
        assert stale is not None and stale.is_set()  # the running count of 'l' is told to stop
        release.set()
        await settle(pilot)
        assert status_text(app).startswith(f"{len(llama2)} models · search='llama-2'")
        assert app.browse.table.total == len(llama2)


async def test_slash_focuses_search_and_typing_filters(app: ModelcatApp, cat: Catalog) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert app.browse.table.has_focus
        await pilot.press("slash")
        assert app.browse.query_one("#search", Input).has_focus
        await pilot.press(*"llama-2")
        await settle(pilot)
        rows = shown_ids(app)
        assert rows == first_page(expected(cat, search="llama-2"))
        assert rows and all("llama-2" in r for r in rows)
        assert "search='llama-2'" in status_text(app)


async def test_escape_leaves_the_search_box_and_keeps_the_filter(
    app: ModelcatApp, cat: Catalog
) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("slash", *"falcon", "escape")
        await settle(pilot)
        assert app.focused is app.browse.table
        assert shown_ids(app) == first_page(expected(cat, search="falcon"))


async def test_open_commercial_finetunable_under_8b(app: ModelcatApp, cat: Catalog) -> None:
    """The README's example question, answered through the filter panel."""
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        p = panel(app)
        p.query_one("#access", Select).value = "open"
        p.query_one("#tunable", Select).value = "full"
        p.query_one("#commercial", Checkbox).value = True
        p.query_one("#max_params", Input).value = "8B"
        await settle(pilot)
        rows = shown_ids(app)
        want = expected(cat, access="open", tunable="full", commercial=True, max_params="8B")
        assert rows == want
        assert "pythia-1b" in rows
        for model in (cat.get(r) for r in rows):
            assert model.access == "open" and "full" in model.tunability
            assert model.params is not None and model.params <= 8_000_000_000
        status = status_text(app)
        assert status.startswith(f"{len(want)} model")
        assert "access=open" in status and "max params=8B" in status and "commercial" in status


async def test_family_and_license_selects(app: ModelcatApp, cat: Catalog) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        panel(app).query_one("#family", Select).value = "Llama 2"
        await settle(pilot)
        assert shown_ids(app) == first_page(expected(cat, family="Llama 2"))
        panel(app).query_one("#license", Input).value = "llama2"
        await settle(pilot)
        rows = shown_ids(app)
        assert rows == first_page(expected(cat, family="Llama 2", license="llama2")) and rows


async def test_the_license_box_takes_every_spelling(app: ModelcatApp, cat: Catalog) -> None:
    """A ScanCode key, an SPDX id in any case: the same models as the catalog id."""
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        llama2 = expected(cat, license="llama2")
        for spelling in ("llama-2-license-2023", "LicenseRef-scancode-llama-2-license-2023"):
            panel(app).query_one("#license", Input).value = spelling
            await settle(pilot)
            assert shown_ids(app) == first_page(llama2) and llama2
        panel(app).query_one("#license", Input).value = "apache-2.0"
        await settle(pilot)
        apache = shown_ids(app)
        panel(app).query_one("#license", Input).value = "Apache-2.0"
        await settle(pilot)
        assert shown_ids(app) == first_page(apache) and apache
        panel(app).query_one("#license", Input).value = "lama2"
        await settle(pilot)
        assert "⚠ license: unknown license 'lama2'. Did you mean: llama2" in status_text(app)
        assert shown_ids(app) == first_page(expected(cat))


async def test_retired_models_are_hidden_unless_asked_and_then_marked(
    app: ModelcatApp, cat: Catalog
) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert "gpt-4" not in shown_ids(app)
        panel(app).query_one("#include_retired", Checkbox).value = True
        await settle(pilot)
        rows = shown_ids(app)
        assert rows == first_page(expected(cat, hide_retired=False))
        panel(app).query_one("#access", Select).value = "api"
        await settle(pilot)
        rows = shown_ids(app)
        assert rows == first_page(expected(cat, access="api", hide_retired=False))
        assert "gpt-4" in rows
        assert "include retired" in status_text(app)
        cells = {row.key: row.cells for row in app.browse.table.loaded_rows()}
        status = [c.key for c in app.browse.table.columns].index("status")
        assert cells["gpt-4"][status].text == "retired"
        assert any(cat.get(r).status() == "active" and cells[r][status].text == "" for r in rows)


async def test_commercial_at_a_mau_above_the_llama_cap(app: ModelcatApp, cat: Catalog) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        p = panel(app)
        p.query_one("#commercial", Checkbox).value = True
        p.query_one("#mau", Input).value = "900M"
        await settle(pilot)
        rows = shown_ids(app)
        assert rows == first_page(expected(cat, commercial=True, mau="900M"))
        assert not any(cat.get(r).license == "llama2" for r in rows)


async def test_intended_use_hides_forbidden_models(app: ModelcatApp, cat: Catalog) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        p = panel(app)
        p.query_one("#modify", Checkbox).value = True
        p.query_one("#distribute", Select).value = "derivatives"
        p.query_one("#use_on", Checkbox).value = True
        await settle(pilot)
        use = IntendedUse(use="commercial", modify=True, distribute="derivatives")
        rows = shown_ids(app)
        assert rows == first_page(expected(cat, use=use))
        assert "cc-by-nc-4.0" not in {cat.get(r).license for r in rows}
        assert len(rows) < served(cat)
        assert "use=(commercial, modify, distribute derivatives)" in status_text(app)


async def test_fits_this_machine_keeps_the_models_that_fit(
    app: ModelcatApp, cat: Catalog, machine: Any
) -> None:
    from catalog.fit.verdict import model_fit

    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        panel(app).query_one("#dtype", Select).value = "int4"
        panel(app).query_one("#fit_on", Checkbox).value = True
        await settle(pilot)
        # The SQL fit filter keeps exactly what the per-model verdict (synced config first) keeps.
        fitting = [
            m.id
            for m in cat.query(make_filters(hide_retired=True), sort=SHORTLIST_SORT)
            if model_fit(m, machine, dtype="int4", context=4096, cat=cat).kept
        ]
        rows = shown_ids(app)
        assert rows == fitting
        assert rows and len(rows) < served(cat)
        cells = {row.key: row.cells for row in app.browse.table.loaded_rows()}
        fit_index = [c.key for c in app.browse.table.columns].index("fit")
        assert all(not cells[r][fit_index].text.startswith("no") for r in rows)
        assert "fits one device here at int4, context 4096" in status_text(app)


async def test_empty_result_says_which_filter_removed_everything(app: ModelcatApp) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        panel(app).query_one("#access", Select).value = "api"
        panel(app).query_one("#max_params", Input).value = "1B"
        await settle(pilot)
        assert shown_ids(app) == []
        status = status_text(app)
        assert "No models match" in status
        assert "max params" in status
        assert app.browse.query_one("#status").has_class("-empty")


async def test_a_bad_number_is_reported_and_ignored(app: ModelcatApp, cat: Catalog) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        panel(app).query_one("#max_params", Input).value = "eight"
        await settle(pilot)
        assert shown_ids(app) == first_page(expected(cat))
        assert "⚠ max params:" in status_text(app)


async def test_reset_clears_the_panel_filters(app: ModelcatApp, cat: Catalog) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        panel(app).query_one("#access", Select).value = "gated"
        await settle(pilot)
        assert shown_ids(app) == first_page(expected(cat, access="gated"))
        await pilot.click("#reset")
        await settle(pilot)
        assert shown_ids(app) == first_page(expected(cat))


async def test_filters_survive_a_trip_to_another_screen(app: ModelcatApp, cat: Catalog) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        panel(app).query_one("#access", Select).value = "open"
        await pilot.press("slash", *"pythia", "enter")
        await settle(pilot)
        want = expected(cat, access="open", search="pythia")
        assert shown_ids(app) == want
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, DetailScreen)
        await pilot.press("escape")
        await settle(pilot)
        assert shown_ids(app) == want
        assert app.browse.query_one("#search", Input).value == "pythia"
        assert panel(app).query_one("#access", Select).value == "open"


async def test_f_toggles_the_filter_panel(app: ModelcatApp) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert panel(app).display
        await pilot.press("f")
        assert not panel(app).display
        await pilot.press("f")
        assert panel(app).display


async def test_narrow_terminal_starts_with_the_panel_hidden(app: ModelcatApp) -> None:
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert not panel(app).display
        shown = [app.browse.table.columns[i].key for i in app.browse.table._shown]
        assert {"id", "params", "license", "access", "fit"} <= set(shown)


async def test_keyboard_moves_the_cursor_and_pages(app: ModelcatApp, cat: Catalog) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        ids = expected(cat)
        await pilot.press("down", "down")
        assert app.browse.highlighted == ids[2]
        await pilot.press("end")
        assert app.browse.highlighted == ids[-1]
        await pilot.press("home", "pagedown")
        assert app.browse.table.cursor_row > 2


async def test_click_selects_and_a_second_click_opens(app: ModelcatApp, cat: Catalog) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        ids = expected(cat)
        table = app.browse.table
        await pilot.click(table, offset=(10, 4))  # header is line 0: line 4 is the 4th row
        assert app.browse.highlighted == ids[3]
        await pilot.click(table, offset=(10, 4))
        await settle(pilot)
        assert isinstance(app.screen, DetailScreen) and app.screen.model_id == ids[3]


async def test_clicking_a_header_sorts_and_again_reverses(app: ModelcatApp, cat: Catalog) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        table = app.browse.table
        await pilot.click(table, offset=(4, 0))  # the id header
        await settle(pilot)
        assert shown_ids(app) == first_page(expected(cat, sort=Sort("id")))
        await pilot.click(table, offset=(4, 0))
        await settle(pilot)
        assert shown_ids(app) == first_page(expected(cat, sort=Sort("id", descending=True)))
        assert "sorted by id ↓" in status_text(app)


async def test_the_cursor_stays_on_its_model_when_filters_change(
    app: ModelcatApp, cat: Catalog
) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        ids = expected(cat)
        target = next(i for i in ids[1:] if cat.get(i).access == "open")
        app.browse.table.cursor_row = ids.index(target)
        panel(app).query_one("#access", Select).value = "open"
        await settle(pilot)
        assert app.browse.highlighted == target
        assert shown_ids(app) == first_page(expected(cat, access="open"))


async def test_detail_of_a_retired_api_model_says_so(app: ModelcatApp) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.open_detail("gpt-4")
        await settle(pilot)
        assert isinstance(app.screen, DetailScreen) and app.screen.data is not None
        (status,) = [row for row in table_rows(app.screen) if row[0] == "status"]
        assert status[1] == "retired since 2026-10-23 (replacement gpt-5.6-sol)"
        assert status[2] == "https://developers.openai.com/api/docs/deprecations"
        await pilot.press("escape")
        app.open_detail("llama-2-7b")  # active, no lifecycle: no status row
        await settle(pilot)
        assert isinstance(app.screen, DetailScreen) and app.screen.model_id == "llama-2-7b"
        assert app.screen.data is not None
        assert not [row for row in table_rows(app.screen) if row[0] == "status"]

"""The detail screen from the keyboard: no benchmark key for an API-only model (its prices
instead), and the source of the highlighted row opened (o) or copied (y)."""

# Tests of the TUI drive textual directly (the TID251 ban keeps textual out of catalog/).

from __future__ import annotations

import webbrowser

from textual.widgets import DataTable

from catalog.api import Catalog
from tests.tui.conftest import SIZE
from tests.tui.helpers import settle, table_rows
from tui.app import ModelcatApp
from tui.screens.detail import DetailScreen


class RecordingBrowser(webbrowser.BaseBrowser):
    """A real ``webbrowser`` entry that keeps the URLs it is asked to open."""

    opened: list[str] = []

    def open(self, url: str, new: int = 0, autoraise: bool = True) -> bool:
        self.opened.append(url)
        return True


async def open_detail(app: ModelcatApp, pilot: object, model_id: str) -> DetailScreen:
    from textual.pilot import Pilot

    assert isinstance(pilot, Pilot)
    await settle(pilot)
    app.open_detail(model_id)
    await settle(pilot)
    screen = app.screen
    assert isinstance(screen, DetailScreen) and screen.data is not None
    return screen


async def test_an_api_model_has_no_bench_key_and_shows_its_prices(
    app: ModelcatApp, cat: Catalog
) -> None:
    model = cat.get("gpt-4o")
    assert model.api is not None and model.api.pricing is not None
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_detail(app, pilot, "gpt-4o")
        assert "b" not in screen.active_bindings or not screen.active_bindings["b"].enabled
        await pilot.press("b")
        await settle(pilot)
        assert app.screen is screen  # nothing to benchmark: the key does nothing
        price = f"{model.api.pricing.input_per_mtok:,.2f}"
        [row] = [r for r in table_rows(screen) if r[0] == model.api.model_name]
        assert price in row and str(model.api.pricing.source) in row
        open_weights = await open_detail(app, pilot, "pythia-1b")
        assert open_weights.active_bindings["b"].enabled


async def test_y_copies_and_o_opens_the_source_of_the_highlighted_row(
    app: ModelcatApp, cat: Catalog
) -> None:
    # A browser of our own, registered first, so no real browser starts during the test.
    browser = RecordingBrowser()
    webbrowser.register("modelcat-test", None, browser, preferred=True)
    source = cat.get("pythia-1b").sources["params"]
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_detail(app, pilot, "pythia-1b")
        await pilot.press("y")
        assert app.clipboard == ""  # nothing highlighted yet: it says so instead
        facts = screen.query(DataTable).first()
        facts.focus()
        labels = [str(facts.get_row_at(i)[0]) for i in range(facts.row_count)]
        facts.move_cursor(row=labels.index("parameters"))
        await pilot.press("y")
        assert app.clipboard == source
        await pilot.press("o")
        assert browser.opened[-1] == source

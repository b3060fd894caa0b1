"""Filters, sort and export format survive a restart (in the store); a stale or hostile
preference document never stops the app."""

# Tests of the TUI drive textual directly (the TID251 ban keeps textual out of catalog/).

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from textual.widgets import RadioButton, Select

from catalog.api import Catalog
from catalog.search import Sort
from catalog.store.preferences import load_preference, save_preference
from tests.tui.conftest import SIZE
from tests.tui.helpers import settle
from tui.app import ModelcatApp
from tui.modals.export import ExportModal
from tui.remembered import KEY, load_remembered
from tui.state import FilterState
from tui.widgets.filter_panel import FilterPanel


async def test_filters_sort_and_export_format_survive_a_restart(
    app_factory: Callable[..., ModelcatApp], cat: Catalog
) -> None:
    first = app_factory()
    async with first.run_test(size=SIZE) as pilot:
        await settle(pilot)
        first.browse.query_one(FilterPanel).query_one("#access", Select).value = "gated"
        await settle(pilot)
        await pilot.press("slash", *"llama", "escape", "o", "space", "e")
        modal = first.screen
        assert isinstance(modal, ExportModal)
        modal.query_one("#fmt-csv", RadioButton).value = True
        await pilot.press("enter")
        await settle(pilot)
    again = app_factory()
    async with again.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert again.filters == FilterState(access="gated")  # the search text is not kept
        assert again.sort == Sort("id")
        assert again.export_format == "csv"
        panel = again.browse.query_one(FilterPanel)
        assert panel.query_one("#access", Select).value == "gated"
        assert "access=gated" in str(again.browse.query_one("#status").render())


SCALAR = st.none() | st.booleans() | st.integers() | st.text(max_size=8)
JSON = SCALAR | st.lists(SCALAR, max_size=3)
KEYS = st.sampled_from(["filters", "sort", "export_format", "use", "fits", "access", "mau"])


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(doc=st.dictionaries(KEYS, JSON | st.dictionaries(KEYS, JSON), max_size=4))
def test_any_stored_document_loads_to_valid_settings(cat: Catalog, doc: dict[str, Any]) -> None:
    save_preference(cat.engine, KEY, doc)
    assert load_preference(cat.engine, KEY) == doc
    remembered = load_remembered(cat)
    assert isinstance(remembered.filters, FilterState)
    assert remembered.export_format in ("json", "csv", "md")
    remembered.filters.to_filters()  # usable as the browse filters

"""The first screen: a search box, the filter panel, the paged model table and a status line."""

from __future__ import annotations

import dataclasses
import threading
from dataclasses import dataclass
from typing import ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.content import Content
from textual.message import Message
from textual.timer import Timer
from textual.widgets import Footer, Input, Static
from textual.worker import Worker, WorkerState

from catalog.errors import Cancelled
from catalog.schema import ACCESS_MODES, TUNING_METHODS
from catalog.search import SHORTLIST_SORT, TIERS, Sort
from tui.browse_query import COUNT_CAP, BrowseResult, count_matches, run_browse_query
from tui.columns import ExtraCells, bench_cells, fit_cells, row_maker
from tui.screens.base import ModelcatScreen
from tui.state import FilterState
from tui.widgets.field_problems import mark_fields
from tui.widgets.filter_panel import FilterChoices, FilterPanel
from tui.widgets.model_table import ModelTable

PAGE_SIZE = 100
FIT_DTYPES = ("bf16", "fp16", "int8", "int4")
PROBLEM_FIELDS = {
    "license": "license", "max_params": "max_params", "mau": "mau", "use": "mau", "fits": "context",
}  # fmt: skip
"""The filter panel's input that holds each filter a problem can be reported for."""
NARROW = 100
"""Below this many columns the filter panel starts hidden (``f`` shows it)."""


class BrowseScreen(ModelcatScreen):
    """Find models: type to search, filter on the left, enter for details, space to mark."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("slash", "focus_search", "Search", key_display="/"),
        Binding("f", "toggle_filters", "Filters"),
        Binding("b", "bench", "Bench", show=False),
        Binding("escape", "leave_search", "Back", show=False),
    ]

    @dataclass
    class ResultsShown(Message):
        """The table now shows the result for ``state`` (``total`` models)."""

        state: FilterState
        total: int

    @dataclass
    class Counted(Message):
        """The matches of ``result`` were counted: ``total``, a lower bound unless ``exact``."""

        result: BrowseResult
        total: int
        exact: bool

    def __init__(self) -> None:
        super().__init__()
        self.result: BrowseResult | None = None
        """What the screen shows: the last query's answer, with its count once made."""
        self._answer: BrowseResult | None = None
        """The last query's answer as the query made it (counts made for it are shown)."""
        self._query_running = False
        self._query_dirty = False
        self._count_timer: Timer | None = None
        self._count_cancel = threading.Event()
        self._rows = row_maker(self._extra_columns())

    def compose(self) -> ComposeResult:
        cat = self.mc.catalog
        choices = FilterChoices(
            families=cat.families(),
            licenses=[lic.id for lic in cat.licenses()],
            access=ACCESS_MODES,
            tunable=TUNING_METHODS,
            tiers=TIERS,
            dtypes=FIT_DTYPES,
        )
        state = self.mc.filters
        with Horizontal(id="searchbar"):
            yield Static("/", id="search-key")
            yield Input(
                state.search,
                placeholder="search id, name, family, publisher",
                id="search",
                compact=True,
            )
        with Horizontal(id="body"):
            yield FilterPanel(choices, state, id="filters")
            yield ModelTable(self._rows.columns, page_size=PAGE_SIZE, id="models")
        yield Static("Loading…", id="status")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self._fit_panel()
        self.table.focus()
        self.refresh_results()

    def on_resize(self) -> None:
        self._fit_panel()

    def _fit_panel(self) -> None:
        """The filter panel shows when the terminal has room for it, hides when it has not."""
        panel = self.query_one(FilterPanel)
        wide = self.app.size.width >= NARROW
        if panel.display != wide:
            panel.display = wide
            if not wide and panel.has_focus_within:
                self.table.focus()

    @property
    def table(self) -> ModelTable:
        """The model table."""
        return self.query_one(ModelTable)

    @property
    def highlighted(self) -> str | None:
        """The model id under the table's cursor."""
        return self.table.highlighted_key

    @property
    def sort(self) -> Sort:
        """The table's sort (ranked, best first, until a header is clicked)."""
        return self.mc.sort or SHORTLIST_SORT

    # -- querying --------------------------------------------------------------------------

    def refresh_results(self) -> None:
        """Query for the current filters; while a query runs, queue (at most) one more.

        A count of the result on screen is dropped, or stopped mid-statement if it runs.
        """
        self._stop_counting()
        if self._query_running:
            self._query_dirty = True
            return
        self._query_running = True
        self._query(self.mc.filters, self.sort)

    @work(thread=True, group="browse", exit_on_error=False, description="Filtering models")
    def _query(self, state: FilterState, sort: Sort) -> BrowseResult:
        return run_browse_query(
            self.mc.catalog,
            state,
            sort=sort,
            page_size=PAGE_SIZE,
            rows=self._rows,
            hardware=self.mc.hardware,
        )

    def _schedule_count(self, result: BrowseResult) -> None:
        """Count ``result``'s matches once no newer query came for ``count_delay`` seconds:
        while the user types, each keystroke costs one page of rows, not a count."""
        delay = self.mc.count_delay
        cancel = self._count_cancel = threading.Event()
        if delay <= 0:
            self._count(result, cancel)
        else:
            self._count_timer = self.set_timer(delay, lambda: self._count(result, cancel))

    def _stop_counting(self) -> None:
        self._count_cancel.set()
        if self._count_timer is not None:
            self._count_timer.stop()
            self._count_timer = None

    @work(thread=True, group="browse-count", exit_on_error=False, description="Counting models")
    def _count(self, result: BrowseResult, cancel: threading.Event) -> None:
        """First up to ``COUNT_CAP`` (quick, "1,000+"), then, when there are more, every match;
        a newer query sets ``cancel``, which stops either step mid-statement."""
        cat = self.mc.catalog
        try:
            total = count_matches(cat, result, cap=COUNT_CAP, cancel=cancel)
            if total <= COUNT_CAP:
                self.post_message(self.Counted(result, total, exact=True))
                return
            self.post_message(self.Counted(result, COUNT_CAP, exact=False))
            exact = count_matches(cat, result, cap=None, cancel=cancel)
        except Cancelled:
            return  # a newer query replaced ``result``
        self.post_message(self.Counted(result, exact, True))

    def worker_changed(self, worker: Worker[object], state: WorkerState) -> None:
        if worker.group != "browse" or state not in (WorkerState.SUCCESS, WorkerState.ERROR):
            return
        self._query_running = False
        if state == WorkerState.SUCCESS and isinstance(worker.result, BrowseResult):
            self._show(worker.result)
        if self._query_dirty:
            self._query_dirty = False
            self.refresh_results()

    def _show(self, result: BrowseResult) -> None:
        previous, self.result, self._answer = self.result, result, result
        table = self.table
        keep = table.highlighted_key
        table.marked = frozenset(self.mc.shortlist.ids)
        table.sort = (self.sort.key, self.sort.descending)
        table.show(total=result.total, first_page=result.first_page, loader=result.loader)
        # A filter tweak keeps the cursor on the same model when it is still near the top.
        at = next((i for i, row in enumerate(result.first_page) if row.key == keep), None)
        if at:
            table.cursor_row = at
        self._update_status()
        if previous is None or result.problems != previous.problems:
            mark_fields(self.query_one(FilterPanel), result.problems, PROBLEM_FIELDS)
        self.post_message(self.ResultsShown(result.state, result.total))
        if result.at_least:
            self._schedule_count(result)

    @on(Counted)
    def _counted(self, event: Counted) -> None:
        """A count arrived for the result on screen: the table can scroll that far."""
        if event.result is not self._answer:
            return  # counted for filters the user has left since
        self.result = dataclasses.replace(event.result, total=event.total, at_least=not event.exact)
        self.table.set_total(event.total)
        self._update_status()

    def _update_status(self) -> None:
        status = self.query_one("#status", Static)
        result = self.result
        if result is None:
            return
        status.set_class(result.total == 0, "-empty")
        if result.total == 0 and result.empty_reason:
            parts = [Content(result.empty_reason)]
        else:
            noun = "model" if result.total == 1 else "models"
            shown = f"{result.total:,}+" if result.at_least else f"{result.total:,}"
            parts = [Content.from_markup("[b]$n[/b] $noun", n=shown, noun=noun)]
            labels = result.state.labels()
            parts.append(Content(" · " + (", ".join(labels) if labels else "no filters")))
        marked = len(self.mc.shortlist)
        if marked:
            parts.append(Content(f" · {marked} marked"))
        parts.append(Content(f" · sorted by {_sort_label(self.sort)}"))
        for name, problem in result.problems.items():
            parts.append(Content(f" · ⚠ {name.replace('_', ' ')}: {problem}"))
        for note in result.notes:
            parts.append(Content(f" · {note}"))
        status.update(Content("").join(parts), layout=False)  # one line, whatever it says

    # -- events ----------------------------------------------------------------------------

    @on(Input.Changed, "#search")
    def _search_changed(self, event: Input.Changed) -> None:
        self.mc.filters = self.mc.filters.with_(search=event.value)
        self.refresh_results()

    @on(Input.Submitted, "#search")
    def _search_submitted(self) -> None:
        self.table.focus()

    @on(FilterPanel.Changed)
    def _filters_changed(self, event: FilterPanel.Changed) -> None:
        self.mc.filters = event.state.with_(search=self.mc.filters.search)
        self.refresh_results()

    @on(ModelTable.Selected)
    def _open_detail(self, event: ModelTable.Selected) -> None:
        self.mc.open_detail(event.key)

    @on(ModelTable.MarkToggled)
    def _toggle_mark(self, event: ModelTable.MarkToggled) -> None:
        self.mc.shortlist.toggle(event.key)
        self.shortlist_changed()

    @on(ModelTable.SortRequested)
    def _sort(self, event: ModelTable.SortRequested) -> None:
        current = self.sort
        descending = not current.descending if current.key == event.sort_key else False
        self.mc.sort = Sort(event.sort_key, descending=descending)
        self.refresh_results()

    @on(ModelTable.LoadFailed)
    def _load_failed(self, event: ModelTable.LoadFailed) -> None:
        self.notify(f"Could not read more rows: {event.error}", severity="error")

    def shortlist_changed(self) -> None:
        """Redraw marks and the status line after the shortlist changed."""
        self.table.marked = frozenset(self.mc.shortlist.ids)
        self.table.refresh()
        self._update_status()

    # -- actions ---------------------------------------------------------------------------

    def action_focus_search(self) -> None:
        """Put the cursor in the search box."""
        self.query_one("#search", Input).focus()

    def action_leave_search(self) -> None:
        """Escape: from the search box or the filters back to the table."""
        self.table.focus()

    def action_toggle_filters(self) -> None:
        """Show or hide the filter panel."""
        panel = self.query_one(FilterPanel)
        panel.display = not panel.display
        if panel.display:
            panel.focus()
        else:
            self.table.focus()

    def action_bench(self) -> None:
        """Benchmark the highlighted model."""
        self.mc.open_bench(self.highlighted)

    def on_screen_resume(self) -> None:
        self._fit_panel()  # the terminal may have been resized on another screen
        # Marks, stored benchmarks or synced data may have changed on another screen.
        if self.result is not None:
            self.shortlist_changed()
            self.refresh_results()

    def _fit_context(self) -> int | None:
        fits = self.mc.filters.fits
        text = fits.context.strip() if fits is not None else ""
        return int(text) if text.isdigit() and int(text) > 0 else None

    def _extra_columns(self) -> dict[str, ExtraCells]:
        return {
            "fit": fit_cells(self.mc.catalog, lambda: self.mc.hardware, self._fit_context),
            "bench": bench_cells(self.mc.catalog),
        }


def _sort_label(sort: Sort) -> str:
    if sort.key == "score":
        return "rank"
    return f"{sort.key.replace('_', ' ')} {'↓' if sort.descending else '↑'}"

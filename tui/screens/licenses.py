"""The license terms table; choosing a license lists its models (enter on one opens it)."""

from __future__ import annotations

from typing import cast

from textual import on, work
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import DataTable, Footer, Label
from textual.worker import Worker, WorkerState

from catalog.licenses.terms import term_meaning
from catalog.search import LIST_SORT, make_filters
from tui.columns import row_maker
from tui.screens.base import ModelcatScreen
from tui.widgets.model_table import ModelTable, PageLoader, TableRow

TERM_COLUMNS = (
    ("commercial_use", "commercial"),
    ("modification", "modify"),
    ("redistribution", "redistribute"),
    ("hosting", "host"),
    ("use_restrictions", "use limits"),
    ("attribution", "attribution"),
)
PAGE = 100


class LicensesScreen(ModelcatScreen):
    """Licenses on top; the models under the highlighted one below."""

    def compose(self) -> ComposeResult:
        with Vertical(id="licenses-body"):
            yield Label("Licenses (enter: list its models)", classes="title")
            yield DataTable(id="licenses", cursor_type="row", zebra_stripes=True)
            yield Label("Models", id="models-title", classes="section")
            yield ModelTable(row_maker({}).columns, page_size=PAGE, id="license-models")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        table = self.query_one("#licenses", DataTable)
        table.add_column("id", key="id")
        for _key, label in TERM_COLUMNS:
            table.add_column(label, key=label)
        table.add_column("MAU cap", key="mau")
        table.add_column("name", key="name")
        for lic in self.mc.catalog.licenses():
            cap = f"{lic.mau_limit:,}" if lic.mau_limit else "—"
            terms = [term_meaning(key, lic.term(key).value) for key, _ in TERM_COLUMNS]
            table.add_row(lic.id, *terms, cap, lic.name, key=lic.id)
        table.focus()

    @property
    def license_id(self) -> str | None:
        """The highlighted license."""
        table = self.query_one("#licenses", DataTable)
        if not table.row_count:
            return None
        return str(table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value)

    @on(DataTable.RowHighlighted, "#licenses")
    def _highlighted(self, event: DataTable.RowHighlighted) -> None:
        self.show_models(str(event.row_key.value), focus=False)

    @on(DataTable.RowSelected, "#licenses")
    def _chosen(self, event: DataTable.RowSelected) -> None:
        self.show_models(str(event.row_key.value))

    def show_models(self, license_id: str, *, focus: bool = True) -> None:
        """List the models under ``license_id`` in the lower table (``focus``: move there)."""
        self.query_one("#models-title", Label).update(f"Models under {license_id}")
        self._focus_models = focus
        self._load(license_id)

    _focus_models = False

    @work(thread=True, exclusive=True, group="license-models", exit_on_error=False)
    def _load(self, license_id: str) -> tuple[int, list[TableRow], PageLoader]:
        cat = self.mc.catalog
        filters = make_filters(license=[license_id])
        rows = row_maker({})

        def loader(offset: int, limit: int) -> list[TableRow]:
            return rows(cat.search.hits(filters, sort=LIST_SORT, top=limit, offset=offset))

        return cat.count(filters), loader(0, PAGE), loader

    def worker_changed(self, worker: Worker[object], state: WorkerState) -> None:
        if worker.group == "license-models" and state == WorkerState.SUCCESS:
            total, first, loader = cast("tuple[int, list[TableRow], PageLoader]", worker.result)
            table = self.query_one(ModelTable)
            table.show(total=total, first_page=first, loader=loader)
            if self._focus_models:
                table.focus()

    @on(ModelTable.Selected)
    def _open(self, event: ModelTable.Selected) -> None:
        self.mc.open_detail(event.key)

    @on(ModelTable.MarkToggled)
    def _mark(self, event: ModelTable.MarkToggled) -> None:
        self.mc.shortlist.toggle(event.key)
        table = self.query_one(ModelTable)
        table.marked = frozenset(self.mc.shortlist.ids)
        table.refresh()

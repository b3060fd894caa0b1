"""Models on this machine, as ``modelcat local`` finds them, with their catalog entry and their
latest benchmark; ``b`` benchmarks the highlighted one, enter opens its catalog entry."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar, cast

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.widgets import DataTable, Footer, Label, Static
from textual.worker import Worker, WorkerState

from catalog.units import format_bytes
from tui.screens.base import ModelcatScreen

if TYPE_CHECKING:
    from catalog.local.inventory import LocalEntry


class LocalScreen(ModelcatScreen):
    """A row per local copy: folder, Hub id, catalog entry, size, formats, last benchmark."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("b", "bench", "Bench"),
        Binding("r", "rescan", "Rescan"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.entries: list[LocalEntry] = []
        """What the last scan found, in table order."""

    def compose(self) -> ComposeResult:
        with Vertical(id="local"):
            yield Label("Models on this machine", classes="title")
            yield DataTable(id="local-models", cursor_type="row", zebra_stripes=True)
            yield Static("Scanning…", id="local-status", classes="hint", markup=False)
        yield Footer(compact=True)

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_columns("folder", "hub id", "catalog", "size", "formats", "last benchmark")
        table.focus()
        self.action_rescan()

    def on_screen_resume(self) -> None:
        # A benchmark run from here is shown when coming back.
        self.action_rescan()

    def action_rescan(self) -> None:
        """Scan the Hub cache and the configured folders again."""
        self._scan()

    @work(thread=True, exclusive=True, group="local", exit_on_error=False, description="Scan")
    def _scan(self) -> tuple[list[LocalEntry], tuple[str, ...]]:
        from catalog.local.inventory import local_inventory

        return local_inventory(self.mc.catalog)

    def worker_changed(self, worker: Worker[object], state: WorkerState) -> None:
        if worker.group != "local" or state != WorkerState.SUCCESS:
            return
        entries, warnings = cast("tuple[list[LocalEntry], tuple[str, ...]]", worker.result)
        self.entries = entries
        table = self.query_one(DataTable)
        keep = table.cursor_row
        table.clear()
        for n, entry in enumerate(entries):
            model, run = entry.model, entry.last_run
            last = f"{run.decode_tps.mean:.1f} tok/s, {run.started_at:%Y-%m-%d}" if run else "none"
            table.add_row(
                model.path.name, model.hub_id or "—", model.catalog_id or "—",
                format_bytes(model.size_bytes), ", ".join(model.formats), last, key=str(n),
            )  # fmt: skip
        if entries:
            table.move_cursor(row=min(keep, len(entries) - 1))
        noun = "model" if len(entries) == 1 else "models"
        status = [f"{len(entries)} {noun}: b benchmarks, enter opens the catalog entry, r rescans."]
        if not entries:
            status = [
                "Nothing found: add folders to `paths:` in the config file ($MODELCAT_CONFIG)."
            ]
        self.query_one("#local-status", Static).update("\n".join([*status, *warnings]))

    @property
    def highlighted(self) -> LocalEntry | None:
        """The entry under the cursor."""
        table = self.query_one(DataTable)
        if not self.entries or table.cursor_row >= len(self.entries):
            return None
        return self.entries[table.cursor_row]

    def action_bench(self) -> None:
        """Benchmark the highlighted copy."""
        entry = self.highlighted
        if entry is not None:
            self.mc.open_bench(entry.model.catalog_id, path=str(entry.model.path))

    @on(DataTable.RowSelected)
    def _open(self) -> None:
        entry = self.highlighted
        if entry is None:
            return
        if entry.model.catalog_id is None:
            self.notify("Not linked to a catalog entry.", severity="warning")
            return
        self.mc.open_detail(entry.model.catalog_id)

"""Two to four shortlisted models side by side; rows where they differ are highlighted."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import DataTable, Footer, Static
from textual.worker import Worker, WorkerState

from catalog.errors import CatalogError
from catalog.schema import TUNING_METHODS
from catalog.text import printable
from catalog.units import format_bytes, format_context, format_count
from tui.screens.base import ModelcatScreen
from tui.state import UseState

if TYPE_CHECKING:
    from catalog.api import Catalog
    from catalog.domain import Model
    from catalog.fit.hardware import Hardware

Rows = list[tuple[str, list[str]]]


class CompareScreen(ModelcatScreen):
    """A row per fact, a column per model; ≠ marks the rows that differ."""

    def __init__(self, ids: list[str]) -> None:
        super().__init__()
        self.ids = ids
        self.rows: Rows = []

    def compose(self) -> ComposeResult:
        with Vertical(id="compare-body"):
            yield Static(f"Comparing {len(self.ids)} models", classes="title")
            yield DataTable(id="compare", cursor_type="row", zebra_stripes=True)
            yield Static("≠ marks rows where the models differ.", classes="hint")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self._gather()

    @work(thread=True, exclusive=True, group="compare", exit_on_error=False, description="Compare")
    def _gather(self) -> Rows:
        return compare_rows(
            self.mc.catalog, self.ids, use=self.mc.filters.use, hardware=self.mc.hardware
        )

    def worker_changed(self, worker: Worker[object], state: WorkerState) -> None:
        if worker.group != "compare" or state != WorkerState.SUCCESS:
            return
        self.rows = worker.result  # type: ignore[assignment]
        table = self.query_one(DataTable)
        table.add_column("", key="field")
        for model_id in self.ids:
            table.add_column(model_id, key=model_id)
        highlight = f"bold {self.app.theme_variables.get('text-warning', '')}".strip()
        for label, values in self.rows:
            differ = len(set(values)) > 1
            shown = [printable(v) for v in values]
            cells = [Text(v, style=highlight) if differ else Text(v) for v in shown]
            table.add_row(Text(("≠ " if differ else "  ") + label), *cells, key=label)
        table.focus()

    def differing(self) -> list[str]:
        """The labels of the rows where the models differ."""
        return [label for label, values in self.rows if len(set(values)) > 1]


def compare_rows(
    cat: Catalog, ids: list[str], *, use: UseState | None, hardware: Hardware | None
) -> Rows:
    """The comparison table as (label, one text per model) rows."""
    models = [cat.get(i) for i in ids]

    def count(value: int | None) -> str:
        return format_count(value) if value else "—"

    rows: Rows = [
        ("family", [m.family for m in models]),
        ("publisher", [m.publisher for m in models]),
        ("released", [str(m.release_date or "—") for m in models]),
        ("params", [count(m.params) for m in models]),
        ("active params", [count(m.active_params) for m in models]),
        (
            "context",
            [format_context(m.context_length) if m.context_length else "—" for m in models],
        ),
        ("license", [m.license for m in models]),
        ("access", [m.access for m in models]),
    ]
    rows += [
        (f"tune: {t}", ["yes" if t in m.tunability else "no" for m in models])
        for t in TUNING_METHODS
    ]
    chosen = use or UseState()
    verdicts = cat.judge(models, chosen.intended_use())
    rows.append((f"verdict ({chosen.describe()})", [v.verdict for v in verdicts]))
    rows.append(("obligations", [str(len(v.obligations)) for v in verdicts]))
    return rows + _estimate_rows(cat, models, hardware)


def _estimate_rows(cat: Catalog, models: list[Model], hardware: Hardware | None) -> Rows:
    # From the config stored by the last Hub sync when there is one (``cat``), as the detail screen.
    from catalog.fit.verdict import estimate_for

    bf16: list[str] = []
    full: list[str] = []
    fits: list[str] = []
    for m in models:
        try:
            doc = estimate_for(m, cat=cat, dtype="bf16").to_json()
        except CatalogError:
            bf16, full = [*bf16, "—"], [*full, "—"]
        else:
            bf16.append(_memory(doc["inference"]))
            full.append(_memory(doc["training"]["full"]))
        fits.append("…" if hardware is None else cat.fit(m, hardware).label())
    return [("inference bf16", bf16), ("full fine-tune", full), ("fits here", fits)]


def _memory(part: dict[str, Any]) -> str:
    total = part.get("total_bytes")
    if total is None:
        return "?"
    return ("≥ " if part.get("total_is_lower_bound") else "") + format_bytes(total)

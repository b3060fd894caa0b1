"""The browse table's columns and how a ``Model`` becomes a row of cells."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from catalog.domain import Model
from catalog.units import format_count
from tui.widgets.model_table import Cell, TableColumn, TableRow, Tone

ACCESS_TONES: dict[str, Tone] = {"open": "good", "gated": "warn", "request": "warn", "api": "dim"}

BASE_COLUMNS: list[TableColumn] = [
    TableColumn("id", "id", 22, sort_key="id", grow=True),
    TableColumn("family", "family", 10, sort_key="family"),
    TableColumn("params", "params", 7, "right", sort_key="params"),
    TableColumn("context", "ctx", 5, "right", sort_key="context_length"),
    TableColumn("license", "license", 12, sort_key="license"),
    TableColumn("access", "access", 7, sort_key="access"),
    TableColumn("tunable", "tunable", 18),
]
FIT_COLUMN = TableColumn("fit", "fit", 6)
BENCH_COLUMN = TableColumn("bench", "best tok/s", 10, "right")
TIER_COLUMN = TableColumn("tier", "tier", 7)

TUNABLE_SHORT = {"prompt-tuning": "prompt", "api-finetune": "api-ft"}

ExtraCells = Callable[[Sequence[Model]], list[Cell]]
"""Cells of a feature-backed column for a page of models (runs in a worker thread)."""


@dataclass(frozen=True)
class RowMaker:
    """Turns a page of models into table rows, with any feature-backed columns."""

    columns: list[TableColumn]
    extras: dict[str, ExtraCells]

    def __call__(self, models: Sequence[Model]) -> list[TableRow]:
        extra = {key: fn(models) for key, fn in self.extras.items()}
        rows = []
        for i, model in enumerate(models):
            base = base_cells(model)
            cells = [base[c.key] if c.key in base else extra[c.key][i] for c in self.columns]
            rows.append(TableRow(model.id, tuple(cells)))
        return rows


def base_cells(model: Model) -> dict[str, Cell]:
    """The cells every installation can show."""
    methods = " ".join(TUNABLE_SHORT.get(m, m) for m in model.tunability)
    return {
        "id": Cell(model.id),
        "family": Cell(model.family),
        "params": Cell(
            format_count(model.params) if model.params else "—", "" if model.params else "dim"
        ),
        "context": Cell(format_count(model.context_length) if model.context_length else "—"),
        "license": Cell(model.license),
        "access": Cell(model.access, ACCESS_TONES.get(model.access, "")),
        "tunable": Cell(methods or "none", "" if methods else "dim"),
        "tier": Cell(model.tier, "" if model.tier == "curated" else "dim"),
    }


def row_maker(extras: dict[str, ExtraCells]) -> RowMaker:
    """The columns for this installation: fit and benchmark columns only when they can be filled."""
    columns = list(BASE_COLUMNS)
    if "fit" in extras:
        columns.append(FIT_COLUMN)
    if "bench" in extras:
        columns.append(BENCH_COLUMN)
    columns.append(TIER_COLUMN)
    return RowMaker(columns, extras)

"""The browse table's columns and how a ``Model`` becomes a row of cells."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from catalog.domain import Model
from catalog.errors import CatalogError
from catalog.units import format_context, format_count
from tui.widgets.model_table import Cell, TableColumn, TableRow, Tone

if TYPE_CHECKING:
    from catalog.api import Catalog
    from catalog.fit.hardware import Hardware
    from catalog.search import Hit

ACCESS_TONES: dict[str, Tone] = {"open": "good", "gated": "warn", "request": "warn", "api": "dim"}

BASE_COLUMNS: list[TableColumn] = [
    TableColumn("id", "id", 20, sort_key="id", grow=True),
    TableColumn("family", "family", 10, sort_key="family", drop=3),
    TableColumn("params", "params", 6, "right", sort_key="params"),
    TableColumn("context", "ctx", 5, "right", sort_key="context_length", drop=2),
    TableColumn("license", "license", 12, sort_key="license"),
    TableColumn("access", "access", 7, sort_key="access"),
    TableColumn("tunable", "tunable", 9, drop=1),
]
FIT_COLUMN = TableColumn("fit", "fit", 6)
BENCH_COLUMN = TableColumn("bench", "tok/s", 6, "right", drop=2)
TIER_COLUMN = TableColumn("tier", "tier", 7, drop=4)
STATUS_COLUMN = TableColumn("status", "status", 7, drop=3)
"""Blank while a model is served; ``retired`` or ``deprecated`` otherwise (as ``modelcat list``)."""
STATUS_TONES: dict[str, Tone] = {"retired": "bad", "deprecated": "warn"}

TUNABLE_FLAGS = (
    ("full", "F"),
    ("lora", "L"),
    ("qlora", "Q"),
    ("prompt-tuning", "P"),
    ("api-finetune", "A"),
)
"""One fixed slot per tuning method, so the column scans like a row of flags (help spells them out)."""

ExtraCells = Callable[[Sequence["Hit"]], list[Cell]]
"""Cells of a column computed for a whole page of search hits (runs in a worker thread)."""


@dataclass(frozen=True)
class RowMaker:
    """Turns a page of search hits into table rows, with any page-computed columns."""

    columns: list[TableColumn]
    extras: dict[str, ExtraCells]

    def __call__(self, hits: Sequence[Hit]) -> list[TableRow]:
        extra = {key: fn(hits) for key, fn in self.extras.items()}
        rows = []
        for i, hit in enumerate(hits):
            model = hit.model
            base = base_cells(model)
            cells = [base[c.key] if c.key in base else extra[c.key][i] for c in self.columns]
            rows.append(TableRow(model.id, tuple(cells)))
        return rows


def base_cells(model: Model) -> dict[str, Cell]:
    """The cells read straight from the model."""
    methods = " ".join(
        flag if method in model.tunability else "·" for method, flag in TUNABLE_FLAGS
    )
    status = model.status()
    return {
        "id": Cell(model.id),
        "family": Cell(model.family),
        "params": Cell(
            format_count(model.params) if model.params else "—", "" if model.params else "dim"
        ),
        "context": Cell(format_context(model.context_length) if model.context_length else "—"),
        "license": Cell(model.license),
        "access": Cell(model.access, ACCESS_TONES.get(model.access, "")),
        "tunable": Cell(methods, "" if model.tunability else "dim"),
        "tier": Cell(model.tier, "" if model.tier == "curated" else "dim"),
        "status": Cell("" if status == "active" else status, STATUS_TONES.get(status, "")),
    }


def row_maker(extras: dict[str, ExtraCells]) -> RowMaker:
    """The columns: the fit and benchmark columns when ``extras`` fills them (the licenses
    screen's table leaves them out)."""
    columns = list(BASE_COLUMNS)
    if "fit" in extras:
        columns.append(FIT_COLUMN)
    if "bench" in extras:
        columns.append(BENCH_COLUMN)
    columns += [STATUS_COLUMN, TIER_COLUMN]
    return RowMaker(columns, extras)


def fit_cells(
    cat: Catalog, hardware: Callable[[], Hardware | None], context: Callable[[], int | None]
) -> ExtraCells:
    """The fit column (``Catalog.fit``): the most precise dtype that fits one device
    here, ``no`` when none does, ``n/a`` for API-only models; ``~`` marks a verdict from the
    parameter count alone (KV cache unknown).

    ``hardware()`` is read per page: ``None`` while the machine is still being probed. The
    verdict uses the coefficients each hit carries (from the synced config.json where there is
    one, else the curated config), the very numbers the fit filter judges in SQL.
    """

    def cells(hits: Sequence[Hit]) -> list[Cell]:
        machine = hardware()
        if machine is None:
            return [Cell("…", "dim") for _ in hits]
        out = []
        for hit in hits:
            try:
                verdict = cat.fit(
                    hit.model, machine, context=context(), coefficients=hit.coefficients
                )
            except CatalogError:
                out.append(Cell("?", "dim"))
                continue
            approx = "~" if verdict.approximate else ""
            if verdict.level in ("fits", "tight"):
                tone: Tone = "good" if verdict.level == "fits" else "warn"
                out.append(Cell(f"{verdict.dtype}{approx}", tone))
            elif verdict.level == "no":
                out.append(Cell(f"no{approx}", "bad"))
            else:
                out.append(Cell("n/a", "dim"))
        return out

    return cells


def bench_cells(catalog: Catalog) -> ExtraCells:
    """The benchmark column: the best stored decode speed (tokens/s) of each model, if any."""

    def cells(hits: Sequence[Hit]) -> list[Cell]:
        from catalog.bench.store import best_results

        best = best_results(catalog, model_ids=[h.model.id for h in hits])
        out = []
        for hit in hits:
            run = best.get(hit.model.id)
            out.append(Cell(f"{run.decode_tps.mean:.1f}") if run else Cell("—", "dim"))
        return out

    return cells

"""One refresh of the browse screen, run in a worker thread: count, first page, why empty.

Everything here calls the ``catalog`` API; the screen only shows the ``BrowseResult``.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

from catalog.errors import CatalogError
from tui.state import FilterState, FitState

if TYPE_CHECKING:
    from catalog.api import Catalog
    from catalog.hardware import Hardware
    from catalog.query import Filters, Sort
    from tui.columns import RowMaker
    from tui.widgets.model_table import PageLoader, TableRow

FILTER_LABELS = {
    "max_params": "max params",
    "min_params": "min params",
    "mau": "MAU",
    "ids": "fits this machine",
}
EXACT_FIT_LIMIT = 2000
"""Up to this many candidates under the parameter bound, each model's own fit verdict decides."""


@dataclass(frozen=True)
class BrowseResult:
    """What the browse screen shows for one ``FilterState``."""

    state: FilterState
    total: int
    first_page: list[TableRow]
    loader: PageLoader
    empty_reason: str | None = None
    problems: dict[str, str] = field(default_factory=dict)
    """Filter fields whose text does not parse, with the reason (those filters are ignored)."""
    notes: list[str] = field(default_factory=list)


def run_browse_query(
    cat: Catalog,
    state: FilterState,
    *,
    sort: Sort,
    page_size: int,
    rows: RowMaker,
    hardware: Hardware | None = None,
) -> BrowseResult:
    """Count and read the first page for ``state``; explain an empty result.

    Args:
        cat: the catalog.
        state: the filters as the user set them.
        sort: the table's sort.
        page_size: rows in the first page.
        rows: turns models into table rows.
        hardware: this machine, needed by the fit filter (None while it is being probed).
    """
    filters, problems = state.to_filters()
    notes: list[str] = []
    if state.fits is not None:
        filters = _fit_filter(cat, filters, state.fits, hardware, problems, notes)
    total = cat.count(filters)

    def loader(offset: int, limit: int) -> list[TableRow]:
        return rows(cat.query(filters, sort=sort, top=limit, offset=offset))

    first = loader(0, page_size) if total else []
    reason = None if total else _why_empty(cat, filters)
    return BrowseResult(state, total, first, loader, reason, problems, notes)


def _fit_filter(
    cat: Catalog,
    filters: Filters,
    fits: FitState,
    hardware: Hardware | None,
    problems: dict[str, str],
    notes: list[str],
) -> Filters:
    """Narrow to models that fit: an indexed parameter bound, then, when few models remain,
    each one's own verdict (a config's KV cache can push a model under the bound over).

    The verdicts use the curated configs, as the fit column does (see ``tui.columns.fit_cells``),
    so the filter and the column agree.
    """
    from catalog.api import LIST_SORT
    from catalog.units import format_count

    if hardware is None:
        problems["fits"] = "still detecting this machine's memory"
        return filters
    try:
        from catalog.fitting import model_fit, params_bound

        context = int(fits.context) if fits.context.strip() else None
        bound = params_bound(hardware, (fits.dtype,), context)
        current = filters.max_params
        bounded = replace(filters, max_params=bound if current is None else min(current, bound))
        if cat.count(bounded) > EXACT_FIT_LIMIT:
            notes.append(
                f"fits: ≤ {format_count(bound)} params at {fits.dtype} (see the fit column)"
            )
            return bounded
        kept = tuple(
            model.id
            for model in cat.query(bounded, sort=LIST_SORT)
            if model_fit(model, hardware, dtype=fits.dtype, context=context).kept
        )
    except ValueError:
        problems["fits"] = f"context must be a whole number of tokens, got {fits.context!r}"
        return filters
    except CatalogError as exc:
        problems["fits"] = str(exc)
        return filters
    notes.append(f"fits one device here at {fits.dtype}")
    return replace(bounded, ids=kept)


def _why_empty(cat: Catalog, filters: Filters) -> str:
    from catalog.explain import why_empty

    reason = why_empty(cat, filters)
    return reason.message(lambda name: FILTER_LABELS.get(name, name.replace("_", " ")))

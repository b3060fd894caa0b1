"""One refresh of the browse screen, run in a worker thread: the first page, a capped count
(none when the first page holds everything), why it is empty.

Everything here calls the search engine (``catalog.search``): the filters, the licence and fit
judgments and lifecycle are its; the screen only shows the ``BrowseResult``.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

from catalog.errors import CatalogError
from tui.state import FilterState

if TYPE_CHECKING:
    from catalog.api import Catalog
    from catalog.fit.hardware import Hardware
    from catalog.search import Filters, Sort
    from tui.columns import RowMaker
    from tui.widgets.model_table import PageLoader, TableRow

FILTER_LABELS = {
    "max_params": "max params",
    "min_params": "min params",
    "mau": "MAU",
    "fits": "fits this machine",
    "hide_retired": "include retired (off)",
}
COUNT_CAP = 1000
"""A keystroke counts at most this many matches ("1,000+"); the exact count follows."""


@dataclass(frozen=True)
class BrowseResult:
    """What the browse screen shows for one ``FilterState``."""

    state: FilterState
    total: int
    """Matches counted, at most ``COUNT_CAP + 1`` while ``capped``."""
    first_page: list[TableRow]
    loader: PageLoader
    filters: Filters
    empty_reason: str | None = None
    problems: dict[str, str] = field(default_factory=dict)
    """Filter fields whose text does not parse, with the reason (those filters are ignored)."""
    notes: list[str] = field(default_factory=list)
    capped: bool = False
    """More than ``COUNT_CAP`` match: the exact count is still to come (:func:`exact_count`)."""


def run_browse_query(
    cat: Catalog,
    state: FilterState,
    *,
    sort: Sort,
    page_size: int,
    rows: RowMaker,
    hardware: Hardware | None = None,
) -> BrowseResult:
    """Read the first page for ``state`` and count (up to a cap); explain an empty result.

    Args:
        cat: the catalog.
        state: the filters as the user set them.
        sort: the table's sort.
        page_size: rows in the first page.
        rows: turns search hits into table rows.
        hardware: this machine, needed by the fit filter (None while it is being probed).
    """
    filters, problems = state.to_filters(hardware)
    for text in filters.license:
        try:
            cat.search.resolve_license(text)
        except CatalogError as exc:
            problems["license"] = str(exc)
            filters = replace(filters, license=())
    notes = [f"fits one device here at {filters.fits.describe()}"] if filters.fits else []

    def loader(offset: int, limit: int) -> list[TableRow]:
        return rows(cat.search.hits(filters, sort=sort, top=limit, offset=offset))

    first = loader(0, page_size)
    # A first page that is not full is the whole answer: no count to make.
    total = len(first) if len(first) < page_size else cat.count(filters, cap=COUNT_CAP)
    reason = None if total else _why_empty(cat, filters)
    return BrowseResult(
        state, total, first, loader, filters, reason, problems, notes, capped=total > COUNT_CAP
    )


def exact_count(cat: Catalog, result: BrowseResult) -> int:
    """Every match of ``result``'s filters (run after the capped first answer is shown)."""
    return cat.count(result.filters)


def _why_empty(cat: Catalog, filters: Filters) -> str:
    reason = cat.search.why_empty(filters)
    return reason.message(lambda name: FILTER_LABELS.get(name, name.replace("_", " ")))

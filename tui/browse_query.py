"""One refresh of the browse screen, run in a worker thread: the first page and why it is empty;
the count of every match is made apart (:func:`count_matches`), when typing pauses.

Everything here calls the search engine (``catalog.search``): the filters, the licence and fit
judgments and lifecycle are its; the screen only shows the ``BrowseResult``.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

from catalog.errors import CatalogError
from tui.state import FilterState

if TYPE_CHECKING:
    import threading

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
"""The first count stops past this many matches ("1,000+"); the exact count follows."""
COUNT_DELAY = 0.5
"""Seconds without a newer query (the user paused typing) before every match is counted."""


@dataclass(frozen=True)
class BrowseResult:
    """What the browse screen shows for one ``FilterState``."""

    state: FilterState
    total: int
    """How many models match; a lower bound while ``at_least``."""
    first_page: list[TableRow]
    loader: PageLoader
    filters: Filters
    empty_reason: str | None = None
    problems: dict[str, str] = field(default_factory=dict)
    """Filter fields whose text does not parse, with the reason (those filters are ignored)."""
    notes: list[str] = field(default_factory=list)
    at_least: bool = False
    """``total`` is a lower bound (a full first page, or a count stopped at ``COUNT_CAP``):
    the exact count is still to come (:func:`count_matches`)."""


def run_browse_query(
    cat: Catalog,
    state: FilterState,
    *,
    sort: Sort,
    page_size: int,
    rows: RowMaker,
    hardware: Hardware | None = None,
) -> BrowseResult:
    """Read the first page for ``state``; explain an empty result.

    Only a first page that is not full tells how many models match; a full one leaves the count
    to :func:`count_matches` (``at_least``), so a keystroke costs one page, not a count.

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
    reason = None if first else _why_empty(cat, filters)
    return BrowseResult(
        state,
        len(first),
        first,
        loader,
        filters,
        reason,
        problems,
        notes,
        at_least=len(first) >= page_size > 0,
    )


def count_matches(
    cat: Catalog, result: BrowseResult, *, cap: int | None, cancel: threading.Event | None = None
) -> int:
    """How many models match ``result``'s filters; with ``cap``, counting stops at ``cap + 1``.

    Raises:
        Cancelled: ``cancel`` was set (a newer query) before the count ended.
    """
    return cat.count(result.filters, cap=cap, cancel=cancel)


def _why_empty(cat: Catalog, filters: Filters) -> str:
    reason = cat.search.why_empty(filters)
    return reason.message(lambda name: FILTER_LABELS.get(name, name.replace("_", " ")))

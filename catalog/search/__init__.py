"""The one search engine: filters, sort, paging, license and fit judgments, lifecycle, ranked text.

from catalog import Catalog, Filters
with Catalog.open() as cat:
    models = cat.query(Filters(access=("open",), search="llama"), top=10)
"""

from __future__ import annotations

from catalog.search.engine import Hit, SearchEngine
from catalog.search.explain import EmptyReason
from catalog.search.filters import (
    LIST_SORT,
    SHORTLIST_SORT,
    SORT_KEYS,
    TIERS,
    FilterArgs,
    Filters,
    FitQuery,
    Sort,
    make_filters,
)

__all__ = [
    "LIST_SORT",
    "SHORTLIST_SORT",
    "SORT_KEYS",
    "TIERS",
    "EmptyReason",
    "FilterArgs",
    "Filters",
    "FitQuery",
    "Hit",
    "SearchEngine",
    "Sort",
    "make_filters",
]

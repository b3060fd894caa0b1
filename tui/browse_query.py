"""One refresh of the browse screen, run in a worker thread: counts, the first page, why empty.

Everything here calls the ``catalog`` API; the screen only shows the ``BrowseResult``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from catalog.errors import CatalogError
from tui.state import FilterState, UseState

if TYPE_CHECKING:
    from catalog.api import Catalog
    from catalog.query import Filters, Sort
    from catalog.use_filter import UseVerdicts
    from tui.columns import RowMaker
    from tui.widgets.model_table import PageLoader, TableRow


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


@dataclass
class UseCache:
    """Intended-use verdicts, computed once per use (they change only when the use does)."""

    use: UseState | None = None
    verdicts: UseVerdicts | None = None

    def get(self, cat: Catalog, use: UseState) -> UseVerdicts:
        """The verdicts for ``use`` (raises ``UsageError`` for a bad MAU)."""
        from catalog.use_filter import use_verdicts

        if self.use != use or self.verdicts is None:
            self.verdicts = use_verdicts(cat, use.intended_use())
            self.use = use
        return self.verdicts


FILTER_LABELS = {
    "max_params": "max params",
    "min_params": "min params",
    "mau": "MAU",
    "commercial": "commercial",
    "search": "search",
}


def run_browse_query(
    cat: Catalog,
    state: FilterState,
    *,
    sort: Sort,
    page_size: int,
    rows: RowMaker,
    use_cache: UseCache,
) -> BrowseResult:
    """Count and read the first page for ``state``; explain an empty result."""
    base, problems = state.to_filters()
    notes: list[str] = []
    parts = [base]
    if state.use is not None:
        try:
            from catalog.use_filter import narrow_for_use

            parts = narrow_for_use(cat, base, use_cache.get(cat, state.use))
        except CatalogError as exc:
            problems["use"] = str(exc)
        else:
            if len(parts) > 1:
                notes.append("API-only models are listed after models with weights")
    if state.fits is not None:
        problems["fits"] = "the fit filter needs catalog.hardware and catalog.estimate"
    counts = [cat.count(part) for part in parts]
    total = sum(counts)

    def loader(offset: int, limit: int) -> list[TableRow]:
        return rows(_union_page(cat, parts, counts, sort=sort, offset=offset, limit=limit))

    first = loader(0, page_size) if total else []
    reason = None if total else _why_empty(cat, base, state, len(parts) == 0 or base != parts[0])
    return BrowseResult(state, total, first, loader, reason, problems, notes)


def _union_page(
    cat: Catalog, parts: list[Filters], counts: list[int], *, sort: Sort, offset: int, limit: int
) -> list[object]:
    """One page of the union of ``parts``, in part order (each part sorted by ``sort``)."""
    out: list[object] = []
    for part, count in zip(parts, counts, strict=True):
        if limit <= 0:
            break
        if offset >= count:
            offset -= count
            continue
        take = min(limit, count - offset)
        out.extend(cat.query(part, sort=sort, top=take, offset=offset))
        limit -= take
        offset = 0
    return out


def _why_empty(cat: Catalog, base: Filters, state: FilterState, narrowed: bool) -> str:
    from catalog.explain import why_empty

    if narrowed and cat.count(base) > 0:
        return (
            f"No models match: the {cat.count(base):,} models that pass the other filters are all "
            f"forbidden for the intended use ({(state.use or UseState()).describe()})."
        )
    reason = why_empty(cat, base)
    return reason.message(lambda name: FILTER_LABELS.get(name, name.replace("_", " ")))

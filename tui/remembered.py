"""What the TUI keeps from one session to the next, in the store (``catalog.store.preferences``):
the browse filters (not the search text), the sort and the export format. Marks are kept as a
saved list (``tui.state.Shortlist``).

A document written by another version is read leniently: unknown keys are ignored and a value
that no longer parses falls back to the default, so a stale preference never stops the app.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from typing import TYPE_CHECKING, Any, cast

from catalog.errors import CatalogError
from catalog.export import EXPORT_FORMATS
from tui.state import FilterState, FitState, UseState

if TYPE_CHECKING:
    from catalog.api import Catalog
    from catalog.export import ExportFormat
    from catalog.search import Sort

KEY = "tui"
"""The preference document's name."""


@dataclass(frozen=True)
class Remembered:
    """The settings carried over."""

    filters: FilterState = FilterState()
    sort: Sort | None = None
    export_format: ExportFormat = "json"


def load_remembered(cat: Catalog) -> Remembered:
    """What the last session left (defaults for anything missing or no longer valid)."""
    from catalog.api import SHORTLIST_SORT
    from catalog.search import Sort
    from catalog.store.preferences import load_preference

    doc = load_preference(cat.engine, KEY) or {}
    sort: Sort | None = None
    if isinstance(doc.get("sort"), str):
        try:
            sort = Sort.parse(doc["sort"], default=SHORTLIST_SORT)
        except CatalogError:
            sort = None
    fmt = doc.get("export_format")
    return Remembered(
        filters=_filters(doc.get("filters")),
        sort=sort,
        export_format=cast("ExportFormat", fmt) if fmt in EXPORT_FORMATS else "json",
    )


def save_remembered(cat: Catalog, remembered: Remembered) -> None:
    """Keep ``remembered`` for the next session."""
    from catalog.store.preferences import save_preference

    filters = asdict(remembered.filters.with_(search=""))
    sort = remembered.sort
    doc = {
        "filters": filters,
        "sort": f"{sort.key}:{'desc' if sort.descending else 'asc'}" if sort else None,
        "export_format": remembered.export_format,
    }
    save_preference(cat.engine, KEY, doc)


def _filters(doc: object) -> FilterState:
    if not isinstance(doc, dict):
        return FilterState()
    values: dict[str, Any] = {}
    for f in fields(FilterState):
        if f.name == "search" or f.name not in doc:
            continue
        value = doc[f.name]
        if f.name == "use":
            value = _nested(UseState, value)
        elif f.name == "fits":
            value = _nested(FitState, value)
        elif not isinstance(value, type(getattr(FilterState(), f.name))):
            continue
        if _usable(f.name, value):
            values[f.name] = value
    return FilterState(**values)


def _usable(name: str, value: object) -> bool:
    """True when the catalog takes ``value`` for filter ``name`` (a family or license may have
    left the catalog since it was saved)."""
    try:
        FilterState().with_(**{name: value}).to_filters()
    except CatalogError:
        return False
    return True


def _nested(kind: type[UseState] | type[FitState], doc: object) -> Any:
    if not isinstance(doc, dict):
        return None
    default = kind()
    known = {
        f.name: doc[f.name]
        for f in fields(kind)
        if f.name in doc and isinstance(doc[f.name], type(getattr(default, f.name)))
    }
    return kind(**known)

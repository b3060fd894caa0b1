"""``shortlist --save NAME`` and ``shortlist --load NAME``: shortlists shared through the store."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from catalog.cli.common import err
from catalog.errors import UsageError
from catalog.render import Format

if TYPE_CHECKING:
    from catalog.api import Catalog
    from catalog.domain import Model
    from catalog.search import Filters, Sort


def shortlist_query(
    filters: Filters, order: Sort, top: int | None, fit: dict[str, Any] | None
) -> dict[str, Any]:
    """What ``--save`` records about how the list was made."""
    return {
        "command": "shortlist",
        "filters": filters.active(),
        "sort": order.label(),
        "top": top,
        "fits": fit,
    }


def save_shortlist(
    cat: Catalog, name: str, model_ids: Sequence[str], query: dict[str, Any], fmt: Format
) -> None:
    """Save the ids and the query under ``name``; say so on stderr (stdout keeps the listing)."""
    saved = cat.save_list(name, model_ids, query=query)
    if fmt is Format.table:
        err(
            f"saved {len(saved.model_ids)} models as {saved.name!r} (modelcat shortlist --load {saved.name})"
        )


def load_shortlist(cat: Catalog, name: str, fmt: Format) -> tuple[list[Model], str]:
    """The models saved under ``name`` in saved order, and a title.

    Ids no longer in the catalog are named on stderr and left out.

    Raises:
        UsageError: nothing is saved under ``name``.
    """
    loaded = cat.load_list(name)
    if loaded is None:
        names = ", ".join(cat.saved_lists()) or "none"
        raise UsageError(f"no saved shortlist named {name!r} (saved: {names})")
    saved, models, missing = loaded.saved, loaded.models, loaded.missing
    if fmt is Format.table:
        made = describe_query(saved.query)
        err(f"saved {saved.updated_at:%Y-%m-%d %H:%M} UTC" + (f" from: {made}" if made else ""))
        if missing:
            err(f"no longer in the catalog: {', '.join(missing)}")
    return models, f"shortlist {saved.name!r}"


def describe_query(query: dict[str, Any] | None) -> str:
    """How a saved shortlist was made, in one line (empty for a hand-picked list)."""
    if not query:
        return ""
    filters = query.get("filters") or {}
    parts = [f"{key}={value}" for key, value in filters.items()]
    if query.get("fits"):
        parts.append("fits=" + ",".join(f"{k}={v}" for k, v in query["fits"].items() if v))
    return "; ".join(parts) if parts else "no filters"

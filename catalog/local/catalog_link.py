"""Link models found on disk to the catalog without reading the whole catalog.

A cached copy links by its Hub id, so only the catalog rows with those Hub ids are read. A
plain folder links by its architecture numbers against the curated entries only: matching a
shape against a million Hub-discovered fine-tunes would almost never be unambiguous, and a
curated entry is what a user's copy of a well-known model is.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import TYPE_CHECKING

from catalog.local.link import link
from catalog.local.model import LocalModel
from catalog.store import hub_id_lookup

if TYPE_CHECKING:
    from catalog.api import Catalog
    from catalog.domain import Model


def link_to_catalog(cat: Catalog, models: Sequence[LocalModel]) -> list[LocalModel]:
    """``models`` with ``catalog_id`` set where a catalog entry matches (``catalog.local.link.link``)."""
    from catalog.api import make_filters

    targets: dict[str, Model] = {m.id: m for m in _by_hub_ids(cat, models)}
    if any(m.hub_id is None and m.config is not None for m in models):
        targets.update((m.id, m) for m in cat.query(make_filters(tier="curated")))
    return link(models, targets.values())


def _by_hub_ids(cat: Catalog, models: Sequence[LocalModel]) -> list[Model]:
    # Curated rows come last: link() keeps the last entry per Hub id, and a curated one wins.
    with cat.connect() as conn:
        return hub_id_lookup.models_with_hub_ids(conn, [m.hub_id for m in models if m.hub_id])


def catalog_ids_by_hub_id(cat: Catalog, hub_ids: Sequence[str]) -> dict[str, str]:
    """Lower-cased Hub id -> catalog id, for the Hub ids the catalog knows (curated wins)."""
    with cat.connect() as conn:
        return hub_id_lookup.catalog_ids_by_hub_id(conn, hub_ids)


def local_copies(model: Model) -> list[LocalModel]:
    """The copy of ``model`` in the Hugging Face cache (its ``main`` snapshot), if any.

    A look-up of the model's own repository rather than a scan of the whole cache, which would
    read every cached config: cheap enough for every ``modelcat show`` and TUI detail view.
    """
    from catalog.local.folders import scan_folder
    from catalog.local.hf_cache import cached_snapshot

    if model.hub_id is None or model.is_api:
        return []
    try:
        snapshot = cached_snapshot(model.hub_id)
    except ValueError:  # a hub id that is not safe to turn into a path
        return []
    if snapshot is None:
        return []
    copies = scan_folder(snapshot, max_depth=0).models
    return [dataclasses.replace(copy, catalog_id=model.id) for copy in copies]

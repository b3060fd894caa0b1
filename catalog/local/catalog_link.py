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

    targets: dict[str, Model] = {
        m.id: m for m in models_by_hub_ids(cat, [m.hub_id for m in models if m.hub_id])
    }
    if any(m.hub_id is None and m.config is not None for m in models):
        targets.update((m.id, m) for m in cat.query(make_filters(tier="curated")))
    linked = link(models, targets.values())
    # A GGUF file links by what its header says (catalog.local.gguf_link).
    unlinked = [m.gguf.info for m in linked if m.gguf is not None and m.catalog_id is None]
    if not unlinked:
        return linked
    from catalog.local.gguf_files import catalog_targets
    from catalog.local.gguf_link import link_gguf

    candidates = catalog_targets(cat, unlinked)
    return [
        dataclasses.replace(m, catalog_id=link_gguf(m.gguf.info, candidates))
        if m.gguf is not None and m.catalog_id is None
        else m
        for m in linked
    ]


def models_by_hub_ids(cat: Catalog, hub_ids: Sequence[str]) -> list[Model]:
    """The catalog entries with these Hub ids (case-insensitive), curated last: link() keeps the
    last entry per Hub id, and a curated one wins."""
    with cat.connect() as conn:
        return hub_id_lookup.models_with_hub_ids(conn, hub_ids)


def catalog_ids_by_hub_id(cat: Catalog, hub_ids: Sequence[str]) -> dict[str, str]:
    """Lower-cased Hub id -> catalog id, for the Hub ids the catalog knows (curated wins)."""
    with cat.connect() as conn:
        return hub_id_lookup.catalog_ids_by_hub_id(conn, hub_ids)


def local_copies(model: Model, *, cat: Catalog | None = None) -> list[LocalModel]:
    """The copy of ``model`` in the Hugging Face cache (its ``main`` snapshot), if any, and
    with ``cat`` the GGUF copies of LM Studio, llama.cpp's cache and Ollama linked to it.

    A look-up of the model's own repository rather than a scan of the whole cache, which would
    read every cached config: cheap enough for every ``modelcat show`` and TUI detail view.
    The GGUF folders are scanned (their headers are small reads).
    """
    if model.is_api:
        return []
    copies = _cached_copies(model)
    if cat is not None:
        from catalog.local.gguf_files import gguf_copies

        copies += gguf_copies(cat, model)
    return copies


def _cached_copies(model: Model) -> list[LocalModel]:
    from catalog.local.folders import scan_folder
    from catalog.local.hf_cache import cached_snapshot

    if model.hub_id is None:
        return []
    try:
        snapshot = cached_snapshot(model.hub_id)
    except ValueError:  # a hub id that is not safe to turn into a path
        return []
    if snapshot is None:
        return []
    copies = scan_folder(snapshot, max_depth=0).models
    return [dataclasses.replace(copy, catalog_id=model.id) for copy in copies]

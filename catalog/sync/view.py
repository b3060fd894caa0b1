"""What ``modelcat show`` and the TUI detail read back: the ``hub`` object, drift and lineage."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from catalog.store import hub_store

if TYPE_CHECKING:
    from catalog.api import Catalog
    from catalog.domain import Model
    from catalog.store.hub_records import HubSnapshot

HUB_KEYS = (
    "sha", "last_modified", "gated", "license", "license_name", "downloads", "likes",
    "safetensors_total", "safetensors_parameters", "quantized", "library_name", "pipeline_tag",
    "base_models", "synced_at", "checked_at", "error", "config_note",
)  # fmt: skip


def hub_view(cat: Catalog, model: Model) -> dict[str, Any]:
    """The ``hub`` object of ``show``: every key present, all null before the first sync.

    ``has_config`` says whether the full config.json is stored (it is left out for size).
    """
    snapshot = _snapshot(cat, model)
    if snapshot is None:
        return dict.fromkeys(HUB_KEYS) | {"has_config": False}
    out: dict[str, Any] = {key: _plain(getattr(snapshot, key)) for key in HUB_KEYS}
    out["has_config"] = snapshot.config is not None
    return out


def drift_view(cat: Catalog, model: Model) -> list[dict[str, Any]]:
    """The ``drift`` list of ``show``: ``{field, curated, hub, detail}`` per disagreement."""
    items = hub_store.stored_drift(cat.engine, [model.id])
    return [{k: v for k, v in d.to_json().items() if k != "model"} for d in items]


def lineage_view(cat: Catalog, model: Model) -> dict[str, Any] | None:
    """The ``lineage`` object of ``show`` for a Hub-tier derivative, else None."""
    from catalog.sync.lineage import lineages

    found = lineages(cat, [model]).get(model.id)
    return found.to_json() if found is not None else None


def synced_config(cat: Catalog, model: Model) -> dict[str, Any] | None:
    """The full config.json stored by the last sync of ``model``, or None."""
    snapshot = _snapshot(cat, model)
    return dict(snapshot.config) if snapshot is not None and snapshot.config is not None else None


def _snapshot(cat: Catalog, model: Model) -> HubSnapshot | None:
    return hub_store.stored_snapshot(cat.engine, model.hub_id) if model.hub_id else None


def _plain(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return value.isoformat()
    if isinstance(value, tuple):
        return list(value)
    if isinstance(value, dict):
        return dict(value)
    return value

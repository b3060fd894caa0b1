"""What ``modelcat show`` and the TUI detail read back: the ``hub`` object, drift and lineage."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from catalog.sync import persist

if TYPE_CHECKING:
    from catalog.api import Catalog
    from catalog.domain import Model

HUB_KEYS = (
    "sha", "last_modified", "gated", "license", "license_name", "downloads", "likes",
    "safetensors_total", "safetensors_parameters", "quantized", "library_name", "pipeline_tag",
    "base_models", "synced_at", "checked_at", "error", "config_note",
)  # fmt: skip


def hub_view(cat: Catalog, model: Model) -> dict[str, Any]:
    """The ``hub`` object of ``show``: every key present, all null before the first sync.

    ``has_config`` says whether the full config.json is stored (it is left out for size).
    """
    snapshot = _snapshot(cat, model) or {}
    out: dict[str, Any] = {key: _plain(snapshot.get(key)) for key in HUB_KEYS}
    out["gated"] = persist.gated_value(snapshot.get("gated"))
    out["has_config"] = snapshot.get("config") is not None
    return out


def drift_view(cat: Catalog, model: Model) -> list[dict[str, Any]]:
    """The ``drift`` list of ``show``: ``{field, curated, hub, detail}`` per disagreement."""

    def read() -> list[dict[str, Any]]:
        with cat.connect() as conn:
            items = persist.load_drift(conn, [model.id])
        return [{k: v for k, v in d.to_json().items() if k != "model"} for d in items]

    return persist.safely(read, [])


def lineage_view(cat: Catalog, model: Model) -> dict[str, Any] | None:
    """The ``lineage`` object of ``show`` for a Hub-tier derivative, else None."""
    from catalog.sync.lineage import lineages

    found = lineages(cat, [model]).get(model.id)
    return found.to_json() if found is not None else None


def synced_config(cat: Catalog, model: Model) -> dict[str, Any] | None:
    """The full config.json stored by the last sync of ``model``, or None."""
    snapshot = _snapshot(cat, model)
    config = snapshot.get("config") if snapshot else None
    return dict(config) if isinstance(config, dict) else None


def _snapshot(cat: Catalog, model: Model) -> persist.Snapshot | None:
    if not model.hub_id:
        return None
    hub_id = model.hub_id

    def read() -> persist.Snapshot | None:
        with cat.connect() as conn:
            return persist.load_snapshots(conn, [hub_id]).get(hub_id)

    return persist.safely(read, None)


def _plain(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return value.isoformat()
    return value

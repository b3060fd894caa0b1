"""Hub answers as what the store keeps (a typed snapshot of the repo, its base models), and the
config.json a sync stored."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from catalog.store import hub_store
from catalog.store.hub_records import HubSnapshot, LineageLink

if TYPE_CHECKING:
    from catalog.api import Catalog
    from catalog.domain import Model
    from catalog.hub import HubModel


def now() -> dt.datetime:
    """The current time in UTC (what every timestamp column stores)."""
    return dt.datetime.now(dt.UTC)


def snapshot_from(
    info: HubModel,
    *,
    repo_id: str,
    config: Mapping[str, Any] | None,
    config_note: str | None,
    at: dt.datetime,
) -> HubSnapshot:
    """The full snapshot of ``repo_id`` (as modelcat asked for it) from a model info answer
    and its config.json."""
    return HubSnapshot(
        repo_id=repo_id,
        sha=info.sha,
        last_modified=info.last_modified,
        created_at=info.created_at,
        gated=info.gated,
        private=info.private,
        disabled=info.disabled,
        license=info.license,
        license_name=info.license_name,
        license_link=info.license_link,
        downloads=info.downloads,
        likes=info.likes,
        safetensors_total=info.safetensors_total,
        safetensors_parameters=dict(info.safetensors_parameters) or None,
        quantized=info.quantized,
        library_name=info.library_name,
        pipeline_tag=info.pipeline_tag,
        tags=info.tags,
        base_models=info.base_models,
        config=dict(config) if config is not None else None,
        config_note=config_note,
        synced_at=at,
        checked_at=at,
    )


def refreshed(stored: HubSnapshot, cheap: HubModel, *, at: dt.datetime) -> HubSnapshot:
    """``stored`` with the fields a cheap check returned (gated, downloads, likes...) refreshed."""
    return stored.refreshed(
        gated=cheap.gated,
        private=cheap.private,
        disabled=cheap.disabled,
        downloads=cheap.downloads,
        likes=cheap.likes,
        at=at,
    )


def lineage_links(repo_id: str, info: HubModel) -> list[LineageLink]:
    """The base models ``info`` declares for ``repo_id``, in declaration order (never itself)."""
    relations: dict[str, str] = {}
    for tag in info.tags:
        relation, _, base = tag.removeprefix("base_model:").partition(":")
        if tag.startswith("base_model:") and base:
            relations.setdefault(base.lower(), relation)
    return [
        LineageLink(repo_id, base, relations.get(base.lower()), position)
        for position, base in enumerate(info.base_models)
        if base.lower() != repo_id.lower()
    ]


def synced_config(cat: Catalog, model: Model) -> dict[str, Any] | None:
    """The full config.json stored by the last sync of ``model``, or None."""
    snapshot = hub_store.stored_snapshot(cat.engine, model.hub_id) if model.hub_id else None
    return dict(snapshot.config) if snapshot is not None and snapshot.config is not None else None

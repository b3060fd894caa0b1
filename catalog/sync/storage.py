"""Hub answers into the store: Hub-tier models, and a whole listing page of a discovery."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from sqlalchemy.engine import Connection

from catalog.domain import Model
from catalog.hub import HubModel
from catalog.store import hub_store
from catalog.sync.drift import LicenseTable
from catalog.sync.hub_model import catalog_model, hub_model_id
from catalog.sync.snapshots import lineage_links, now, snapshot_from


@dataclass(frozen=True)
class PageWritten:
    """What one listing page changed: the models written, by catalog id new or unchanged."""

    models: list[Model]
    synced: list[str]
    """Hub-tier ids stored new or with a new commit."""
    unchanged: list[str]
    """Hub-tier ids whose stored commit is the one listed."""


def store_hub_models(
    conn: Connection,
    infos: Sequence[HubModel],
    endpoint: str,
    licenses: LicenseTable,
    *,
    families: Mapping[str, str] | None = None,
) -> list[Model]:
    """Insert or replace the Hub-tier rows of ``infos`` (never a curated row).

    Returns:
        The models written (a repo whose id is taken by a curated model is left out).
    """
    if families is None:
        families = hub_store.base_families(conn)
    models = {
        m.id: m
        for m in (
            catalog_model(i, endpoint=endpoint, licenses=licenses, base_families=families)
            for i in infos
        )
    }
    return hub_store.replace_hub_tier(
        conn, list(models.values()), commercial_use=licenses.commercial_use
    )


def write_listing_page(
    conn: Connection,
    infos: Sequence[HubModel],
    *,
    endpoint: str,
    licenses: LicenseTable,
    families: Mapping[str, str],
) -> PageWritten:
    """Store one discovery listing page: Hub-tier models, their snapshots and lineage.

    Call inside ``engine.begin()``, so a page is written whole or not at all.
    """
    at = now()
    stored = hub_store.load_snapshots(conn, [i.repo_id for i in infos])
    models = store_hub_models(conn, infos, endpoint, licenses, families=families)
    written = {m.hub_id for m in models}
    kept = [i for i in infos if i.repo_id in written]
    hub_store.write_listed(
        conn,
        [snapshot_from(i, repo_id=i.repo_id, config=None, config_note=None, at=at) for i in kept],
        [link for i in kept for link in lineage_links(i.repo_id, i)],
    )
    synced: list[str] = []
    unchanged: list[str] = []
    for info in kept:
        before = stored.get(info.repo_id)
        same = before is not None and before.sha == info.sha
        (unchanged if same else synced).append(hub_model_id(info.repo_id))
    return PageWritten(models, synced, unchanged)

"""Writing Hub-tier models (discovered on the Hub) into the catalog's ``model`` table."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from sqlalchemy import delete, select
from sqlalchemy.engine import Connection

from catalog.domain import Model
from catalog.hub import HubModel
from catalog.store.convert import model_row
from catalog.store.locks import hold_write_lock
from catalog.store.tables import MODEL
from catalog.sync.drift import LicenseTable
from catalog.sync.hub_model import catalog_model


def base_families(conn: Connection) -> dict[str, str]:
    """Lower-cased Hub id -> family, for every catalog model with a Hub id (curated win)."""
    stmt = (
        select(MODEL.c.hub_id, MODEL.c.family)
        .where(MODEL.c.hub_id.is_not(None))
        .order_by(MODEL.c.tier.desc())  # "hub" before "curated": curated overwrite below
    )
    return {hub_id.lower(): family for hub_id, family in conn.execute(stmt)}


def curated_hub_ids(conn: Connection) -> set[str]:
    """Lower-cased Hub ids of the curated models (discovery never writes those)."""
    stmt = select(MODEL.c.hub_id).where(MODEL.c.tier == "curated", MODEL.c.hub_id.is_not(None))
    return {hub_id.lower() for (hub_id,) in conn.execute(stmt)}


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
        families = base_families(conn)
    models = {
        m.id: m
        for m in (
            catalog_model(i, endpoint=endpoint, licenses=licenses, base_families=families)
            for i in infos
        )
    }
    if not models:
        return []
    hold_write_lock(conn)  # before reading what is taken: a rebuild may be adding curated ids
    taken = {
        model_id
        for (model_id,) in conn.execute(
            select(MODEL.c.id).where(MODEL.c.id.in_(list(models)), MODEL.c.tier != "hub")
        )
    }
    kept = [m for m in models.values() if m.id not in taken]
    conn.execute(delete(MODEL).where(MODEL.c.id.in_(list(models)), MODEL.c.tier == "hub"))
    if kept:
        conn.execute(
            MODEL.insert(),
            [model_row(m, commercial_use=_commercial(m, licenses)) for m in kept],
        )
    return kept


def _commercial(model: Model, licenses: LicenseTable) -> str:
    entry = licenses.entries.get(model.license)
    return entry.term("commercial_use").value if entry is not None else "unknown"

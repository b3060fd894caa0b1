"""Catalog models by Hub id: what a local copy or a benchmark run of a Hub repo is.

Hub ids compare case-insensitively (as the Hub treats them); where a curated and a Hub-tier
model share a Hub id, the curated one wins. Ids are looked up in chunks, so the reads stay
bounded however many copies are linked at once.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence

from sqlalchemy import func, select
from sqlalchemy.engine import Connection

from catalog.domain import Model
from catalog.store.tables import MODEL

_CHUNK = 500


def models_with_hub_ids(conn: Connection, hub_ids: Iterable[str]) -> list[Model]:
    """The catalog models whose Hub id is one of ``hub_ids``, curated ones last."""
    found: list[Model] = []
    for chunk in _chunks(hub_ids):
        stmt = (
            select(MODEL.c.data)
            .where(func.lower(MODEL.c.hub_id).in_(chunk))
            .order_by(MODEL.c.tier.desc())  # "hub" before "curated"
        )
        found += [Model.from_json(data) for (data,) in conn.execute(stmt)]
    return found


def catalog_ids_by_hub_id(conn: Connection, hub_ids: Iterable[str]) -> dict[str, str]:
    """Lower-cased Hub id -> catalog id, for the Hub ids the catalog knows (curated wins)."""
    out: dict[str, str] = {}
    for chunk in _chunks(hub_ids):
        stmt = (
            select(MODEL.c.hub_id, MODEL.c.id)
            .where(func.lower(MODEL.c.hub_id).in_(chunk))
            .order_by(MODEL.c.tier.desc())  # curated last, so it overwrites
        )
        out.update((hub_id.lower(), model_id) for hub_id, model_id in conn.execute(stmt))
    return out


def _chunks(hub_ids: Iterable[str]) -> Iterator[Sequence[str]]:
    wanted = sorted({h.lower() for h in hub_ids})
    for start in range(0, len(wanted), _CHUNK):
        yield wanted[start : start + _CHUNK]

"""The SQL of the Hub sync: snapshots, lineage, drift and the Hub-tier rows of ``model``.

Portable SQL only (SQLAlchemy Core): an upsert is a delete and an insert inside the caller's
transaction, so the same code runs on SQLite and PostgreSQL. Every writer first takes the
store-wide write lock (``catalog.store.locks``): two syncs at once on PostgreSQL then take turns
instead of colliding on a key one of them has just deleted and re-inserted. Callers pass and
receive typed records (``catalog.store.hub_records``), never rows.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, TypeVar

from sqlalchemy import bindparam, delete, func, select, update
from sqlalchemy.engine import Connection, Engine, RowMapping
from sqlalchemy.exc import DBAPIError

from catalog.domain import Model
from catalog.store.convert import as_utc, model_row
from catalog.store.derived import refresh_derived
from catalog.store.hub_records import DriftItem, HubSnapshot, LineageLink
from catalog.store.hub_tables import HUB_DRIFT, HUB_LINEAGE, HUB_SNAPSHOT
from catalog.store.locks import hold_write_lock
from catalog.store.tables import MODEL

T = TypeVar("T")

_CHUNK = 500
"""Ids per IN (...) list: far below every backend's bound-parameter limit."""
_VOLATILE = ("gated", "private", "disabled", "downloads", "likes", "checked_at")
"""Snapshot columns a cheap check refreshes (they change without a new commit)."""


def ensure_tables(engine: Engine) -> None:
    """Create the sync tables in a store built before they existed (idempotent)."""
    from catalog.store.schema_setup import create_all

    create_all(engine)


def safely(read: Callable[[], T], default: T) -> T:
    """Run a read; a store without the sync tables (never synced, read-only) gives ``default``."""
    try:
        return read()
    except DBAPIError:
        return default


# ---- snapshots and lineage -------------------------------------------------------------------


def write_repo(
    conn: Connection,
    snapshot: HubSnapshot,
    *,
    lineage: Sequence[LineageLink] | None,
    drift: tuple[str, Sequence[DriftItem], dt.datetime] | None,
) -> None:
    """Replace one repo's snapshot, its lineage (when given) and a model's drift (when given).

    ``drift`` is ``(model id, items, detected at)``. Call inside ``engine.begin()``: the
    repo's update is then a single transaction.
    """
    hold_write_lock(conn)
    conn.execute(delete(HUB_SNAPSHOT).where(HUB_SNAPSHOT.c.repo_id == snapshot.repo_id))
    conn.execute(HUB_SNAPSHOT.insert(), [_snapshot_row(snapshot)])
    if lineage is not None:
        conn.execute(delete(HUB_LINEAGE).where(HUB_LINEAGE.c.repo_id == snapshot.repo_id))
        if lineage:
            conn.execute(HUB_LINEAGE.insert(), [_lineage_row(link) for link in lineage])
    if drift is not None:
        model_id, items, at = drift
        replace_drift(conn, model_id, items, at=at)
    refresh_derived(conn, [snapshot.repo_id])


def write_listed(
    conn: Connection,
    snapshots: Sequence[HubSnapshot],
    lineage: Sequence[LineageLink],
    *,
    deferred: list[str] | None = None,
) -> None:
    """Replace the snapshots and the whole lineage of listed repos (a listing page at once).

    ``deferred``: the derived columns are left for the caller, who appends the repo ids to it
    (a bulk write refreshes them all at its end: ``catalog.store.bulk``).
    """
    if not snapshots:
        return
    hold_write_lock(conn)
    ids = [s.repo_id for s in snapshots]
    for chunk in _chunks(ids):
        conn.execute(delete(HUB_SNAPSHOT).where(HUB_SNAPSHOT.c.repo_id.in_(chunk)))
        conn.execute(delete(HUB_LINEAGE).where(HUB_LINEAGE.c.repo_id.in_(chunk)))
    conn.execute(HUB_SNAPSHOT.insert(), [_snapshot_row(s) for s in snapshots])
    if lineage:
        conn.execute(HUB_LINEAGE.insert(), [_lineage_row(link) for link in lineage])
    if deferred is not None:
        deferred.extend(ids)
    else:
        refresh_derived(conn, ids)


def record_failure(engine: Engine, repo_id: str, error: str, *, at: dt.datetime) -> None:
    """Note why ``repo_id`` failed; whatever was stored before stays as it was."""
    with engine.begin() as conn:
        hold_write_lock(conn)
        changed = conn.execute(
            update(HUB_SNAPSHOT)
            .where(HUB_SNAPSHOT.c.repo_id == repo_id)
            .values(error=error, checked_at=at)
        ).rowcount
        if not changed:
            conn.execute(
                HUB_SNAPSHOT.insert(), [{"repo_id": repo_id, "error": error, "checked_at": at}]
            )


def refresh_volatile(conn: Connection, snapshots: Sequence[HubSnapshot]) -> None:
    """Write the cheap-check fields of already stored snapshots (one statement)."""
    if not snapshots:
        return
    hold_write_lock(conn)
    stmt = (
        update(HUB_SNAPSHOT)
        .where(HUB_SNAPSHOT.c.repo_id == bindparam("key"))
        .values({c: bindparam(f"v_{c}") for c in _VOLATILE})
    )
    rows = [_snapshot_row(s) for s in snapshots]
    conn.execute(stmt, [{"key": r["repo_id"], **{f"v_{c}": r[c] for c in _VOLATILE}} for r in rows])


def load_snapshots(conn: Connection, repo_ids: Iterable[str]) -> dict[str, HubSnapshot]:
    """Stored snapshots by repo id (the exact spelling they were stored under)."""
    out: dict[str, HubSnapshot] = {}
    for chunk in _chunks(list(dict.fromkeys(repo_ids))):
        stmt = select(HUB_SNAPSHOT).where(HUB_SNAPSHOT.c.repo_id.in_(chunk))
        for row in conn.execute(stmt).mappings():
            out[row["repo_id"]] = _snapshot(row)
    return out


def stored_snapshot(engine: Engine, repo_id: str) -> HubSnapshot | None:
    """One repo's stored snapshot; None before its first sync or in a store without the tables."""

    def read() -> HubSnapshot | None:
        with engine.connect() as conn:
            return load_snapshots(conn, [repo_id]).get(repo_id)

    return safely(read, None)


# ---- drift -----------------------------------------------------------------------------------


def replace_drift(
    conn: Connection, model_id: str, items: Sequence[DriftItem], *, at: dt.datetime
) -> None:
    """Replace one model's drift rows."""
    hold_write_lock(conn)
    conn.execute(delete(HUB_DRIFT).where(HUB_DRIFT.c.model_id == model_id))
    rows = [
        {
            "model_id": d.model,
            "field": d.field,
            "curated": d.curated,
            "hub": d.hub,
            "detail": d.detail,
            "detected_at": at,
        }
        for d in items
    ]
    if rows:
        conn.execute(HUB_DRIFT.insert(), rows)


def stored_drift(engine: Engine, model_ids: Sequence[str]) -> list[DriftItem]:
    """Recorded drift of the models, ordered by model and field (none without the tables)."""

    def read() -> list[DriftItem]:
        stmt = (
            select(HUB_DRIFT)
            .where(HUB_DRIFT.c.model_id.in_(list(model_ids)))
            .order_by(HUB_DRIFT.c.model_id, HUB_DRIFT.c.field)
        )
        with engine.connect() as conn:
            return [
                DriftItem(r["model_id"], r["field"], r["curated"], r["hub"], r["detail"])
                for r in conn.execute(stmt).mappings()
            ]

    return safely(read, [])


# ---- the model table, as the sync sees it ------------------------------------------------------


def curated_with_hub_id(conn: Connection) -> list[Model]:
    """The curated models that name a Hub repository, by id."""
    stmt = (
        select(MODEL.c.data)
        .where(MODEL.c.tier == "curated", MODEL.c.hub_id.is_not(None))
        .order_by(MODEL.c.id)
    )
    return [Model.from_json(data) for (data,) in conn.execute(stmt)]


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


def replace_hub_tier(
    conn: Connection, models: Sequence[Model], *, commercial_use: Mapping[str, str]
) -> list[Model]:
    """Insert or replace Hub-tier rows (never a curated row); returns the models written.

    Args:
        conn: a connection inside a transaction.
        models: Hub-tier models; one whose id a curated model holds is left out.
        commercial_use: license id -> its ``commercial_use`` term value (for the ranking score).
    """
    if not models:
        return []
    ids = [m.id for m in models]
    hold_write_lock(conn)  # before reading what is taken: a rebuild may be adding curated ids
    taken = {
        model_id
        for (model_id,) in conn.execute(
            select(MODEL.c.id).where(MODEL.c.id.in_(ids), MODEL.c.tier != "hub")
        )
    }
    kept = [m for m in models if m.id not in taken]
    # Every other row of these ids is Hub-tier: deleted by primary key alone (given the tier as
    # well, SQLite may walk the tier index, every Hub-tier row, instead of the ids).
    conn.execute(delete(MODEL).where(MODEL.c.id.in_([m.id for m in kept])))
    if kept:
        conn.execute(
            MODEL.insert(),
            [model_row(m, commercial_use=commercial_use.get(m.license, "unknown")) for m in kept],
        )
    return kept


def remove_hub_duplicates(conn: Connection, curated_hub_ids: Iterable[str]) -> int:
    """Delete Hub-tier rows for repos that are now curated (a curated entry takes over)."""
    hold_write_lock(conn)
    removed = 0
    for chunk in _chunks(sorted({h.lower() for h in curated_hub_ids})):
        removed += conn.execute(
            delete(MODEL).where(MODEL.c.tier == "hub", func.lower(MODEL.c.hub_id).in_(chunk))
        ).rowcount
    return removed


# ---- rows ------------------------------------------------------------------------------------


def _snapshot_row(snapshot: HubSnapshot) -> dict[str, Any]:
    gated = snapshot.gated
    return {
        "repo_id": snapshot.repo_id,
        "sha": snapshot.sha,
        "last_modified": snapshot.last_modified,
        "created_at": snapshot.created_at,
        # Stored as text: ``false``, ``auto`` or ``manual``.
        "gated": "false" if gated is False else gated,
        "private": snapshot.private,
        "disabled": snapshot.disabled,
        "license": snapshot.license,
        "license_name": snapshot.license_name,
        "license_link": snapshot.license_link,
        "downloads": snapshot.downloads,
        "likes": snapshot.likes,
        "safetensors_total": snapshot.safetensors_total,
        "safetensors_parameters": (
            dict(snapshot.safetensors_parameters) if snapshot.safetensors_parameters else None
        ),
        "quantized": snapshot.quantized,
        "library_name": snapshot.library_name,
        "pipeline_tag": snapshot.pipeline_tag,
        "tags": list(snapshot.tags),
        "base_models": list(snapshot.base_models),
        "config": dict(snapshot.config) if snapshot.config is not None else None,
        "config_note": snapshot.config_note,
        "synced_at": snapshot.synced_at,
        "checked_at": snapshot.checked_at,
        "error": snapshot.error,
    }


def _snapshot(row: RowMapping) -> HubSnapshot:
    gated = row["gated"]
    config = row["config"]
    parameters = row["safetensors_parameters"]
    return HubSnapshot(
        repo_id=row["repo_id"],
        sha=row["sha"],
        last_modified=_utc(row["last_modified"]),
        created_at=_utc(row["created_at"]),
        gated=False if gated == "false" else gated if gated in ("auto", "manual") else None,
        private=row["private"],
        disabled=row["disabled"],
        license=row["license"],
        license_name=row["license_name"],
        license_link=row["license_link"],
        downloads=row["downloads"],
        likes=row["likes"],
        safetensors_total=row["safetensors_total"],
        safetensors_parameters=dict(parameters) if isinstance(parameters, dict) else None,
        quantized=bool(row["quantized"]),
        library_name=row["library_name"],
        pipeline_tag=row["pipeline_tag"],
        tags=tuple(row["tags"] or ()),
        base_models=tuple(row["base_models"] or ()),
        config=dict(config) if isinstance(config, dict) else None,
        config_note=row["config_note"],
        synced_at=_utc(row["synced_at"]),
        checked_at=_utc(row["checked_at"]),
        error=row["error"],
    )


def _lineage_row(link: LineageLink) -> dict[str, Any]:
    return {
        "repo_id": link.repo_id,
        "base_repo_id": link.base_repo_id,
        "relation": link.relation,
        "position": link.position,
    }


def _utc(value: dt.datetime | None) -> dt.datetime | None:
    return as_utc(value) if value is not None else None


def _chunks(items: list[str]) -> Iterable[list[str]]:
    for start in range(0, len(items), _CHUNK):
        yield items[start : start + _CHUNK]

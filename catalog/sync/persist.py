"""Reading and writing the Hub sync tables; every model's update is one transaction.

Portable SQL only (SQLAlchemy Core): an upsert is a delete and an insert inside the caller's
transaction, so the same code runs on SQLite and PostgreSQL. Every writer first takes the
store-wide write lock (``catalog.store.locks``): two syncs at once on PostgreSQL then take turns
instead of colliding on a key one of them has just deleted and re-inserted.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, TypeVar

from sqlalchemy import bindparam, delete, func, select, update
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import DBAPIError

from catalog.hub import HubModel
from catalog.store.hub_tables import HUB_DRIFT, HUB_LINEAGE, HUB_SNAPSHOT
from catalog.store.locks import hold_write_lock
from catalog.store.tables import MODEL
from catalog.sync.report import DriftItem

T = TypeVar("T")
Snapshot = dict[str, Any]
"""One ``hub_snapshot`` row as a dict of column values."""

VOLATILE = ("gated", "private", "disabled", "downloads", "likes")
"""Snapshot fields that change without a new commit (the cheap check refreshes them)."""

_CHUNK = 500
"""Ids per IN (...) list: far below every backend's bound-parameter limit."""


def ensure_tables(engine: Engine) -> None:
    """Create the sync tables in a store built before they existed (idempotent)."""
    from catalog.store.schema_setup import create_all

    create_all(engine)


def now() -> dt.datetime:
    """The current time in UTC (what every timestamp column stores)."""
    return dt.datetime.now(dt.UTC)


def gated_text(value: Any) -> str | None:
    """The Hub's ``gated`` (False, "auto", "manual") as stored: ``false``, ``auto``, ``manual``."""
    if value is False:
        return "false"
    return value if value in ("auto", "manual") else None


def gated_value(text: str | None) -> bool | str | None:
    """The stored ``gated`` text back as the Hub says it (False, "auto", "manual")."""
    if text == "false":
        return False
    return text


def snapshot_from(
    info: HubModel,
    *,
    repo_id: str,
    config: Mapping[str, Any] | None,
    config_note: str | None,
    at: dt.datetime,
) -> Snapshot:
    """A full snapshot row for ``repo_id`` from a model info answer and its config.json."""
    return {
        "repo_id": repo_id,
        "sha": info.sha,
        "last_modified": info.last_modified,
        "created_at": info.created_at,
        "gated": gated_text(info.gated),
        "private": info.private,
        "disabled": info.disabled,
        "license": info.license,
        "license_name": info.license_name,
        "license_link": info.license_link,
        "downloads": info.downloads,
        "likes": info.likes,
        "safetensors_total": info.safetensors_total,
        "safetensors_parameters": dict(info.safetensors_parameters) or None,
        "quantized": info.quantized,
        "library_name": info.library_name,
        "pipeline_tag": info.pipeline_tag,
        "tags": list(info.tags),
        "base_models": list(info.base_models),
        "config": dict(config) if config is not None else None,
        "config_note": config_note,
        "synced_at": at,
        "checked_at": at,
        "error": None,
    }


def with_cheap_fields(stored: Snapshot, cheap: HubModel, *, at: dt.datetime) -> Snapshot:
    """``stored`` with the fields a cheap check returned (gated, downloads, likes...) refreshed."""
    fresh = dict(stored)
    values = {
        "gated": gated_text(cheap.gated),
        "private": cheap.private,
        "disabled": cheap.disabled,
        "downloads": cheap.downloads,
        "likes": cheap.likes,
    }
    fresh.update({k: v for k, v in values.items() if v is not None})
    fresh["checked_at"] = at
    return fresh


def lineage_rows(repo_id: str, info: HubModel) -> list[dict[str, Any]]:
    """``hub_lineage`` rows for the base models ``info`` declares, in declaration order."""
    relations: dict[str, str] = {}
    for tag in info.tags:
        relation, _, base = tag.removeprefix("base_model:").partition(":")
        if tag.startswith("base_model:") and base:
            relations.setdefault(base.lower(), relation)
    return [
        {
            "repo_id": repo_id,
            "base_repo_id": base,
            "relation": relations.get(base.lower()),
            "position": i,
        }
        for i, base in enumerate(info.base_models)
        if base.lower() != repo_id.lower()
    ]


def drift_rows(items: Iterable[DriftItem], *, at: dt.datetime) -> list[dict[str, Any]]:
    """``hub_drift`` rows for ``items``."""
    return [
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


def write_model(
    conn: Connection,
    snapshot: Snapshot,
    *,
    lineage: Sequence[Mapping[str, Any]] | None,
    model_id: str | None,
    drift: Sequence[DriftItem],
    at: dt.datetime,
) -> None:
    """Replace one repo's snapshot (and lineage when given) and one model's drift rows.

    Call inside ``engine.begin()``: the model's update is then a single transaction.
    """
    hold_write_lock(conn)
    repo_id = snapshot["repo_id"]
    conn.execute(delete(HUB_SNAPSHOT).where(HUB_SNAPSHOT.c.repo_id == repo_id))
    conn.execute(HUB_SNAPSHOT.insert(), [snapshot])
    if lineage is not None:
        conn.execute(delete(HUB_LINEAGE).where(HUB_LINEAGE.c.repo_id == repo_id))
        if lineage:
            conn.execute(HUB_LINEAGE.insert(), list(lineage))
    if model_id is not None:
        conn.execute(delete(HUB_DRIFT).where(HUB_DRIFT.c.model_id == model_id))
        rows = drift_rows(drift, at=at)
        if rows:
            conn.execute(HUB_DRIFT.insert(), rows)


def write_listed(conn: Connection, infos: Sequence[HubModel], *, at: dt.datetime) -> None:
    """Replace the snapshots and lineage of listed repos (no config: listings do not carry it)."""
    if not infos:
        return
    hold_write_lock(conn)
    ids = [i.repo_id for i in infos]
    for i in range(0, len(ids), _CHUNK):
        chunk = ids[i : i + _CHUNK]
        conn.execute(delete(HUB_SNAPSHOT).where(HUB_SNAPSHOT.c.repo_id.in_(chunk)))
        conn.execute(delete(HUB_LINEAGE).where(HUB_LINEAGE.c.repo_id.in_(chunk)))
    conn.execute(
        HUB_SNAPSHOT.insert(),
        [snapshot_from(i, repo_id=i.repo_id, config=None, config_note=None, at=at) for i in infos],
    )
    lineage = [row for i in infos for row in lineage_rows(i.repo_id, i)]
    if lineage:
        conn.execute(HUB_LINEAGE.insert(), lineage)


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


def refresh_volatile(conn: Connection, snapshots: Sequence[Snapshot]) -> None:
    """Write the cheap-check fields of already stored snapshots (one statement)."""
    if not snapshots:
        return
    hold_write_lock(conn)
    columns = (*VOLATILE, "checked_at")
    stmt = (
        update(HUB_SNAPSHOT)
        .where(HUB_SNAPSHOT.c.repo_id == bindparam("key"))
        .values({c: bindparam(f"v_{c}") for c in columns})
    )
    conn.execute(
        stmt,
        [{"key": s["repo_id"], **{f"v_{c}": s.get(c) for c in columns}} for s in snapshots],
    )


def replace_drift(
    conn: Connection, model_id: str, items: Sequence[DriftItem], at: dt.datetime
) -> None:
    """Replace one model's drift rows."""
    hold_write_lock(conn)
    conn.execute(delete(HUB_DRIFT).where(HUB_DRIFT.c.model_id == model_id))
    rows = drift_rows(items, at=at)
    if rows:
        conn.execute(HUB_DRIFT.insert(), rows)


def load_snapshots(conn: Connection, repo_ids: Iterable[str]) -> dict[str, Snapshot]:
    """Stored snapshots by repo id (exactly as stored)."""
    ids = list(dict.fromkeys(repo_ids))
    out: dict[str, Snapshot] = {}
    for i in range(0, len(ids), _CHUNK):
        stmt = select(HUB_SNAPSHOT).where(HUB_SNAPSHOT.c.repo_id.in_(ids[i : i + _CHUNK]))
        for row in conn.execute(stmt).mappings():
            out[row["repo_id"]] = _aware(dict(row))
    return out


def load_lineage(conn: Connection, repo_ids: Iterable[str]) -> dict[str, list[dict[str, Any]]]:
    """Declared base models per repo id, in declaration order."""
    ids = list(dict.fromkeys(repo_ids))
    out: dict[str, list[dict[str, Any]]] = {}
    for i in range(0, len(ids), _CHUNK):
        stmt = (
            select(HUB_LINEAGE)
            .where(HUB_LINEAGE.c.repo_id.in_(ids[i : i + _CHUNK]))
            .order_by(HUB_LINEAGE.c.repo_id, HUB_LINEAGE.c.position)
        )
        for row in conn.execute(stmt).mappings():
            out.setdefault(row["repo_id"], []).append(dict(row))
    return out


def load_drift(conn: Connection, model_ids: Iterable[str] | None = None) -> list[DriftItem]:
    """Recorded drift, for some models or all, ordered by model and field."""
    stmt = select(HUB_DRIFT).order_by(HUB_DRIFT.c.model_id, HUB_DRIFT.c.field)
    if model_ids is not None:
        stmt = stmt.where(HUB_DRIFT.c.model_id.in_(list(model_ids)))
    return [
        DriftItem(r["model_id"], r["field"], r["curated"], r["hub"], r["detail"])
        for r in conn.execute(stmt).mappings()
    ]


def remove_hub_duplicates(conn: Connection, curated_hub_ids: Iterable[str]) -> int:
    """Delete Hub-tier rows for repos that are now curated (a curated entry takes over)."""
    hold_write_lock(conn)
    lowered = sorted({h.lower() for h in curated_hub_ids})
    removed = 0
    for i in range(0, len(lowered), _CHUNK):
        removed += conn.execute(
            delete(MODEL).where(
                MODEL.c.tier == "hub", func.lower(MODEL.c.hub_id).in_(lowered[i : i + _CHUNK])
            )
        ).rowcount
    return removed


def safely(read: Callable[[], T], default: T) -> T:
    """Run a read; a store without the sync tables (never synced, read-only) gives ``default``."""
    try:
        return read()
    except DBAPIError:
        return default


def _aware(row: Snapshot) -> Snapshot:
    # SQLite hands DateTime(timezone=True) back without a zone; every value is stored in UTC.
    for key in ("last_modified", "created_at", "synced_at", "checked_at"):
        value = row.get(key)
        if isinstance(value, dt.datetime) and value.tzinfo is None:
            row[key] = value.replace(tzinfo=dt.UTC)
    return row

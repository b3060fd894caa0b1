"""Columns of ``model`` derived from other rows: a derivative's binding licenses and the fit
coefficients from a synced config.json.

A model row alone cannot know them: the licenses that bind a Hub-tier derivative come from its
base models (``hub_lineage`` and the bases' rows or snapshots), and the config that applies may
be the one the last sync stored. Whoever writes those rows calls :func:`refresh_derived` in the
same transaction (the sync after storing snapshots and lineage, the curated rebuild through
:func:`refresh_after_rebuild`), so a query reads them as plain indexed columns.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import String, bindparam, cast, delete, select, update
from sqlalchemy.engine import Connection

from catalog.domain import Model
from catalog.licenses.identifiers import LicenseIdentifiers
from catalog.store.convert import license_from_row
from catalog.store.hub_tables import HUB_LINEAGE, HUB_SNAPSHOT
from catalog.store.lineage_index import (
    LineageIndex,
    bound_licenses,
    chunks,
    derivatives_of,
    encode,
)
from catalog.store.tables import LICENSE, META, MODEL

BASES_KEY = "lineage_bases"
"""``meta`` key: the curated Hub ids and licenses the stored ``bound_licenses`` were derived from."""


def identifiers(conn: Connection) -> LicenseIdentifiers:
    """The identifier index of the stored license table."""
    entries = [license_from_row(data) for (data,) in conn.execute(select(LICENSE.c.data))]
    return LicenseIdentifiers.from_licenses({e.id: e for e in entries})


def refresh_derived(
    conn: Connection, repo_ids: Iterable[str], *, bases: set[str] | None = None
) -> None:
    """Recompute the derived columns after the rows of ``repo_ids`` (Hub ids) were written.

    Their own models' fit coefficients (a synced config.json applies), and the binding licenses
    of every Hub-tier derivative of them, down to the deepest level followed. ``bases``: every
    repo id that some lineage row names as a base (:func:`lineage_bases`), when the caller
    has read them; derivatives are then looked up for those of ``repo_ids`` only.
    """
    repos = sorted(set(repo_ids))
    if not repos:
        return
    _refresh_fit(conn, repos)
    parents = repos if bases is None else [r for r in repos if r in bases]
    _refresh_bound(conn, sorted(set(repos) | derivatives_of(conn, parents)))


def lineage_bases(conn: Connection) -> set[str]:
    """Every repo id a lineage row names as a base (one walk of the base index: cheaper than
    looking up each of a bulk write's many repo ids there)."""
    return {b for (b,) in conn.execute(select(HUB_LINEAGE.c.base_repo_id).distinct())}


def refresh_after_rebuild(conn: Connection) -> None:
    """After the curated rows were re-inserted: their synced configs, and the derivatives whose
    curated base changed license (all derivatives the first time)."""
    curated = dict(
        conn.execute(
            select(MODEL.c.hub_id, MODEL.c.license).where(
                MODEL.c.tier == "curated", MODEL.c.hub_id.is_not(None)
            )
        ).all()
    )
    _refresh_fit(conn, sorted(curated))
    stored = conn.execute(select(META.c.value).where(META.c.key == BASES_KEY)).scalar()
    if stored is None:
        derived = [r for (r,) in conn.execute(select(HUB_LINEAGE.c.repo_id).distinct())]
    else:
        before: dict[str, str] = json.loads(stored)
        changed = {h for h in curated.keys() | before.keys() if curated.get(h) != before.get(h)}
        derived = sorted(derivatives_of(conn, changed)) if changed else []
    _refresh_bound(conn, derived)
    conn.execute(delete(META).where(META.c.key == BASES_KEY))
    conn.execute(META.insert().values(key=BASES_KEY, value=json.dumps(curated, sort_keys=True)))


def refresh_all(conn: Connection) -> None:
    """Every derived column of every row (a store upgraded to the columns)."""
    from catalog.fit.coefficients import EMPTY_COLUMNS, model_coefficients

    conn.execute(delete(META).where(META.c.key == BASES_KEY))
    ids = [i for (i,) in conn.execute(select(MODEL.c.id).order_by(MODEL.c.id))]
    for chunk in chunks(ids):
        rows = conn.execute(select(MODEL.c.id, MODEL.c.data).where(MODEL.c.id.in_(chunk))).all()
        values = []
        for model_id, data in rows:
            coefficients = model_coefficients(Model.from_json(_document(data)))
            fit = coefficients.columns() if coefficients is not None else EMPTY_COLUMNS
            values.append({"key": model_id, **fit})
        _update(conn, values)
    refresh_after_rebuild(conn)


def _refresh_fit(conn: Connection, repos: Sequence[str]) -> None:
    """Fit coefficients of curated models with these Hub ids, and of any model whose snapshot
    holds a config.json (a Hub-tier row is written with its own coefficients already)."""
    from catalog.fit.coefficients import EMPTY_COLUMNS, model_coefficients

    configs: dict[str, dict[str, Any]] = {}
    for chunk in chunks(repos):
        # A missing config is stored as JSON ``null``, which ``IS NOT NULL`` lets through.
        stmt = select(HUB_SNAPSHOT.c.repo_id, HUB_SNAPSHOT.c.config).where(
            HUB_SNAPSHOT.c.repo_id.in_(chunk),
            HUB_SNAPSHOT.c.config.is_not(None),
            cast(HUB_SNAPSHOT.c.config, String) != "null",
        )
        for repo_id, config in conn.execute(stmt):
            if isinstance(config, dict):
                configs[repo_id.lower()] = config
    # Only the rows whose coefficients can change (curated, or with a synced config): reading
    # every Hub-tier document of a discovery page to skip it cost more than the page's write.
    curated = select(MODEL.c.hub_key).where(MODEL.c.tier == "curated", MODEL.c.hub_key.is_not(None))
    wanted = {k for (k,) in conn.execute(curated)} | configs.keys()
    keys = sorted({r.lower() for r in repos} & wanted)
    values = []
    for chunk in chunks(keys):
        stmt = select(MODEL.c.id, MODEL.c.tier, MODEL.c.hub_key, MODEL.c.data).where(
            MODEL.c.hub_key.in_(chunk)
        )
        rows: Sequence[Any] = conn.execute(stmt).all()
        for model_id, tier, hub_key, data in rows:
            synced = configs.get(hub_key)
            if tier != "curated" and synced is None:
                continue
            model = Model.from_json(_document(data))
            coefficients = model_coefficients(model, synced_config=synced)
            fit = coefficients.columns() if coefficients is not None else EMPTY_COLUMNS
            values.append({"key": model_id, **fit})
    _update(conn, values)


def _refresh_bound(conn: Connection, repos: Sequence[str]) -> None:
    """``bound_licenses`` of the Hub-tier models with these Hub ids."""
    if not repos:
        return
    models: list[tuple[str, str, str, str]] = []
    for chunk in chunks(list(repos)):
        # The tier is checked here, not in SQL: given ``tier = 'hub'`` as well, SQLite may walk
        # the tier index (every Hub-tier row) instead of looking the Hub ids up.
        stmt = select(
            MODEL.c.id, MODEL.c.hub_id, MODEL.c.license, MODEL.c.bound_licenses, MODEL.c.tier
        ).where(MODEL.c.hub_id.in_(chunk))
        models.extend(row[:4] for row in conn.execute(stmt) if row[4] == "hub")
    if not models:
        return
    index = LineageIndex(conn, identifiers(conn)).load(hub_id for _, hub_id, _, _ in models)
    values = []
    for model_id, hub_id, license, stored in models:
        bases = index.chain(hub_id)
        bound = encode(bound_licenses(license, bases)) if bases else ""
        if bound != stored:
            values.append({"key": model_id, "bound_licenses": bound})
    _update(conn, values)


def _update(conn: Connection, values: list[dict[str, Any]]) -> None:
    if not values:
        return
    # Bound names must differ from the column names an UPDATE ... SET already uses.
    columns = [k for k in values[0] if k != "key"]
    stmt = (
        update(MODEL)
        .where(MODEL.c.id == bindparam("key"))
        .values({c: bindparam(f"new_{c}") for c in columns})
    )
    conn.execute(stmt, [{"key": v["key"], **{f"new_{c}": v[c] for c in columns}} for v in values])


def _document(data: Any) -> dict[str, Any]:
    return json.loads(data) if isinstance(data, str) else dict(data)


__all__ = [
    "identifiers",
    "lineage_bases",
    "refresh_after_rebuild",
    "refresh_all",
    "refresh_derived",
]

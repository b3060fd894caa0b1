"""Open a store, keeping it in step with the curated files.

The curated YAML files are the source of truth. A store that is missing, built from other
files (content digest differs) or built by another schema version is (re)built from them; a
SQLite file that is not a database any more is moved aside and rebuilt, so nothing curated is
ever lost. Rows of other kinds (Hub-discovered models, sync data, benchmark results) are kept
across rebuilds.

The schema is brought to the current revision first (``catalog.store.upgrade``: Alembic, run
only when the store is behind). Several processes may open a stale store at once: the rebuild
runs under the store-wide write lock and is skipped by whoever finds it already done.
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import delete, func, inspect, select
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import DatabaseError, OperationalError

from catalog.curated import CuratedReader, curated_files, digest_of
from catalog.domain import Model
from catalog.errors import StorageError
from catalog.store.engine import (
    STORE_ERRORS,
    analyze,
    is_corruption,
    is_sqlite,
    make_engine,
    storage_error,
)
from catalog.store.locks import write_transaction
from catalog.store.search_index import bulk_inserts
from catalog.store.tables import LICENSE, META, MODEL, SCHEMA_VERSION
from catalog.store.upgrade import HEAD_REVISION, current_revision, ensure_schema

REBUILD_BATCH = 2_000
"""Curated rows written per statement: big enough to amortise each round trip, small
enough that memory stays flat whatever the size of the files."""


@dataclass(frozen=True)
class StoreInfo:
    """What ``modelcat db info`` shows."""

    url: str
    backend: str
    path: str | None
    size_bytes: int | None
    schema_version: str | None
    schema_revision: str | None
    """The Alembic revision the store is at (``alembic_version``)."""
    schema_head: str
    """The revision this modelcat brings stores to."""
    data_digest: str | None
    built_at: str | None
    models: int
    curated_models: int
    hub_models: int
    licenses: int
    curated_files: tuple[str, ...]
    stale: bool
    recovered_from: str | None = None


def open_store(
    url: str, *, data_dir: str | os.PathLike[str] | None = None
) -> tuple[Engine, str | None]:
    """An engine on an up-to-date store, and the path a corrupt file was moved to (if any)."""
    recovered: str | None = None
    engine = make_engine(url)
    try:
        try:
            _ensure_fresh(engine, data_dir)
        except DatabaseError as exc:
            if not is_sqlite(engine) or not is_corruption(exc):
                raise storage_error(exc, engine) from None
            engine.dispose()
            recovered = _move_aside(engine.url.database)
            engine = make_engine(url)
            _ensure_fresh(engine, data_dir)
    except BaseException:
        engine.dispose()  # no connection is left for the garbage collector to close
        raise
    return engine, recovered


def rebuild_store(
    engine: Engine,
    *,
    data_dir: str | os.PathLike[str] | None = None,
    only_if_stale: bool = False,
) -> None:
    """Rebuild the curated part of the store from the YAML files, in one transaction.

    The models are streamed: each entry is validated, converted and written in batches as it
    is read, so memory follows the batch rather than the files. A problem anywhere rolls the
    whole rebuild back (after the rest of the files were read, so every problem is listed).

    Args:
        engine: the store (its schema is upgraded first when behind).
        data_dir: a folder of YAML files merged over the shipped ones.
        only_if_stale: skip the rebuild when, once the write lock is held, the store turns out
            to be built from these files already (another process just rebuilt it).

    Raises:
        DataFileError: a curated file has problems; the store is left as it was.
        StorageError: the store refused the writes (a full disk, a read-only file); it is
            left as it was.
    """
    curated = CuratedReader(data_dir)
    ensure_schema(engine)
    try:
        with write_transaction(engine, "catalog") as conn:
            if only_if_stale and _is_fresh(_meta_of(conn), curated.digest):
                return
            _write_curated(conn, curated)
    except STORE_ERRORS as exc:
        if isinstance(exc, DatabaseError) and is_sqlite(engine) and is_corruption(exc):
            raise  # open_store moves the file aside and builds a new one
        raise storage_error(exc, engine) from None
    analyze(engine, only_if_needed=True)


def _write_curated(conn: Connection, curated: CuratedReader) -> None:
    """Replace the curated rows and the licenses, streaming the models in batches.

    Raises:
        DataFileError: after reading every file, when any had problems (the caller's
            transaction then rolls back).
    """
    # Imported here: opening a fresh store (every command) needs none of the writing side.
    from catalog.store.convert import license_row, model_row
    from catalog.store.derived import refresh_after_rebuild

    conn.execute(delete(MODEL).where(MODEL.c.tier == "curated"))
    conn.execute(delete(LICENSE))
    if curated.licenses:
        conn.execute(LICENSE.insert(), [license_row(lic) for lic in curated.licenses.values()])
    commercial = {lid: lic.term("commercial_use").value for lid, lic in curated.licenses.items()}
    batch: list[dict[str, Any]] = []
    with bulk_inserts(conn, indexed=MODEL.c.tier == "curated"):
        for entry in curated.models():
            if curated.problems:
                continue  # nothing will be kept: read on only to list the other problems
            model = Model.from_entry(entry)
            batch.append(model_row(model, commercial_use=commercial[entry.license]))
            if len(batch) == REBUILD_BATCH:
                _write_models(conn, batch)
                batch.clear()
        curated.check()
        _write_models(conn, batch)
    refresh_after_rebuild(conn)
    now = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    _set_meta(
        conn,
        {"schema_version": SCHEMA_VERSION, "data_digest": curated.digest, "built_at": now},
    )


def _write_models(conn: Connection, rows: list[dict[str, Any]]) -> None:
    """Insert curated rows: one with the id of a Hub-discovered model replaces that row, one
    with the id of a curated row written before it (a shipped entry the overlay replaces)
    takes its place."""
    from catalog.store.upsert import upsert_many

    if rows:
        ids = [row["id"] for row in rows]
        conn.execute(delete(MODEL).where(MODEL.c.id.in_(ids), MODEL.c.tier != "curated"))
        upsert_many(conn, MODEL, rows, key=("id",))


def store_info(
    engine: Engine, *, data_dir: str | os.PathLike[str] | None = None, recovered: str | None = None
) -> StoreInfo:
    """Where the store is and what it holds."""
    path = engine.url.database if is_sqlite(engine) else None
    size = Path(path).stat().st_size if path and Path(path).exists() else None
    with engine.connect() as conn:
        meta = _meta_of(conn)
        revision = current_revision(conn)
        counts: dict[str, int] = dict(
            conn.execute(select(MODEL.c.tier, func.count()).group_by(MODEL.c.tier)).all()
        )
        licenses = conn.execute(select(func.count()).select_from(LICENSE)).scalar_one()
        if engine.dialect.name == "postgresql":
            size = conn.execute(select(func.pg_database_size(func.current_database()))).scalar()
    files = curated_files(data_dir)
    return StoreInfo(
        url=_safe(str(engine.url)),
        backend=engine.dialect.name,
        path=path,
        size_bytes=size,
        schema_version=meta.get("schema_version"),
        schema_revision=revision,
        schema_head=HEAD_REVISION,
        data_digest=meta.get("data_digest"),
        built_at=meta.get("built_at"),
        models=sum(counts.values()),
        curated_models=counts.get("curated", 0),
        hub_models=counts.get("hub", 0),
        licenses=licenses,
        curated_files=tuple(str(f) for f in files),
        stale=meta.get("data_digest") != digest_of(files),
        recovered_from=recovered,
    )


def _ensure_fresh(engine: Engine, data_dir: str | os.PathLike[str] | None) -> None:
    database = engine.url.database
    uri = bool(engine.url.query.get("uri"))  # file:...?mode=ro names an existing file
    if is_sqlite(engine) and database and database != ":memory:" and not uri:
        folder = Path(database).parent
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:  # e.g. a part of the path is a regular file
            raise StorageError(
                f"cannot make the folder {folder} for the store: {exc.strerror or exc}"
            ) from None
    digest = digest_of(curated_files(data_dir))
    meta, revision = _read_meta(engine)
    ensure_schema(engine, revision=revision)
    if _is_fresh(meta, digest):
        return
    rebuild_store(engine, data_dir=data_dir, only_if_stale=True)


def _is_fresh(meta: dict[str, str], digest: str) -> bool:
    return meta.get("data_digest") == digest and meta.get("schema_version") == SCHEMA_VERSION


def _read_meta(engine: Engine) -> tuple[dict[str, str], str | None]:
    """``meta`` and the Alembic revision (None: a new or pre-Alembic store)."""
    with engine.connect() as conn:
        revision = current_revision(conn)
        if not inspect(conn).has_table(META.name):
            return {}, revision
        try:
            return _meta_of(conn), revision
        except OperationalError:
            return {}, revision


def _meta_of(conn: Connection) -> dict[str, str]:
    return dict(conn.execute(select(META.c.key, META.c.value)).all())


def _set_meta(conn: Connection, values: dict[str, str]) -> None:
    conn.execute(delete(META).where(META.c.key.in_(list(values))))
    conn.execute(META.insert(), [{"key": k, "value": v} for k, v in values.items()])


def _move_aside(database: str | None) -> str | None:
    if not database:
        return None
    path = Path(database)
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S")
    target = path.with_name(f"{path.name}.corrupt-{stamp}")
    for suffix in ("", "-wal", "-shm"):
        side = Path(str(path) + suffix)
        if side.exists():
            side.rename(Path(str(target) + suffix))
    return str(target)


def _safe(url: str) -> str:
    """The URL without its password, for messages."""
    from sqlalchemy.engine import make_url

    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:
        return "<database url>"

"""Benchmark results in the store: save a run, list past runs, best run per model, machines.

Every write is one transaction and is idempotent: a run carries a UUID chosen before the
insert, and both the machine and the run are written with ``INSERT ... ON CONFLICT DO
NOTHING`` (the same statement on SQLite and PostgreSQL), so concurrent writers from several
processes or machines never lose a row, and a retried write never adds a second one.
"""

from __future__ import annotations

import datetime as dt
import threading
import time
import uuid
from collections.abc import Iterable, Sequence
from typing import Any, Protocol

from sqlalchemy import Table, func, or_, select, update
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import DBAPIError, OperationalError, ProgrammingError
from sqlalchemy.sql import Select

from catalog.bench.machine import MachineInfo
from catalog.bench.records import MachineRecord, StoredRun, as_utc, run_row, stored_run
from catalog.bench.result import BenchResult
from catalog.errors import StorageError, UsageError
from catalog.store.bench_tables import BENCH_MACHINE, BENCH_RUN, BENCH_TABLES

WRITE_ATTEMPTS = 4
"""A write that meets a lock timeout is tried again; the run id makes that safe."""

MIN_FINGERPRINT_PREFIX = 4
MAX_MACHINE_NAME = 200


class HasEngine(Protocol):
    """Anything with an ``engine`` (``catalog.api.Catalog``)."""

    @property
    def engine(self) -> Engine: ...


Source = Engine | HasEngine


def save_result(
    source: Source,
    result: BenchResult,
    *,
    catalog_id: str | None = None,
    machine_name: str | None = None,
    run_id: str | None = None,
) -> StoredRun:
    """Store a complete run and its machine in one transaction.

    Args:
        source: a ``Catalog`` or an engine.
        result: the run (a cancelled run has no result, so nothing partial can be stored).
        catalog_id: the catalog entry the run measured, when known.
        machine_name: a name for this machine; replaces an earlier name of the same fingerprint.
        run_id: the run's UUID; a new one when omitted. Saving again with the same id and the
            same result returns the stored run without writing anything.

    Raises:
        UsageError: ``run_id`` is not a UUID, or already names a different result;
            ``machine_name`` is empty or too long.
        StorageError: the database cannot be written.
    """
    engine = engine_of(source)
    key = _valid_run_id(run_id) if run_id is not None else str(uuid.uuid4())
    name = valid_machine_name(machine_name) if machine_name is not None else None
    ensure_tables(engine)
    now = dt.datetime.now(dt.UTC)
    row = run_row(result, run_id=key, catalog_id=catalog_id, recorded_at=now)
    for attempt in range(1, WRITE_ATTEMPTS + 1):
        try:
            with engine.begin() as conn:
                _upsert_machine(conn, result.machine, name=name, now=now)
                if not insert_ignore(conn, BENCH_RUN, row, key="id"):
                    _check_same_run(conn, key, row["result"])
            break
        except OperationalError as exc:
            if attempt == WRITE_ATTEMPTS or not _is_transient(exc):
                raise StorageError(f"cannot store the benchmark result: {exc.orig}") from exc
            time.sleep(0.2 * attempt)
        except DBAPIError as exc:
            raise StorageError(f"cannot store the benchmark result: {exc.orig}") from exc
    [run] = load_results(engine, run_id=key)
    return run


def benchmark_and_store(
    source: Source,
    *,
    catalog_id: str | None = None,
    machine_name: str | None = None,
    cancel: threading.Event | None = None,
    **options: Any,
) -> StoredRun:
    """Run ``run_benchmark(cancel=cancel, **options)`` and store the complete result.

    A run that is cancelled, fails, or is cancelled after its last step stores nothing.

    Raises:
        BenchmarkCancelled: ``cancel`` was set (also when it was set after the last step).
        UsageError, UnsafeModelError, BenchmarkError: as ``run_benchmark``.
    """
    from catalog.bench.progress import BenchmarkCancelled
    from catalog.bench.runner import run_benchmark

    name = valid_machine_name(machine_name) if machine_name is not None else None
    result = run_benchmark(cancel=cancel, **options)
    if cancel is not None and cancel.is_set():
        raise BenchmarkCancelled()
    return save_result(source, result, catalog_id=catalog_id, machine_name=name)


def load_results(
    source: Source,
    *,
    model: str | Sequence[str] | None = None,
    machine: str | None = None,
    limit: int | None = None,
    run_id: str | None = None,
) -> list[StoredRun]:
    """Stored runs, newest first.

    Args:
        source: a ``Catalog`` or an engine.
        model: keep runs of this model: a catalog id, a Hub id (case-insensitive), the
            model label of the result or its absolute folder path; several keys match any.
        machine: keep runs of this machine: its name (case-insensitive) or fingerprint
            (or a prefix of at least 4 hex digits).
        limit: at most this many runs.
        run_id: only the run with this id.
    """
    engine = engine_of(source)
    if not has_tables(engine):
        return []
    stmt = (
        select(
            BENCH_RUN.c.id,
            BENCH_RUN.c.catalog_id,
            BENCH_MACHINE.c.name,
            BENCH_RUN.c.recorded_at,
            BENCH_RUN.c.result,
        )
        .join(BENCH_MACHINE, BENCH_MACHINE.c.fingerprint == BENCH_RUN.c.machine_fingerprint)
        .order_by(BENCH_RUN.c.started_at.desc(), BENCH_RUN.c.id)
    )
    if run_id is not None:
        stmt = stmt.where(BENCH_RUN.c.id == run_id)
    if model is not None:
        stmt = stmt.where(_model_matches([model] if isinstance(model, str) else model))
    if machine is not None:
        stmt = stmt.where(_machine_matches(machine))
    if limit is not None:
        stmt = stmt.limit(limit)
    with engine.connect() as conn:
        return [
            stored_run(run_id=rid, catalog_id=cid, machine_name=name, recorded_at=at, result=doc)
            for rid, cid, name, at, doc in conn.execute(stmt)
        ]


def best_results(
    source: Source, *, model_ids: Iterable[str], machine: str | None = None
) -> dict[str, StoredRun]:
    """The fastest stored run (highest mean decode tokens/s) of each catalog model that has one.

    Args:
        source: a ``Catalog`` or an engine.
        model_ids: catalog ids (a page of the browse table).
        machine: only runs of this machine (name or fingerprint), as in ``load_results``.

    Returns:
        catalog id -> its best run; models without a run are left out.
    """
    engine = engine_of(source)
    ids = [i.lower() for i in model_ids]
    if not ids or not has_tables(engine):
        return {}
    stmt: Select[Any] = (
        select(BENCH_RUN.c.id, BENCH_RUN.c.catalog_id)
        .join(BENCH_MACHINE, BENCH_MACHINE.c.fingerprint == BENCH_RUN.c.machine_fingerprint)
        .where(BENCH_RUN.c.catalog_id.in_(ids))
        .order_by(BENCH_RUN.c.decode_tps_mean.desc(), BENCH_RUN.c.started_at.desc())
    )
    if machine is not None:
        stmt = stmt.where(_machine_matches(machine))
    best: dict[str, str] = {}
    with engine.connect() as conn:
        for rid, cid in conn.execute(stmt):
            best.setdefault(cid, rid)
    runs = {cid: load_results(engine, run_id=rid) for cid, rid in best.items()}
    return {cid: found[0] for cid, found in runs.items() if found}


def list_machines(source: Source) -> list[MachineRecord]:
    """Every machine with stored results, most recently seen first."""
    engine = engine_of(source)
    if not has_tables(engine):
        return []
    # A correlated count rather than GROUP BY: PostgreSQL cannot group by a JSON column.
    runs = (
        select(func.count())
        .select_from(BENCH_RUN)
        .where(BENCH_RUN.c.machine_fingerprint == BENCH_MACHINE.c.fingerprint)
        .scalar_subquery()
    )
    stmt = select(BENCH_MACHINE, runs).order_by(
        BENCH_MACHINE.c.last_seen.desc(), BENCH_MACHINE.c.fingerprint
    )
    with engine.connect() as conn:
        return [_machine_record(row._mapping, int(row[-1])) for row in conn.execute(stmt)]


def name_machine(source: Source, *, machine: str, name: str) -> MachineRecord:
    """Give a recorded machine a name (``--history --machine NAME`` then finds its runs).

    Args:
        source: a ``Catalog`` or an engine.
        machine: its fingerprint, a prefix of at least 4 hex digits, or its current name.
        name: the new name.

    Raises:
        UsageError: no machine or several machines match, or the name is empty or too long.
    """
    engine = engine_of(source)
    new_name = valid_machine_name(name)
    matches = [
        m
        for m in list_machines(engine)
        if m.fingerprint.startswith(machine.lower())
        and len(machine) >= MIN_FINGERPRINT_PREFIX
        or (m.name or "").casefold() == machine.casefold()
    ]
    if not matches:
        raise UsageError(
            f"no recorded machine matches {machine!r} (see `modelcat bench --machines`)"
        )
    if len({m.fingerprint for m in matches}) > 1:
        found = ", ".join(m.fingerprint for m in matches)
        raise UsageError(f"{machine!r} matches several machines ({found}); give a fingerprint")
    fingerprint = matches[0].fingerprint
    with engine.begin() as conn:
        conn.execute(
            update(BENCH_MACHINE)
            .where(BENCH_MACHINE.c.fingerprint == fingerprint)
            .values(name=new_name)
        )
    return next(m for m in list_machines(engine) if m.fingerprint == fingerprint)


def valid_machine_name(name: str) -> str:
    """``name`` stripped, if it is a usable machine name.

    Raises:
        UsageError: empty, too long or containing control characters.
    """
    text = name.strip()
    if not text or len(text) > MAX_MACHINE_NAME or not text.isprintable():
        raise UsageError(
            f"a machine name must be 1-{MAX_MACHINE_NAME} printable characters, not {name!r}"
        )
    return text


def engine_of(source: Source) -> Engine:
    """The engine of a ``Catalog`` (or the engine itself)."""
    return source if isinstance(source, Engine) else source.engine


def has_tables(engine: Engine) -> bool:
    """True when the benchmark tables exist (an older store may not have them yet)."""
    from sqlalchemy import inspect

    with engine.connect() as conn:
        inspector = inspect(conn)
        return all(inspector.has_table(t.name) for t in BENCH_TABLES)


def ensure_tables(engine: Engine) -> None:
    """Create the benchmark tables in a store made before they existed.

    Raises:
        StorageError: they are missing and cannot be created.
    """
    if has_tables(engine):
        return
    from sqlmodel import SQLModel

    try:
        SQLModel.metadata.create_all(engine, tables=list(BENCH_TABLES), checkfirst=True)
    except (OperationalError, ProgrammingError) as exc:
        # Another process may have created them between the check and the CREATE.
        if not has_tables(engine):
            raise StorageError(f"cannot create the benchmark tables: {exc.orig}") from exc


def insert_ignore(conn: Connection, table: Table, values: dict[str, Any], *, key: str) -> bool:
    """Insert a row unless one with the same ``key`` exists; True when it was inserted.

    ``INSERT ... ON CONFLICT DO NOTHING`` on SQLite and PostgreSQL; other databases check first
    (safe there only inside a serialisable transaction).
    """
    dialect = conn.dialect.name
    if dialect == "sqlite":
        from sqlalchemy.dialects.sqlite import insert as sqlite_insert

        stmt: Any = sqlite_insert(table).values(values).on_conflict_do_nothing(index_elements=[key])
        return bool(conn.execute(stmt).rowcount == 1)
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as pg_insert

        stmt = pg_insert(table).values(values).on_conflict_do_nothing(index_elements=[key])
        return bool(conn.execute(stmt).rowcount == 1)
    if conn.execute(select(table.c[key]).where(table.c[key] == values[key])).first():
        return False
    conn.execute(table.insert().values(values))
    return True


def _upsert_machine(
    conn: Connection, machine: MachineInfo, *, name: str | None, now: dt.datetime
) -> None:
    info = machine.to_json()
    fingerprint = machine.fingerprint
    row = {
        "fingerprint": fingerprint,
        "name": name,
        "info": info,
        "first_seen": now,
        "last_seen": now,
    }
    if insert_ignore(conn, BENCH_MACHINE, row, key="fingerprint"):
        return
    values: dict[str, Any] = {"info": info, "last_seen": now}
    if name is not None:
        values["name"] = name
    conn.execute(
        update(BENCH_MACHINE).where(BENCH_MACHINE.c.fingerprint == fingerprint).values(values)
    )


def _check_same_run(conn: Connection, run_id: str, document: dict[str, Any]) -> None:
    stored = conn.execute(select(BENCH_RUN.c.result).where(BENCH_RUN.c.id == run_id)).scalar_one()
    if stored != document:
        raise UsageError(f"run id {run_id} is already stored for another result")


def _model_matches(keys: Sequence[str]) -> Any:
    clauses = []
    for key in (k.strip() for k in keys):
        if not key:
            continue
        clauses += [
            BENCH_RUN.c.catalog_id == key.lower(),
            func.lower(BENCH_RUN.c.hub_id) == key.lower(),
            BENCH_RUN.c.model == key,
            BENCH_RUN.c.path == key,
        ]
    return or_(*clauses) if clauses else BENCH_RUN.c.id.is_(None)


def _machine_matches(machine: str) -> Any:
    key = machine.strip()
    by_name = func.lower(BENCH_MACHINE.c.name) == key.lower()
    if len(key) >= MIN_FINGERPRINT_PREFIX:
        return or_(
            by_name, BENCH_RUN.c.machine_fingerprint.startswith(key.lower(), autoescape=True)
        )
    return by_name


def _machine_record(row: Any, runs: int) -> MachineRecord:
    return MachineRecord(
        fingerprint=row["fingerprint"],
        name=row["name"],
        info=MachineInfo.from_json(row["info"]),
        first_seen=as_utc(row["first_seen"]),
        last_seen=as_utc(row["last_seen"]),
        runs=runs,
    )


def _valid_run_id(run_id: str) -> str:
    try:
        return str(uuid.UUID(run_id))
    except ValueError as exc:
        raise UsageError(f"a run id must be a UUID, not {run_id!r}") from exc


def _is_transient(exc: OperationalError) -> bool:
    text = str(exc.orig).lower()
    return "locked" in text or "busy" in text

"""The SQL of stored benchmark runs and machines (``catalog.bench.store`` is the API over it).

Writes are idempotent: a run is keyed by a UUID chosen before the insert, and both the
machine and the run are written with ``INSERT ... ON CONFLICT DO NOTHING`` (the same
statement on SQLite and PostgreSQL), so concurrent writers never lose a row and a retried
write never adds a second one. Callers pass column values and receive typed records.
"""

from __future__ import annotations

import datetime as dt
import weakref
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Table, func, or_, select, update
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import OperationalError, ProgrammingError
from sqlalchemy.sql import ColumnElement, Select

from catalog.store.bench_tables import BENCH_MACHINE, BENCH_RUN, BENCH_TABLES
from catalog.store.convert import as_utc

MIN_FINGERPRINT_PREFIX = 4
"""A fingerprint prefix shorter than this matches machines by name only."""


@dataclass(frozen=True)
class RunRecord:
    """One stored run as the store returns it: its id, labels and the result document."""

    id: str
    catalog_id: str | None
    machine_name: str | None
    recorded_at: dt.datetime
    result: dict[str, Any]
    """The whole ``BenchResult.to_json()`` document."""


@dataclass(frozen=True)
class MachineRecordRow:
    """One machine as the store returns it, with the number of runs recorded on it."""

    fingerprint: str
    name: str | None
    info: dict[str, Any]
    """``MachineInfo.to_json()`` as last seen."""
    first_seen: dt.datetime
    last_seen: dt.datetime
    runs: int


class TablesMissing(Exception):
    """The benchmark tables are missing and cannot be created (the message says why)."""


_HAVE_TABLES: weakref.WeakSet[Engine] = weakref.WeakSet()
"""Engines whose store was seen with the benchmark tables (nothing drops them): the browse
screen asks for every page of rows, and inspecting the schema costs more than the query."""


def has_tables(engine: Engine) -> bool:
    """True when the benchmark tables exist (an older store may not have them yet)."""
    from sqlalchemy import inspect

    if engine in _HAVE_TABLES:
        return True
    with engine.connect() as conn:
        inspector = inspect(conn)
        found = all(inspector.has_table(t.name) for t in BENCH_TABLES)
    if found:
        _HAVE_TABLES.add(engine)
    return found


def ensure_tables(engine: Engine) -> None:
    """Create the benchmark tables in a store made before they existed.

    Raises:
        TablesMissing: they are missing and cannot be created.
    """
    if has_tables(engine):
        return
    from sqlmodel import SQLModel

    try:
        SQLModel.metadata.create_all(engine, tables=list(BENCH_TABLES), checkfirst=True)
    except (OperationalError, ProgrammingError) as exc:
        # Another process may have created them between the check and the CREATE.
        if not has_tables(engine):
            raise TablesMissing(str(exc.orig)) from exc


def write_run(
    conn: Connection,
    run: Mapping[str, Any],
    *,
    machine_name: str | None,
    at: dt.datetime,
) -> bool:
    """Store a run and its machine (``bench_run`` column values); False when the id existed.

    The machine row is inserted or refreshed (its ``info`` and ``last_seen``; its name when
    ``machine_name`` is given). Call inside ``engine.begin()``.
    """
    _upsert_machine(conn, run["machine_fingerprint"], run["machine"], name=machine_name, at=at)
    row = {**run, "started_at": as_utc(run["started_at"])}
    return _insert_ignore(conn, BENCH_RUN, row, key="id")


def stored_document(conn: Connection, run_id: str) -> dict[str, Any]:
    """The result document stored under ``run_id`` (which must exist)."""
    stmt = select(BENCH_RUN.c.result).where(BENCH_RUN.c.id == run_id)
    document: dict[str, Any] = conn.execute(stmt).scalar_one()
    return document


def load_runs(
    engine: Engine,
    *,
    model_keys: Sequence[str] | None = None,
    machine: str | None = None,
    limit: int | None = None,
    run_id: str | None = None,
) -> list[RunRecord]:
    """Stored runs, newest first (none in a store without the tables).

    Args:
        engine: the store.
        model_keys: keep runs whose catalog id, Hub id (both case-insensitive), model label or
            folder path is one of these.
        machine: keep runs of the machine with this name (case-insensitive) or fingerprint
            prefix (at least ``MIN_FINGERPRINT_PREFIX`` hex digits).
        limit: at most this many runs.
        run_id: only this run.
    """
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
    if model_keys is not None:
        stmt = stmt.where(_model_matches(model_keys))
    if machine is not None:
        stmt = stmt.where(_machine_matches(machine))
    if limit is not None:
        stmt = stmt.limit(limit)
    with engine.connect() as conn:
        return [
            RunRecord(rid, cid, name, as_utc(at), doc)
            for rid, cid, name, at, doc in conn.execute(stmt)
        ]


def best_run_ids(
    engine: Engine, *, catalog_ids: Sequence[str], machine: str | None = None
) -> dict[str, str]:
    """Catalog id -> id of its run with the highest mean decode speed (newest on a tie)."""
    ids = [i.lower() for i in catalog_ids]
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
    return best


def load_machines(engine: Engine) -> list[MachineRecordRow]:
    """Every machine with stored results, most recently seen first."""
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
        return [
            MachineRecordRow(
                fingerprint=row.fingerprint,
                name=row.name,
                info=row.info,
                first_seen=as_utc(row.first_seen),
                last_seen=as_utc(row.last_seen),
                runs=int(row[-1]),
            )
            for row in conn.execute(stmt)
        ]


def rename_machine(engine: Engine, *, fingerprint: str, name: str) -> None:
    """Set the name of the machine with this fingerprint."""
    with engine.begin() as conn:
        conn.execute(
            update(BENCH_MACHINE)
            .where(BENCH_MACHINE.c.fingerprint == fingerprint)
            .values(name=name)
        )


def _upsert_machine(
    conn: Connection, fingerprint: str, info: dict[str, Any], *, name: str | None, at: dt.datetime
) -> None:
    row = {
        "fingerprint": fingerprint,
        "name": name,
        "info": info,
        "first_seen": at,
        "last_seen": at,
    }
    if _insert_ignore(conn, BENCH_MACHINE, row, key="fingerprint"):
        return
    values: dict[str, Any] = {"info": info, "last_seen": at}
    if name is not None:
        values["name"] = name
    conn.execute(
        update(BENCH_MACHINE).where(BENCH_MACHINE.c.fingerprint == fingerprint).values(values)
    )


def _insert_ignore(conn: Connection, table: Table, values: dict[str, Any], *, key: str) -> bool:
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


def _model_matches(keys: Sequence[str]) -> ColumnElement[bool]:
    clauses: list[ColumnElement[bool]] = []
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


def _machine_matches(machine: str) -> ColumnElement[bool]:
    key = machine.strip()
    by_name = func.lower(BENCH_MACHINE.c.name) == key.lower()
    if len(key) >= MIN_FINGERPRINT_PREFIX:
        return or_(
            by_name, BENCH_RUN.c.machine_fingerprint.startswith(key.lower(), autoescape=True)
        )
    return by_name

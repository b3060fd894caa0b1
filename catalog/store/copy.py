"""``modelcat db copy``: move a whole catalog between stores (SQLite <-> PostgreSQL), nothing lost.

Every table is copied (curated and Hub-tier models, licenses, Hub snapshots, lineage and drift,
benchmark machines and runs, saved lists and policies, ``meta``), in one transaction on the
target, so a failed copy leaves the target as it was. Values travel exactly:

- JSON columns are moved as their stored text, so SQL ``NULL`` and JSON ``null`` stay distinct
  and documents keep their key order and spelling;
- timestamps with a time zone are UTC on both sides (SQLite keeps them without an offset, so
  its values are read as UTC and PostgreSQL's are converted to UTC before they reach SQLite).

Both stores are brought to the current schema revision first (as opening them would).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import JSON, Column, DateTime, Table, Text, bindparam, cast, delete, func, select
from sqlalchemy.engine import Connection, Engine

from catalog.errors import UsageError
from catalog.store.engine import analyze, make_engine
from catalog.store.locks import write_transaction
from catalog.store.upgrade import ensure_schema, target_metadata

BATCH_ROWS = 5000
"""Rows read and inserted per round trip."""
DERIVED = ("meta", "license")
"""Tables rebuilt from the YAML files (with the curated models): replacing them loses nothing."""

Progress = Callable[[str, int], None]
"""Called with a table name and the rows copied so far."""


@dataclass(frozen=True)
class CopyReport:
    """What ``copy_store`` moved."""

    source: str
    target: str
    tables: dict[str, int] = field(default_factory=dict)
    """Rows copied per table, in copy order."""

    @property
    def rows(self) -> int:
        """Rows copied in all."""
        return sum(self.tables.values())

    def to_json(self) -> dict[str, Any]:
        """``{"from", "to", "tables", "rows"}``."""
        return {"from": self.source, "to": self.target, "tables": self.tables, "rows": self.rows}


def copy_store(
    *, source: str, target: str, replace: bool = False, progress: Progress | None = None
) -> CopyReport:
    """Copy every row of the store at ``source`` into the store at ``target``.

    Args:
        source: URL of the store to read (upgraded to the current schema first if behind).
        target: URL of the store to write (created or upgraded as needed).
        replace: empty the target first even when it holds data of its own (Hub-tier models,
            sync data, benchmark runs, saved lists or policies); without it such a target is
            refused. A target holding only the curated part (rebuilt from YAML) is always fine.
        progress: called after each batch with the table and its rows copied so far.

    Raises:
        UsageError: both URLs name the same store, or the target holds data and ``replace`` is
            not set.
        StorageError: a store cannot be opened or upgraded.
    """
    src, dst = make_engine(source), make_engine(target)
    try:
        if _same_store(src, dst):
            raise UsageError("--from and --to name the same store")
        ensure_schema(src)
        ensure_schema(dst)
        report = CopyReport(source=_safe(src), target=_safe(dst))
        tables = list(target_metadata().sorted_tables)
        with write_transaction(dst, "catalog") as out, src.connect() as inp:
            if not replace:
                _refuse_if_holding_data(out, tables)
            for table in reversed(tables):  # children before parents (foreign keys)
                out.execute(delete(table))
            for table in tables:
                report.tables[table.name] = _copy_table(inp, out, table, progress)
        analyze(dst)
        return report
    finally:
        src.dispose()
        dst.dispose()


def table_rows(engine: Engine, table: Table) -> list[tuple[Any, ...]]:
    """Every row of ``table`` as copied (JSON as text, timestamps in UTC), sorted.

    The comparison ``db copy`` promises: equal lists mean nothing was lost or changed.
    """
    with engine.connect() as conn:
        rows = [_portable(dict(r), table) for r in conn.execute(_read(table)).mappings()]
    return sorted(tuple(row[c.name] for c in table.columns) for row in rows)


def _copy_table(inp: Connection, out: Connection, table: Table, progress: Progress | None) -> int:
    postgres = out.dialect.name == "postgresql"
    insert = table.insert().values({c.name: _bind(c, postgres=postgres) for c in table.columns})
    copied = 0
    result = inp.execution_options(yield_per=BATCH_ROWS).execute(_read(table))
    for part in result.mappings().partitions():
        out.execute(insert, [_portable(dict(row), table) for row in part])
        copied += len(part)
        if progress is not None:
            progress(table.name, copied)
    return copied


def _read(table: Table) -> Any:
    columns = [cast(c, Text).label(c.name) if _is_json(c) else c for c in table.columns]
    return select(*columns).order_by(*table.primary_key.columns)


def _bind(column: Column[Any], *, postgres: bool) -> Any:
    if not _is_json(column):
        return bindparam(column.name, type_=column.type)
    # The stored text goes in as is and is kept verbatim. PostgreSQL needs the cast to json;
    # SQLite must not get one (CAST AS JSON has numeric affinity there).
    text = bindparam(column.name, type_=Text)
    return cast(text, column.type) if postgres else text


def _portable(row: dict[str, Any], table: Table) -> dict[str, Any]:
    for column in table.columns:
        value = row[column.name]
        if isinstance(value, dt.datetime) and _has_zone(column):
            row[column.name] = (
                value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)
            )
    return row


def _refuse_if_holding_data(conn: Connection, tables: list[Table]) -> None:
    held: dict[str, int] = {}
    for table in tables:
        if table.name in DERIVED:
            continue
        stmt = select(func.count()).select_from(table)
        if table.name == "model":
            stmt = stmt.where(table.c.tier != "curated")
        found = int(conn.execute(stmt).scalar_one())
        if found:
            held[table.name] = found
    if held:
        what = ", ".join(f"{n} {name}" for name, n in held.items())
        raise UsageError(
            f"the target store holds data of its own ({what} rows); "
            "pass --replace to overwrite it with the source"
        )


def _is_json(column: Column[Any]) -> bool:
    return isinstance(column.type, JSON)


def _has_zone(column: Column[Any]) -> bool:
    kind = column.type
    impl = getattr(kind, "impl", kind)  # TypeDecorators (sqlmodel's UTCDateTime) wrap a DateTime
    return isinstance(impl, DateTime) and bool(impl.timezone)


def _same_store(a: Engine, b: Engine) -> bool:
    return a.url.render_as_string(hide_password=True) == b.url.render_as_string(hide_password=True)


def _safe(engine: Engine) -> str:
    return engine.url.render_as_string(hide_password=True)


def rows_by_table(engine: Engine) -> Mapping[str, list[tuple[Any, ...]]]:
    """``table_rows`` of every table of the store, by table name."""
    return {t.name: table_rows(engine, t) for t in target_metadata().sorted_tables}

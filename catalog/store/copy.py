"""``modelcat db copy``: move a whole catalog between stores (SQLite <-> PostgreSQL), nothing lost.

Every table is copied (curated and Hub-tier models, licenses, Hub snapshots, lineage and drift,
benchmark machines and runs, saved lists and policies, ``meta``), in one transaction on the
target, so a failed copy leaves the target as it was. Values travel exactly:

- JSON columns are moved as their stored text, so SQL ``NULL`` and JSON ``null`` stay distinct
  and documents keep their key order and spelling;
- timestamps with a time zone are UTC on both sides (SQLite keeps them without an offset, so
  its values are read as UTC and PostgreSQL's are converted to UTC before they reach SQLite).

The source is only read (opened read-only, never created nor upgraded) and must be a modelcat
store with models in it; the target is brought to the current schema revision first.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import (
    JSON,
    Column,
    DateTime,
    Table,
    Text,
    bindparam,
    cast,
    delete,
    func,
    select,
)
from sqlalchemy.engine import Connection, Engine

from catalog.errors import UsageError
from catalog.store.engine import analyze, make_engine
from catalog.store.locks import write_transaction
from catalog.store.tables import MODEL
from catalog.store.upgrade import (
    HEAD_REVISION,
    REVISIONS,
    VERSION_TABLE,
    current_revision,
    ensure_schema,
    target_metadata,
)

BATCH_ROWS = 5000
"""Rows read and inserted per round trip."""
DERIVED = ("meta", "license")
"""Tables rebuilt from the YAML files (with the curated models): replacing them loses nothing."""
PRECIOUS = ("bench_machine", "bench_run", "saved_list", "saved_policy")
"""Tables nothing can bring back (a sync re-fetches Hub data; measurements and choices are
gone): ``--replace`` asks before it deletes their rows."""

Progress = Callable[[str, int], None]
"""Called with a table name and the rows copied so far."""
Confirm = Callable[[str], bool]
"""Asked a question (what would be lost); True to go ahead."""


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
    *,
    source: str,
    target: str,
    replace: bool = False,
    confirm: Confirm | None = None,
    progress: Progress | None = None,
) -> CopyReport:
    """Copy every row of the store at ``source`` into the store at ``target``.

    The source is opened read-only and never created or upgraded: it must exist, be a modelcat
    store at this modelcat's schema revision, and hold models (an empty source would only
    wipe the target, so a mistyped ``--from`` is refused rather than copied).

    Args:
        source: URL of the store to read.
        target: URL of the store to write (created or upgraded as needed).
        replace: empty the target first even when it holds data of its own (Hub-tier models,
            sync data, benchmark runs, saved lists or policies); without it such a target is
            refused. A target holding only the curated part (rebuilt from YAML) is always fine.
        confirm: asked, with what would be lost, before ``replace`` deletes benchmark runs or
            saved lists and policies; without it (or when it says no) nothing is copied.
        progress: called after each batch with the table and its rows copied so far.

    Raises:
        UsageError: both URLs name the same store, the source is missing, empty or not a
            modelcat store, or the target holds data and ``replace`` (or the confirmation)
            is missing.
        StorageError: a store cannot be opened or upgraded.
    """
    src = make_engine(source, read_only=True)
    try:
        dst = make_engine(target)
    except BaseException:
        src.dispose()
        raise
    try:
        if _same_store(src, dst):
            raise UsageError("--from and --to name the same store")
        tables = list(target_metadata().sorted_tables)
        _check_source(src, tables)
        ensure_schema(dst)
        with dst.connect() as conn:
            held = _held(conn, tables)
        if held and not replace:
            raise UsageError(
                f"the target store holds data of its own ({_listing(held)}); "
                "pass --replace to overwrite it with the source"
            )
        precious = {name: n for name, n in held.items() if name in PRECIOUS}
        if precious:
            question = f"--replace deletes from {_safe(dst)}: {_listing(precious)}"
            if confirm is None or not confirm(question):
                raise UsageError(f"{question}; nothing copied (add --yes to confirm)")
        report = CopyReport(source=_safe(src), target=_safe(dst))
        with write_transaction(dst, "catalog") as out, src.connect() as inp:
            if not replace and _held(out, tables):  # written meanwhile: refuse, as above
                raise UsageError("the target store got data of its own meanwhile; not copied")
            for table in reversed(tables):  # children before parents (foreign keys)
                out.execute(delete(table))
            for table in tables:
                report.tables[table.name] = _copy_table(inp, out, table, progress)
        analyze(dst)
        return report
    finally:
        src.dispose()
        dst.dispose()


def _check_source(engine: Engine, tables: list[Table]) -> None:
    """The source is a modelcat store at this schema revision, with models in it."""
    from sqlalchemy import inspect
    from sqlalchemy.exc import DBAPIError

    where = _safe(engine)
    try:
        with engine.connect() as conn:
            present = set(inspect(conn).get_table_names())
            missing = [t.name for t in tables if t.name not in present]
            if VERSION_TABLE not in present or missing:
                raise UsageError(
                    f"{where} is not a modelcat store (no {', '.join(missing) or VERSION_TABLE}"
                    " table); nothing copied"
                )
            revision = current_revision(conn)
            if revision != HEAD_REVISION:
                newer = revision not in REVISIONS
                raise UsageError(
                    f"the source store is at schema revision {revision!r}, this modelcat at "
                    f"{HEAD_REVISION!r}: "
                    + ("upgrade modelcat" if newer else f"run `modelcat --db {where} db upgrade`")
                    + " first; nothing copied"
                )
            models = conn.execute(select(func.count()).select_from(MODEL)).scalar_one()
    except DBAPIError as exc:
        raise UsageError(f"cannot read the source store {where}: {exc.orig}") from None
    if not models:
        raise UsageError(f"the source store {where} holds no models; nothing copied")


def _held(conn: Connection, tables: list[Table]) -> dict[str, int]:
    """Rows per table that a rebuild from the YAML files would not bring back."""
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
    return held


def _listing(rows: Mapping[str, int]) -> str:
    return ", ".join(f"{n} {name}" for name, n in rows.items()) + " rows"


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

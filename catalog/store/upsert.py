"""``INSERT ... ON CONFLICT DO UPDATE``: rows written atomically, on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import Table, delete
from sqlalchemy.engine import Connection


def upsert(
    conn: Connection, table: Table, values: Mapping[str, Any], *, key: Sequence[str]
) -> None:
    """Insert ``values``, or update the row with the same ``key`` columns.

    One statement, so two writers saving the same key at once never collide (a delete and an
    insert would: the second insert meets the first one's key on PostgreSQL). Other databases
    fall back to a delete and an insert in the caller's transaction.
    """
    upsert_many(conn, table, [values], key=key)


def upsert_many(
    conn: Connection, table: Table, rows: Sequence[Mapping[str, Any]], *, key: Sequence[str]
) -> None:
    """:func:`upsert` of many rows (with the same columns) in one executemany."""
    dialect = conn.dialect.name
    if dialect in ("sqlite", "postgresql"):
        if dialect == "sqlite":
            from sqlalchemy.dialects.sqlite import insert
        else:
            from sqlalchemy.dialects.postgresql import insert  # type: ignore[assignment]
        stmt = insert(table)
        changes = {name: stmt.excluded[name] for name in rows[0] if name not in key}
        conn.execute(stmt.on_conflict_do_update(index_elements=list(key), set_=changes), rows)
        return
    for values in rows:
        conn.execute(delete(table).where(*(table.c[k] == values[k] for k in key)))
    conn.execute(table.insert(), list(rows))

"""Store-wide write locks, so concurrent writers on one store serialise instead of colliding.

Several processes share one store (two ``modelcat sync`` runs, a TUI and a rebuild, a team on
one PostgreSQL database). Writers that replace rows (a delete and an insert of the same key)
must not interleave: on PostgreSQL the second insert would hit the first one's uncommitted key
and fail. A transaction-level advisory lock makes them take turns; it is released by the commit
or rollback, so a crashed writer never leaves it behind. SQLite already admits one writer at a
time; ``write_transaction`` takes its lock up front (``BEGIN IMMEDIATE``) so a transaction that
reads before it writes cannot be refused half-way.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Literal

from sqlalchemy import text
from sqlalchemy.engine import Connection, Engine

LockName = Literal["catalog", "schema"]
"""``catalog``: model, license and Hub rows (rebuild, sync); ``schema``: migrations."""


def lock_key(name: LockName) -> int:
    """The signed 64-bit advisory-lock key of ``name`` (stable across processes and versions)."""
    digest = hashlib.blake2b(f"modelcat:{name}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


def hold_write_lock(conn: Connection, name: LockName = "catalog") -> None:
    """Hold the write lock ``name`` until ``conn``'s transaction ends (call before writing).

    PostgreSQL: ``pg_advisory_xact_lock`` (re-entrant within a transaction). SQLite needs
    nothing: its first write takes the database's one write lock, waiting up to the busy timeout.
    """
    if conn.dialect.name == "postgresql":
        conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": lock_key(name)})


@contextmanager
def write_transaction(engine: Engine, name: LockName = "catalog") -> Iterator[Connection]:
    """A transaction that holds the write lock ``name`` from its first statement; commits on exit.

    An exception rolls it back (and releases the lock).
    """
    with engine.connect() as conn:
        if conn.dialect.name == "sqlite":
            conn.exec_driver_sql("BEGIN IMMEDIATE")
        else:
            hold_write_lock(conn, name)
        yield conn
        conn.commit()

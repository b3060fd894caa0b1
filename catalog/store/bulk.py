"""Many Hub-tier rows in one go: indexes built once at the end instead of kept up row by row.

A discovery page written on its own keeps every index of ``model`` and ``hub_lineage``, the
text index and the derived columns up to date as it goes: right for a page into a large store,
but on the way to a million rows each insert pays for a dozen B-tree leaves and a trigram
trigger, and a page re-derives its licenses through indexes that no longer fit in memory.
:func:`bulk_write` is one transaction that, on SQLite:

- drops the secondary indexes of ``model`` and ``hub_lineage`` and the text index's triggers
  (the primary keys stay: the writes look rows up by them), and gives the connection a large
  page cache;
- lets the writes defer the derived columns (:attr:`BulkWrite.pending`);
- at the end re-creates the indexes from their stored definitions, refreshes the planner's
  statistics, derives the pending rows' columns, rebuilds the text index from ``model`` and
  re-creates its triggers, then commits.

Dropped indexes are part of the transaction: an error, an interrupt or a crash before the
commit rolls back the rows and the dropped indexes together (SQLite and PostgreSQL both
undo DDL), so the store is never left without its indexes or with half a bulk. Readers keep
reading the store as it was (SQLite's WAL) until the commit.

Rebuilding an index reads every row of the table, so a bulk write pays for the whole store:
use it when the write is at least about as large as what the store already holds (see
``catalog.sync.storage.ListingWriter``).

On PostgreSQL the indexes stay (dropping one locks every reader out until the commit) and
only the derived columns are deferred (psycopg 3 already sends an executemany's rows in one
pipeline; ``COPY`` is not used).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from sqlalchemy import text
from sqlalchemy.engine import Connection, Engine

from catalog.store.locks import write_transaction

TABLES = ("model", "hub_lineage")
"""Tables whose secondary indexes a bulk write drops and re-creates (SQLite)."""
CACHE_KIB = 512 * 1024
"""SQLite page cache of the bulk connection (KiB): the primary keys of a million rows fit."""
DERIVE_CHUNK = 20_000
"""Hub ids whose derived columns are refreshed at a time at the end (bounds the memory)."""


@dataclass
class BulkWrite:
    """An open bulk write: its connection, and the Hub ids whose derived columns wait for the
    end (``catalog.store.derived``)."""

    conn: Connection
    pending: list[str] = field(default_factory=list)
    """In the order written, which is the order of the rows in the file: the refresh at the end
    then reads and updates one stretch of the table at a time (in any other order, each look-up
    at a million rows misses the page cache)."""


@contextmanager
def bulk_write(engine: Engine) -> Iterator[BulkWrite]:
    """One transaction for many Hub-tier rows (see the module docstring); commits on exit.

    An exception rolls everything back, dropped indexes included.
    """
    with write_transaction(engine) as conn:
        bulk = BulkWrite(conn)
        if conn.dialect.name != "sqlite":
            yield bulk
            _derive(conn, bulk.pending)
            conn.execute(text("ANALYZE model"))
            return
        from catalog.store import search_index

        cache = conn.exec_driver_sql("PRAGMA cache_size").scalar_one()
        conn.exec_driver_sql(f"PRAGMA cache_size=-{CACHE_KIB}")
        _clock[0] = time.perf_counter()
        try:
            indexes = _drop_indexes(conn)
            _phase("indexes dropped")
            with search_index.rebuilt_after(conn):
                yield bulk
                _phase("rows written")
                for sql in indexes:
                    conn.exec_driver_sql(sql)
                _phase("indexes created")
                # Dropping an index dropped its statistics: without them SQLite would walk the
                # tier index for the look-ups that derive the columns.
                conn.exec_driver_sql("ANALYZE")
                _phase("statistics")
                _derive(conn, bulk.pending)
                _phase("derived columns")
            _phase("text index rebuilt")
        finally:
            conn.exec_driver_sql(f"PRAGMA cache_size={int(cache)}")
    # The whole bulk went through the write-ahead log: copy it into the file and truncate it
    # (else a log as large as the bulk stays on disk). Best effort: a reader can hold it.
    with engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)").all()


def _phase(done: str) -> None:
    """Log how long the bulk's last phase took (``logging`` at DEBUG, for bench runs)."""
    now = time.perf_counter()
    log.debug("bulk write: %s in %.1f s", done, now - _clock[0])
    _clock[0] = now


_clock = [time.perf_counter()]
log = logging.getLogger(__name__)


def _drop_indexes(conn: Connection) -> list[str]:
    """Drop the secondary indexes of :data:`TABLES`; returns the statements that re-create
    them. Primary keys and unique constraints (SQLite's automatic indexes) stay."""
    marks = ", ".join(f"'{t}'" for t in TABLES)
    found = conn.exec_driver_sql(
        "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL "
        f"AND tbl_name IN ({marks}) ORDER BY name"
    ).all()
    for name, _sql in found:
        conn.exec_driver_sql(f'DROP INDEX "{name}"')
    return [sql for _name, sql in found]


def _derive(conn: Connection, pending: list[str]) -> None:
    from catalog.store.derived import lineage_bases, refresh_derived
    from catalog.store.lineage_index import chunks

    if not pending:
        return
    bases = lineage_bases(conn)
    for chunk in chunks(list(dict.fromkeys(pending)), DERIVE_CHUNK):
        refresh_derived(conn, chunk, bases=bases)


__all__ = ["CACHE_KIB", "TABLES", "BulkWrite", "bulk_write"]

"""Engines from one URL: SQLite in WAL mode with a busy timeout, or PostgreSQL (psycopg 3)."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import quote

from sqlalchemy import event
from sqlalchemy.engine import URL, Connection, Engine, make_url
from sqlalchemy.exc import DBAPIError, NoSuchModuleError, SQLAlchemyError

from catalog.errors import Cancelled, StorageError
from catalog.store.ownership import APPLICATION_ID, check_owned

SQLITE_BUSY_TIMEOUT_MS = 10_000

STORE_ERRORS: tuple[type[Exception], ...] = (SQLAlchemyError, OverflowError, ValueError)
"""What a write can raise besides a ``CatalogError``: the database refused it (full, read-only,
a constraint), or a value the driver cannot bind. Map them with :func:`storage_error`."""

_DISK_FULL = ("database or disk is full", "disk i/o error", "no space left", "diskfull")
_READ_ONLY = ("readonly database", "read-only", "read only")


def make_engine(url: str, *, read_only: bool = False) -> Engine:
    """Create an engine for ``url``; SQLite gets WAL so the TUI reads while a sync writes.

    ``read_only`` opens an existing store without any way to change it (or, for SQLite, to
    create it): the file is opened with ``mode=ro``, PostgreSQL sessions are read-only.
    A SQLite file is opened for writing only when it is modelcat's (or new, or empty:
    ``catalog.store.ownership``), and is then stamped with modelcat's application id.

    Raises:
        StorageError: not a URL modelcat can use.
        UsageError: a SQLite file that is not modelcat's, or a missing folder.
    """
    from sqlmodel import create_engine

    try:
        parsed = make_url(url)
    except Exception as exc:  # sqlalchemy raises ArgumentError with a terse message
        raise StorageError(f"not a database URL: {url!r} ({exc})") from exc
    if read_only:
        return _read_only_engine(parsed)
    if parsed.get_backend_name() == "sqlite":
        database = parsed.database or ""
        if database and database != ":memory:" and not parsed.query.get("uri"):
            check_owned(Path(database))
        engine = create_engine(
            url,
            connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000, "check_same_thread": False},
        )
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    try:
        return create_engine(url, pool_pre_ping=True)
    except NoSuchModuleError as exc:
        raise StorageError(f"not a database URL modelcat can use: {parsed.drivername!r}") from exc
    except ModuleNotFoundError as exc:
        raise StorageError(
            f"the driver for {parsed.get_backend_name()} is not installed ({exc.name}); "
            "for PostgreSQL: pip install 'modelcat[postgres]'"
        ) from exc


def _read_only_engine(parsed: URL) -> Engine:
    from sqlmodel import create_engine

    if parsed.get_backend_name() == "sqlite":
        path = parsed.database or ""
        if not path or path == ":memory:" or not Path(path).is_file():
            raise StorageError(f"no store at {path or parsed}: the file does not exist")
        uri = f"file:{quote(str(Path(path).resolve()))}?mode=ro"
        return create_engine(
            "sqlite://",
            creator=lambda: sqlite3.connect(uri, uri=True, check_same_thread=False),
        )
    try:
        return create_engine(
            parsed, connect_args={"options": "-c default_transaction_read_only=on"}
        )
    except (NoSuchModuleError, ModuleNotFoundError) as exc:
        raise StorageError(f"not a database URL modelcat can use: {parsed.drivername!r}") from exc


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    # The mark that lets a later run tell this store from a file it must not touch.
    if cursor.execute("PRAGMA application_id").fetchone()[0] == 0:
        cursor.execute(f"PRAGMA application_id={APPLICATION_ID}")
    cursor.close()


PROGRESS_STEPS = 1000
"""SQLite virtual-machine steps between two looks at a cancel event (well under a millisecond)."""


@contextmanager
def interruptible(conn: Connection, cancel: threading.Event | None) -> Iterator[None]:
    """Statements run inside stop soon after ``cancel`` is set, raising ``Cancelled``.

    SQLite looks at the event from its progress handler, mid-statement; other backends look
    before the work starts only.
    """
    if cancel is None:
        yield
        return
    if cancel.is_set():
        raise Cancelled
    raw = conn.connection.dbapi_connection
    if not isinstance(raw, sqlite3.Connection):
        yield
        return
    raw.set_progress_handler(cancel.is_set, PROGRESS_STEPS)
    try:
        yield
    except DBAPIError as exc:
        if cancel.is_set() and isinstance(exc.orig, sqlite3.OperationalError):
            raise Cancelled from exc
        raise
    finally:
        raw.set_progress_handler(None, 0)


def is_corruption(exc: DBAPIError) -> bool:
    """True when SQLite says the file is not (or no longer) a database."""
    text = str(exc.orig).lower()
    return "not a database" in text or "malformed" in text or "file is encrypted" in text


def is_sqlite(engine: Engine) -> bool:
    """True for a SQLite engine."""
    return engine.dialect.name == "sqlite"


def analyze(engine: Engine, *, only_if_needed: bool = False) -> None:
    """Refresh the planner's statistics after bulk changes.

    Without them SQLite picks an equality index (``access = 'open'``) over the ranking index and
    sorts most of the table for a top-20 page: 50 ms instead of 1 ms at 100,000 models.
    ``only_if_needed`` lets SQLite decide (``PRAGMA optimize``) once statistics exist.
    """
    from sqlalchemy import inspect, text

    with engine.begin() as conn:
        if not is_sqlite(engine):
            conn.execute(text("ANALYZE model"))
        elif only_if_needed and inspect(conn).has_table("sqlite_stat1"):
            conn.execute(text("PRAGMA optimize"))
        else:
            conn.execute(text("ANALYZE"))


def refresh_statistics(conn: Connection, *, growth: float = 2.0) -> bool:
    """SQLite: ``ANALYZE`` (inside ``conn``'s transaction) once ``model`` holds ``growth`` times
    the rows its statistics counted; returns whether it ran.

    Statistics taken of a small store mislead the planner as the store grows: told ``model``
    has 135 rows, SQLite scans the table rather than look up a page of 1,000 ids, and a
    discovery into a fresh store slows to a crawl. Refreshed at each doubling, they cost about
    one more ``ANALYZE`` of the final store in all. PostgreSQL's autovacuum keeps its own.
    """
    from sqlalchemy import text

    if conn.dialect.name != "sqlite":
        return False
    rows = conn.execute(text("SELECT max(rowid) FROM model")).scalar() or 0
    has_stats = conn.execute(
        text("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'sqlite_stat1'")
    ).first()
    stat = None
    if has_stats is not None:
        stat = conn.execute(text("SELECT stat FROM sqlite_stat1 WHERE tbl = 'model' LIMIT 1"))
        stat = stat.scalar()
    counted = int(str(stat).split()[0]) if stat else 0
    if rows < max(growth * counted, 1000):
        return False
    conn.execute(text("ANALYZE"))
    return True


def storage_error(exc: BaseException, engine: Engine | str | None = None) -> StorageError:
    """``exc`` (from a database call) as one line that says what happened and where.

    SQLite says "database or disk is full" or, for a full disk under the WAL, "disk I/O
    error"; PostgreSQL "No space left on device": all are reported as a full disk, with the
    path of the file (or the server) so the user knows which disk.
    """
    from catalog.text import clip

    text = str(getattr(exc, "orig", None) or exc).strip()
    detail = text.splitlines()[0] if text else type(exc).__name__
    low = detail.lower()
    where = _where(engine)
    if any(marker in low for marker in _DISK_FULL):
        return StorageError(f"disk full: cannot write the store at {where} ({detail})")
    if any(marker in low for marker in _READ_ONLY):
        return StorageError(f"the store at {where} is read-only; nothing was written ({detail})")
    return StorageError(f"cannot write the store at {where}: {clip(detail)}")


def _where(engine: Engine | str | None) -> str:
    if engine is None:
        return "(the store)"
    url = make_url(engine) if isinstance(engine, str) else engine.url
    if url.get_backend_name() == "sqlite" and url.database:
        return url.database
    return url.render_as_string(hide_password=True)

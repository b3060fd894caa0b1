"""Engines from one URL: SQLite in WAL mode with a busy timeout, or PostgreSQL (psycopg 3)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import DBAPIError, NoSuchModuleError

from catalog.errors import StorageError

SQLITE_BUSY_TIMEOUT_MS = 10_000


def make_engine(url: str) -> Engine:
    """Create an engine for ``url``; SQLite gets WAL so the TUI reads while a sync writes."""
    from sqlmodel import create_engine

    try:
        parsed = make_url(url)
    except Exception as exc:  # sqlalchemy raises ArgumentError with a terse message
        raise StorageError(f"not a database URL: {url!r} ({exc})") from exc
    if parsed.get_backend_name() == "sqlite":
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


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


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

"""Schema revisions: Alembic migrations for SQLite and PostgreSQL, run only when a store is behind.

Opening a store reads Alembic's own ``alembic_version`` (one small query) and decides on it
alone: at :data:`HEAD_REVISION` nothing runs; at an older revision we ship (or none: a new or
pre-Alembic store) Alembic is imported and upgrades it; at a revision this modelcat does not
know, the store was upgraded by a newer modelcat and is refused (exit 2) by every command,
``db upgrade`` too, before anything is written. ``meta.schema_revision`` is written beside it
for older modelcats, whose cheap check reads it; it decides nothing here.

A store made before migrations existed (tables from ``create_all``, ``meta.schema_version``
``"3"``, no ``alembic_version``) is upgraded in place: the baseline revision creates only the
tables and indexes it lacks. Nothing is ever dropped.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import MetaData, delete, inspect, text
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import DBAPIError

from catalog.errors import StorageError
from catalog.store.engine import is_corruption
from catalog.store.locks import write_transaction
from catalog.store.tables import META

if TYPE_CHECKING:
    from alembic.config import Config

REVISIONS: tuple[str, ...] = (
    "0001_baseline",
    "0002_saved_queries",
    "0003_family_rank_index",
    "0004_model_shutdown",
    "0005_bench_backends",
    "0006_search_index",
    "0007_model_listing",
)
"""Every revision this modelcat ships, oldest first (a test checks it against the scripts)."""
HEAD_REVISION = REVISIONS[-1]
"""The revision a store must be at; a test asserts it is Alembic's head."""
REVISION_KEY = "schema_revision"
"""The ``meta`` key that mirrors ``alembic_version`` for older modelcats (see above)."""
VERSION_TABLE = "alembic_version"
MIGRATIONS_DIR = Path(__file__).with_name("migrations")


@dataclass(frozen=True)
class UpgradeResult:
    """What ``upgrade_store`` did: the revision before (None: none recorded) and after."""

    before: str | None
    after: str

    @property
    def changed(self) -> bool:
        """True when a migration ran."""
        return self.before != self.after


def target_metadata() -> MetaData:
    """The metadata of every table the store has (core, Hub sync, benchmarks)."""
    from sqlmodel import SQLModel

    import catalog.store.bench_tables  # noqa: F401  (registers the benchmark tables)
    import catalog.store.hub_tables  # noqa: F401  (registers the Hub sync tables)
    import catalog.store.tables  # noqa: F401  (registers the core tables)

    return SQLModel.metadata


def ensure_schema(engine: Engine, *, revision: str | None | bool = True) -> UpgradeResult | None:
    """Upgrade the store when it is behind; None when it was already at the head.

    Args:
        engine: the store.
        revision: its ``alembic_version`` when the caller has just read it (None: the store
            has none); ``True`` reads it.

    Raises:
        StorageError: the store was upgraded by a newer modelcat, or a migration failed.
    """
    if revision is True:
        with engine.connect() as conn:
            revision = current_revision(conn)
    if revision == HEAD_REVISION:
        return None
    check_known(revision if isinstance(revision, str) else None)
    return upgrade_store(engine)


def check_known(revision: str | None) -> None:
    """Refuse a store at a revision this modelcat does not ship (a newer one made it)."""
    if revision is not None and revision not in REVISIONS:
        raise StorageError(
            f"the store is at schema revision {revision!r}, made by a newer modelcat; "
            f"this one knows up to {HEAD_REVISION!r}: upgrade modelcat"
        )


def upgrade_store(engine: Engine) -> UpgradeResult:
    """Bring the store to :data:`HEAD_REVISION` in one transaction under the schema lock.

    Raises:
        StorageError: the store was upgraded by a newer modelcat, or a migration failed.
    """
    from alembic import command

    try:
        with write_transaction(engine, "schema") as conn:
            before = current_revision(conn)
            check_known(before)
            if before != HEAD_REVISION:
                command.upgrade(alembic_config(conn), "head")
            _record(conn)
    except DBAPIError as exc:
        if is_corruption(exc):
            raise  # open_store moves a corrupt SQLite file aside and starts afresh
        raise StorageError(f"cannot upgrade the store's schema: {exc.orig}") from exc
    return UpgradeResult(before=before, after=HEAD_REVISION)


def alembic_config(conn: Connection) -> Config:
    """An Alembic configuration that runs the shipped migrations on ``conn``."""
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["connection"] = conn
    return config


def current_revision(conn: Connection) -> str | None:
    """The revision in ``alembic_version`` (None for a new or pre-Alembic store)."""
    if not inspect(conn).has_table(VERSION_TABLE):
        return None
    rows = conn.execute(text(f"SELECT version_num FROM {VERSION_TABLE}")).scalars().all()
    return rows[0] if len(rows) == 1 else None


def _record(conn: Connection) -> None:
    conn.execute(delete(META).where(META.c.key == REVISION_KEY))
    conn.execute(META.insert().values(key=REVISION_KEY, value=HEAD_REVISION))

"""Schema revisions: Alembic migrations for SQLite and PostgreSQL, run only when a store is behind.

Opening a store must stay fast, so the revision is checked without Alembic: ``meta`` holds
``schema_revision`` (read with the data digest in one query) and is compared with
:data:`HEAD_REVISION`; Alembic is imported and run only when they differ. Alembic's own
``alembic_version`` table stays the authority (``modelcat db info`` shows it).

A store made before migrations existed (tables from ``create_all``, ``meta.schema_version``
``"3"``, no ``alembic_version``) is upgraded in place: the baseline revision creates only the
tables and indexes it lacks. Nothing is ever dropped. A store upgraded by a newer modelcat is
refused with a message rather than touched.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import MetaData, delete, inspect, select, text
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
)
"""Every revision this modelcat ships, oldest first (a test checks it against the scripts)."""
HEAD_REVISION = REVISIONS[-1]
"""The revision a store must be at; a test asserts it is Alembic's head."""
REVISION_KEY = "schema_revision"
"""The ``meta`` key that mirrors ``alembic_version`` for the cheap check."""
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


def ensure_schema(engine: Engine, *, recorded: str | None = None) -> UpgradeResult | None:
    """Upgrade the store when it is behind; None when it was already at the head.

    Args:
        engine: the store.
        recorded: ``meta.schema_revision`` when the caller has just read it (saves a query;
            ``""`` when ``meta`` has none); None reads it.

    Raises:
        StorageError: the store was upgraded by a newer modelcat, or a migration failed.
    """
    if recorded is None:
        recorded = read_recorded_revision(engine)
    if recorded == HEAD_REVISION:
        return None
    return upgrade_store(engine)


def upgrade_store(engine: Engine) -> UpgradeResult:
    """Bring the store to :data:`HEAD_REVISION` in one transaction under the schema lock.

    Raises:
        StorageError: the store was upgraded by a newer modelcat, or a migration failed.
    """
    from alembic import command

    try:
        with write_transaction(engine, "schema") as conn:
            before = current_revision(conn)
            if before is not None and before not in REVISIONS:
                raise StorageError(
                    f"the store is at schema revision {before!r}, made by a newer modelcat; "
                    f"this one knows up to {HEAD_REVISION!r}: upgrade modelcat"
                )
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


def read_recorded_revision(engine: Engine) -> str | None:
    """``meta.schema_revision``, or None when the store has no such row (or no ``meta``)."""
    with engine.connect() as conn:
        if not inspect(conn).has_table(META.name):
            return None
        return conn.execute(
            select(META.c.value).where(META.c.key == REVISION_KEY)
        ).scalar_one_or_none()


def _record(conn: Connection) -> None:
    conn.execute(delete(META).where(META.c.key == REVISION_KEY))
    conn.execute(META.insert().values(key=REVISION_KEY, value=HEAD_REVISION))

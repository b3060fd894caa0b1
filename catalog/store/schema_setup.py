"""Create every table the store needs (core, Hub sync, benchmarks), through the migrations."""

from __future__ import annotations

from sqlalchemy.engine import Engine


def create_all(engine: Engine) -> None:
    """Bring the store's schema to the current revision; existing tables and rows are kept.

    Cheap when the store is current (one query); the Alembic migrations run only when it is
    behind (see ``catalog.store.upgrade``).
    """
    from catalog.store.upgrade import ensure_schema

    ensure_schema(engine)

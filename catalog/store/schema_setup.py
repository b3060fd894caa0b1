"""Create every table the store needs (core, Hub sync, benchmarks)."""

from __future__ import annotations

from sqlalchemy.engine import Engine


def create_all(engine: Engine) -> None:
    """Create missing tables; existing ones and their rows are left alone."""
    from sqlmodel import SQLModel

    import catalog.store.tables  # noqa: F401  (registers the core tables)

    SQLModel.metadata.create_all(engine)

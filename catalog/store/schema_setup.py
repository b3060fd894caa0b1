"""Create every table the store needs (core, Hub sync, benchmarks)."""

from __future__ import annotations

from sqlalchemy.engine import Engine


def create_all(engine: Engine) -> None:
    """Create missing tables; existing ones and their rows are left alone."""
    from sqlmodel import SQLModel

    import catalog.store.bench_tables  # noqa: F401  (registers the benchmark tables)
    import catalog.store.hub_tables  # noqa: F401  (registers the Hub sync tables)
    import catalog.store.tables  # noqa: F401  (registers the core tables)

    SQLModel.metadata.create_all(engine)
    # create_all skips indexes of tables that already exist; a newer modelcat may add some.
    for table in SQLModel.metadata.sorted_tables:
        for index in table.indexes:
            index.create(engine, checkfirst=True)

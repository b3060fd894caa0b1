"""Helpers for schema tests: what Alembic's autogenerate sees between a store and the models."""

from __future__ import annotations

from typing import Any

from sqlalchemy import inspect, select, text
from sqlalchemy.engine import Engine

from catalog.store.tables import META
from catalog.store.upgrade import target_metadata


def schema_differences(engine: Engine) -> list[Any]:
    """Alembic's ``compare_metadata`` between the store and the SQLModel tables (empty = same)."""
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from catalog.store.search_index import INDEX_OBJECTS

    def declared(obj: Any, name: str | None, kind: str, reflected: bool, other: Any) -> bool:
        # The text index is made by its migration, not declared on the SQLModel tables.
        return name not in INDEX_OBJECTS

    with engine.connect() as conn:
        context = MigrationContext.configure(
            conn, opts={"compare_type": True, "include_object": declared}
        )
        return list(compare_metadata(context, target_metadata()))


def meta_rows(engine: Engine) -> dict[str, str]:
    """The store's ``meta`` table."""
    with engine.connect() as conn:
        return dict(conn.execute(select(META.c.key, META.c.value)).all())


def alembic_versions(engine: Engine) -> list[str]:
    """Rows of ``alembic_version`` (none when the table is missing)."""
    with engine.connect() as conn:
        if not inspect(conn).has_table("alembic_version"):
            return []
        return list(conn.execute(text("SELECT version_num FROM alembic_version")).scalars())


def count(engine: Engine, table: str, where: str = "") -> int:
    """Rows of ``table`` (optionally ``WHERE where``)."""
    sql = f"SELECT count(*) FROM {table}" + (f" WHERE {where}" if where else "")
    with engine.connect() as conn:
        return int(conn.execute(text(sql)).scalar_one())

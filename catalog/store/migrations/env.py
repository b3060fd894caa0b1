"""Alembic environment: runs on the connection ``catalog.store.upgrade`` passes in.

That connection is already inside a transaction holding the ``schema`` write lock, so two
processes that open an old store at once upgrade it one after the other, and the second finds
nothing left to do. Offline (SQL script) mode is not supported: modelcat upgrades in place.
"""

from __future__ import annotations

from alembic import context

from catalog.store.upgrade import target_metadata

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("modelcat migrations run through catalog.store.upgrade, not the alembic CLI")

context.configure(
    connection=connection,
    target_metadata=target_metadata(),
    # SQLite cannot ALTER most things: batch mode copies the table where needed.
    render_as_batch=connection.dialect.name == "sqlite",
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()

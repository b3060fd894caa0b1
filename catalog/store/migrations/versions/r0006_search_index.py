"""One search engine: a text index, a case-free Hub id, a derivative's binding licenses and the
fit coefficients, as indexed columns of ``model``.

- ``hub_key``: ``lower(hub_id)`` with an index (a Hub id is found without a table scan);
- ``bound_licenses``: every license that binds a Hub-tier derivative, its base models' included,
  so the license filters judge lineage exactly as ``license check`` does;
- ``fit_*``: the coefficients of a model's inference memory (``catalog.fit.coefficients``), so
  "fits one device" is a condition on every row;
- the text index (``catalog.store.search_index``): FTS5 trigram on SQLite, pg_trgm on PostgreSQL.

Existing rows are backfilled in place (``catalog.store.derived.refresh_all``).

Revision ID: 0006_search_index
Revises: 0005_bench_backends
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006_search_index"
down_revision = "0005_bench_backends"
branch_labels = None
depends_on = None

_FIT_COLUMNS = ("fit_total", "fit_linear", "fit_kv", "fit_act", "fit_fixed", "fit_max_context")


def upgrade() -> None:
    from catalog.store.derived import refresh_all
    from catalog.store.search_index import create_index

    with op.batch_alter_table("model") as batch:
        batch.add_column(sa.Column("hub_key", sa.String(), nullable=True))
        batch.add_column(
            sa.Column("bound_licenses", sa.String(), nullable=False, server_default="")
        )
        batch.add_column(sa.Column("fit_basis", sa.String(), nullable=True))
        for name in _FIT_COLUMNS:
            batch.add_column(sa.Column(name, sa.BigInteger(), nullable=True))
    op.create_index("ix_model_hub_key", "model", ["hub_key"], if_not_exists=True)
    conn = op.get_bind()
    conn.execute(sa.text("UPDATE model SET hub_key = lower(hub_id) WHERE hub_id IS NOT NULL"))
    refresh_all(conn)
    create_index(conn)


def downgrade() -> None:
    from catalog.store.search_index import drop_index

    drop_index(op.get_bind())
    op.drop_index("ix_model_hub_key", table_name="model", if_exists=True)
    with op.batch_alter_table("model") as batch:
        for name in ("hub_key", "bound_licenses", "fit_basis", *_FIT_COLUMNS):
            batch.drop_column(name)

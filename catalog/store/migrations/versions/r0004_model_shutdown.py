"""Models a vendor switched off: ``model.shutdown_date``.

``shortlist`` and the advisor leave out models whose shutdown day has passed (an API model
the vendor no longer serves cannot be picked); ``list`` still shows them, with their status.
The column is backfilled from the lifecycle in each curated row's JSON document, so the store
is upgraded in place; hub-tier rows have no lifecycle and stay null.

Revision ID: 0004_model_shutdown
Revises: 0003_family_rank_index
"""

from __future__ import annotations

import datetime as dt
import json

import sqlalchemy as sa
from alembic import op

revision = "0004_model_shutdown"
down_revision = "0003_family_rank_index"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("model") as batch:
        batch.add_column(sa.Column("shutdown_date", sa.Date(), nullable=True))
    model = sa.table(
        "model",
        sa.column("id", sa.String()),
        sa.column("tier", sa.String()),
        sa.column("shutdown_date", sa.Date()),
        sa.column("data", sa.JSON()),
    )
    conn = op.get_bind()
    rows = conn.execute(sa.select(model.c.id, model.c.data).where(model.c.tier == "curated"))
    for model_id, data in rows.all():
        document = json.loads(data) if isinstance(data, str) else data
        shutdown = ((document or {}).get("lifecycle") or {}).get("shutdown")
        if shutdown:
            conn.execute(
                sa.update(model)
                .where(model.c.id == model_id)
                .values(shutdown_date=dt.date.fromisoformat(shutdown))
            )


def downgrade() -> None:
    with op.batch_alter_table("model") as batch:
        batch.drop_column("shutdown_date")

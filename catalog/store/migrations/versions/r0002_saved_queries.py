"""Saved shortlists remember how they were made; license policies can be saved by name.

``saved_list.query`` (JSON, nullable): the filters, sort and fit options of ``shortlist
--save``. ``saved_policy``: a policy YAML under a name (``modelcat license policy save``).

Revision ID: 0002_saved_queries
Revises: 0001_baseline
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002_saved_queries"
down_revision = "0001_baseline"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("saved_list") as batch:
        batch.add_column(sa.Column("query", sa.JSON(), nullable=True))
    op.create_table(
        "saved_policy",
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("name"),
    )


def downgrade() -> None:
    op.drop_table("saved_policy")
    with op.batch_alter_table("saved_list") as batch:
        batch.drop_column("query")

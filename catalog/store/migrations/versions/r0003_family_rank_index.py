"""The best models of a family without a sort: ``model (family_key, score, id)``.

``shortlist --family X`` ranks by score; with only ``ix_model_family_key`` SQLite read and
sorted every model of the family (91 ms at a million models). The new index serves the filter
and the order at once and replaces the single-column one (its prefix).

Revision ID: 0003_family_rank_index
Revises: 0002_saved_queries
"""

from __future__ import annotations

from alembic import op

revision = "0003_family_rank_index"
down_revision = "0002_saved_queries"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index(
        "ix_model_family_score_id", "model", ["family_key", "score", "id"], if_not_exists=True
    )
    op.drop_index("ix_model_family_key", table_name="model", if_exists=True)


def downgrade() -> None:
    op.create_index("ix_model_family_key", "model", ["family_key"], if_not_exists=True)
    op.drop_index("ix_model_family_score_id", table_name="model", if_exists=True)

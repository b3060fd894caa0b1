"""A model's listing line: ``model.listing`` and ``model.listing_dated``.

``list``, ``export`` and ``shortlist`` write JSON and JSON Lines model by model; decoding each
stored document and encoding it again was most of a long listing's time. The line a listing
writes (``catalog.render.compact_json`` of ``Model.to_json()``) is kept beside the document;
``listing_dated`` marks a line whose ``status`` is worked out again on the day it is read (a
model with a lifecycle). Rows written before this revision keep nulls: a reader encodes their
document as before, so the store is upgraded in place without a rewrite.

Revision ID: 0007_model_listing
Revises: 0006_search_index
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007_model_listing"
down_revision = "0006_search_index"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Plain ALTER TABLE ... ADD COLUMN (no batch): on SQLite a batch would copy the table and
    # drop the text index's triggers with it.
    op.add_column("model", sa.Column("listing", sa.Text(), nullable=True))
    op.add_column("model", sa.Column("listing_dated", sa.Boolean(), nullable=True))


def downgrade() -> None:
    op.drop_column("model", "listing_dated")  # SQLite 3.35+ drops a column in place
    op.drop_column("model", "listing")

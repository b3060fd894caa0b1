"""Baseline: the schema of a pre-Alembic modelcat (``meta.schema_version`` 3).

Core tables (meta, license, model, saved_list), the Hub sync tables and the benchmark tables,
each with its indexes. Every statement is ``IF NOT EXISTS``, so a store that ``create_all`` made
before migrations existed (or made in part, before the Hub or benchmark tables were added) is
completed and adopted in place, never rebuilt.

Revision ID: 0001_baseline
Revises: none
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001_baseline"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "bench_machine",
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=True),
        sa.Column("info", sa.JSON(), nullable=False),
        sa.Column("first_seen", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_seen", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("fingerprint"),
        if_not_exists=True,
    )
    op.create_index(
        "ix_bench_machine_name", "bench_machine", ["name"], unique=False, if_not_exists=True
    )
    op.create_table(
        "hub_drift",
        sa.Column("model_id", sa.String(length=300), nullable=False),
        sa.Column("field", sa.String(length=32), nullable=False),
        sa.Column("curated", sa.JSON(), nullable=True),
        sa.Column("hub", sa.JSON(), nullable=True),
        sa.Column("detail", sa.String(), nullable=True),
        sa.Column("detected_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("model_id", "field"),
        if_not_exists=True,
    )
    op.create_table(
        "hub_lineage",
        sa.Column("repo_id", sa.String(length=300), nullable=False),
        sa.Column("base_repo_id", sa.String(length=300), nullable=False),
        sa.Column("relation", sa.String(length=32), nullable=True),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("repo_id", "base_repo_id"),
        if_not_exists=True,
    )
    op.create_index(
        "ix_hub_lineage_base", "hub_lineage", ["base_repo_id"], unique=False, if_not_exists=True
    )
    op.create_table(
        "hub_snapshot",
        sa.Column("repo_id", sa.String(length=300), nullable=False),
        sa.Column("sha", sa.String(length=64), nullable=True),
        sa.Column("last_modified", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("gated", sa.String(length=16), nullable=True),
        sa.Column("private", sa.Boolean(), nullable=True),
        sa.Column("disabled", sa.Boolean(), nullable=True),
        sa.Column("license", sa.String(length=200), nullable=True),
        sa.Column("license_name", sa.String(length=200), nullable=True),
        sa.Column("license_link", sa.String(length=500), nullable=True),
        sa.Column("downloads", sa.BigInteger(), nullable=True),
        sa.Column("likes", sa.BigInteger(), nullable=True),
        sa.Column("safetensors_total", sa.BigInteger(), nullable=True),
        sa.Column("safetensors_parameters", sa.JSON(), nullable=True),
        sa.Column("quantized", sa.Boolean(), nullable=False),
        sa.Column("library_name", sa.String(length=100), nullable=True),
        sa.Column("pipeline_tag", sa.String(length=100), nullable=True),
        sa.Column("tags", sa.JSON(), nullable=True),
        sa.Column("base_models", sa.JSON(), nullable=True),
        sa.Column("config", sa.JSON(), nullable=True),
        sa.Column("config_note", sa.String(), nullable=True),
        sa.Column("synced_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("checked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("error", sa.String(), nullable=True),
        sa.PrimaryKeyConstraint("repo_id"),
        if_not_exists=True,
    )
    op.create_table(
        "license",
        sa.Column("id", sa.String(), nullable=False),
        sa.Column("name", sa.String(), nullable=False),
        sa.Column("hub_id", sa.String(), nullable=True),
        sa.Column("spdx", sa.String(), nullable=True),
        sa.Column("scancode_key", sa.String(), nullable=True),
        sa.Column("osi_approved", sa.Boolean(), nullable=False),
        sa.Column("mau_limit", sa.BigInteger(), nullable=True),
        sa.Column("commercial_use", sa.String(), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        if_not_exists=True,
    )
    op.create_index("ix_license_hub_id", "license", ["hub_id"], unique=False, if_not_exists=True)
    op.create_table(
        "meta",
        sa.Column("key", sa.String(), nullable=False),
        sa.Column("value", sa.String(), nullable=False),
        sa.PrimaryKeyConstraint("key"),
        if_not_exists=True,
    )
    op.create_table(
        "model",
        sa.Column("id", sa.String(), nullable=False),
        sa.Column("tier", sa.String(), nullable=False),
        sa.Column("name", sa.String(), nullable=False),
        sa.Column("family", sa.String(), nullable=False),
        sa.Column("family_key", sa.String(), nullable=False),
        sa.Column("publisher", sa.String(), nullable=False),
        sa.Column("release_date", sa.Date(), nullable=True),
        sa.Column("variant", sa.String(), nullable=False),
        sa.Column("params", sa.BigInteger(), nullable=True),
        sa.Column("active_params", sa.BigInteger(), nullable=True),
        sa.Column("context_length", sa.Integer(), nullable=True),
        sa.Column("architecture", sa.String(), nullable=True),
        sa.Column("hub_id", sa.String(), nullable=True),
        sa.Column("license", sa.String(), nullable=False),
        sa.Column("access", sa.String(), nullable=False),
        sa.Column("methods", sa.String(), nullable=False),
        sa.Column("search_text", sa.String(), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        if_not_exists=True,
    )
    op.create_index("ix_model_access", "model", ["access"], unique=False, if_not_exists=True)
    op.create_index(
        "ix_model_family_key", "model", ["family_key"], unique=False, if_not_exists=True
    )
    op.create_index("ix_model_hub_id", "model", ["hub_id"], unique=False, if_not_exists=True)
    op.create_index("ix_model_license", "model", ["license"], unique=False, if_not_exists=True)
    op.create_index(
        "ix_model_license_params", "model", ["license", "params"], unique=False, if_not_exists=True
    )
    op.create_index("ix_model_params", "model", ["params"], unique=False, if_not_exists=True)
    op.create_index(
        "ix_model_params_id", "model", ["params", "id"], unique=False, if_not_exists=True
    )
    op.create_index("ix_model_score_id", "model", ["score", "id"], unique=False, if_not_exists=True)
    op.create_index("ix_model_tier", "model", ["tier"], unique=False, if_not_exists=True)
    op.create_table(
        "saved_list",
        sa.Column("name", sa.String(), nullable=False),
        sa.Column("model_ids", sa.JSON(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("name"),
        if_not_exists=True,
    )
    op.create_table(
        "bench_run",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("catalog_id", sa.String(length=300), nullable=True),
        sa.Column("hub_id", sa.String(length=300), nullable=True),
        sa.Column("model", sa.String(), nullable=False),
        sa.Column("path", sa.String(), nullable=False),
        sa.Column("revision", sa.String(length=64), nullable=True),
        sa.Column("machine_fingerprint", sa.String(length=64), nullable=False),
        sa.Column("machine", sa.JSON(), nullable=False),
        sa.Column("device", sa.String(length=16), nullable=False),
        sa.Column("dtype", sa.String(length=16), nullable=False),
        sa.Column("weights_format", sa.String(length=32), nullable=False),
        sa.Column("prompt_tokens", sa.Integer(), nullable=False),
        sa.Column("gen_tokens", sa.Integer(), nullable=False),
        sa.Column("repeat", sa.Integer(), nullable=False),
        sa.Column("warmup", sa.Integer(), nullable=False),
        sa.Column("threads", sa.Integer(), nullable=False),
        sa.Column("trust_remote_code", sa.Boolean(), nullable=False),
        sa.Column("allow_pickle", sa.Boolean(), nullable=False),
        sa.Column("load_s", sa.Float(), nullable=False),
        sa.Column("prefill_tps_mean", sa.Float(), nullable=False),
        sa.Column("prefill_tps_std", sa.Float(), nullable=False),
        sa.Column("decode_tps_mean", sa.Float(), nullable=False),
        sa.Column("decode_tps_std", sa.Float(), nullable=False),
        sa.Column("ttft_s_mean", sa.Float(), nullable=False),
        sa.Column("ttft_s_std", sa.Float(), nullable=False),
        sa.Column("peak_memory_bytes", sa.BigInteger(), nullable=False),
        sa.Column("perplexity", sa.Float(), nullable=True),
        sa.Column("result", sa.JSON(), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["machine_fingerprint"],
            ["bench_machine.fingerprint"],
        ),
        sa.PrimaryKeyConstraint("id"),
        if_not_exists=True,
    )
    op.create_index(
        "ix_bench_run_catalog_started",
        "bench_run",
        ["catalog_id", "started_at"],
        unique=False,
        if_not_exists=True,
    )
    op.create_index(
        "ix_bench_run_hub_id", "bench_run", ["hub_id"], unique=False, if_not_exists=True
    )
    op.create_index(
        "ix_bench_run_machine_started",
        "bench_run",
        ["machine_fingerprint", "started_at"],
        unique=False,
        if_not_exists=True,
    )


def downgrade() -> None:
    for table in (
        "bench_run", "bench_machine", "hub_drift", "hub_lineage", "hub_snapshot",
        "saved_list", "model", "license", "meta",
    ):  # fmt: skip
        op.drop_table(table)

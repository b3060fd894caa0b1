"""Benchmark runs of several runtimes: ``bench_run.backend`` and ``bench_run.quantization``.

Runs are now measured with transformers, llama.cpp (GGUF files) or an OpenAI-compatible
server, so each run records its backend and the quantization of the weights, and the figures
a server cannot give (load time, peak memory of another process, prefill without the
server's own timings) may be null. Existing runs were all transformers runs: they are
backfilled with ``transformers`` and their dtype, so the store is upgraded in place.

Revision ID: 0005_bench_backends
Revises: 0004_model_shutdown
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005_bench_backends"
down_revision = "0004_model_shutdown"
branch_labels = None
depends_on = None

_MAY_BE_NULL = ("load_s", "prefill_tps_mean", "prefill_tps_std")


def upgrade() -> None:
    with op.batch_alter_table("bench_run") as batch:
        batch.add_column(
            sa.Column(
                "backend", sa.String(length=16), nullable=False, server_default="transformers"
            )
        )
        batch.add_column(sa.Column("quantization", sa.String(length=32), nullable=True))
        for name in _MAY_BE_NULL:
            batch.alter_column(name, existing_type=sa.Float(), nullable=True)
        batch.alter_column("peak_memory_bytes", existing_type=sa.BigInteger(), nullable=True)
    run = sa.table(
        "bench_run", sa.column("dtype", sa.String()), sa.column("quantization", sa.String())
    )
    op.get_bind().execute(sa.update(run).values(quantization=run.c.dtype))


def downgrade() -> None:
    run = sa.table("bench_run", sa.column("backend", sa.String()))
    op.get_bind().execute(sa.delete(run).where(run.c.backend != "transformers"))
    with op.batch_alter_table("bench_run") as batch:
        batch.alter_column("peak_memory_bytes", existing_type=sa.BigInteger(), nullable=False)
        for name in _MAY_BE_NULL:
            batch.alter_column(name, existing_type=sa.Float(), nullable=False)
        batch.drop_column("quantization")
        batch.drop_column("backend")

"""Tables of benchmark results: one row per complete run, one row per machine fingerprint.

A run is keyed by a UUID chosen before the insert, so a retried insert (a lost commit
acknowledgement, a second attempt after a lock timeout) finds its own row instead of adding a
second one. The headline figures are columns so listings and "best per model" sort in SQL; the
whole ``BenchResult.to_json()`` document is kept beside them so nothing measured is lost.

No foreign key points at ``model``: curated rows are deleted and re-inserted on every rebuild,
and a run must outlive that (its ``catalog_id`` is a plain, indexed reference).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, BigInteger, Column, DateTime, Index, Table
from sqlmodel import Field, SQLModel

from catalog.store.tables import TableModel


class MachineRow(TableModel, table=True):
    """A machine results were recorded on, keyed by ``MachineInfo.fingerprint``."""

    __tablename__ = "bench_machine"

    fingerprint: str = Field(primary_key=True, max_length=64)
    name: str | None = Field(default=None, index=True, max_length=200)
    """A user-given name (``--machine-name``); several fingerprints may share one, e.g. the
    same workstation before and after a torch upgrade."""
    info: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    """``MachineInfo.to_json()`` as last seen."""
    first_seen: dt.datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))
    last_seen: dt.datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))


class BenchRunRow(TableModel, table=True):
    """One complete benchmark run (a cancelled or failed run is never written)."""

    __tablename__ = "bench_run"
    __table_args__ = (
        Index("ix_bench_run_catalog_started", "catalog_id", "started_at"),
        Index("ix_bench_run_machine_started", "machine_fingerprint", "started_at"),
        Index("ix_bench_run_hub_id", "hub_id"),
    )

    id: str = Field(primary_key=True, max_length=36)
    """A UUID chosen by the writer before inserting: the idempotency key."""
    catalog_id: str | None = Field(default=None, max_length=300)
    hub_id: str | None = Field(default=None, max_length=300)
    model: str
    """How the result names the model: the Hub id when known, else the folder."""
    path: str
    revision: str | None = Field(default=None, max_length=64)
    machine_fingerprint: str = Field(foreign_key="bench_machine.fingerprint", max_length=64)
    machine: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    """``MachineInfo.to_json()`` of this run (it also holds what the hash leaves out)."""
    device: str = Field(max_length=16)
    dtype: str = Field(max_length=16)
    backend: str = Field(default="transformers", max_length=16)
    """``transformers``, ``llama-cpp`` or ``openai``."""
    quantization: str | None = Field(default=None, max_length=32)
    """The weights as stored: the torch dtype or the GGUF type (``Q4_K_M``)."""
    weights_format: str = Field(max_length=32)
    prompt_tokens: int
    gen_tokens: int
    repeat: int
    warmup: int
    threads: int
    trust_remote_code: bool = False
    allow_pickle: bool = False
    load_s: float | None = None
    """None for a server run (its model was loaded before)."""
    prefill_tps_mean: float | None = None
    """None for a server that reports no timings of its own."""
    prefill_tps_std: float | None = None
    decode_tps_mean: float
    decode_tps_std: float
    ttft_s_mean: float
    ttft_s_std: float
    peak_memory_bytes: int | None = Field(default=None, sa_column=Column(BigInteger, nullable=True))
    """None for a server run: its memory is another process's."""
    perplexity: float | None = None
    """None when the run's perplexity was not finite."""
    result: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    """The complete ``BenchResult.to_json()`` document."""
    started_at: dt.datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))
    recorded_at: dt.datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))


def _table(model: type[SQLModel]) -> Table:
    table = getattr(model, "__table__", None)  # set by SQLModel on table=True classes
    assert isinstance(table, Table)
    return table


BENCH_MACHINE = _table(MachineRow)
BENCH_RUN = _table(BenchRunRow)
BENCH_TABLES = (BENCH_MACHINE, BENCH_RUN)
"""In creation order (runs refer to machines)."""

"""Tables of the Hub sync: what the Hub said about each repo, its lineage, and drift.

Hub data never goes into the curated ``model`` rows: a rebuild from the YAML files would lose
it, and a curated judgment must never be overwritten by what the Hub says. These tables are
keyed by Hub repo id (snapshots, lineage) or catalog id (drift) and survive rebuilds.

No foreign keys point at ``model``: curated rows are deleted and re-inserted on every rebuild.
Counts that can pass 2^31 (downloads, parameter totals) are BigInteger for PostgreSQL.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, BigInteger, Column, DateTime, Index, Table
from sqlmodel import Field, SQLModel

from catalog.store.tables import TableModel


class HubSnapshotRow(TableModel, table=True):
    """What the Hub said about one repo at the last sync (``repo_id`` as modelcat asked for it)."""

    __tablename__ = "hub_snapshot"

    repo_id: str = Field(primary_key=True, max_length=300)
    sha: str | None = Field(default=None, max_length=64)
    """The commit of the default branch when last fetched in full; None until then."""
    last_modified: dt.datetime | None = Field(
        default=None, sa_column=Column(DateTime(timezone=True), nullable=True)
    )
    created_at: dt.datetime | None = Field(
        default=None, sa_column=Column(DateTime(timezone=True), nullable=True)
    )
    gated: str | None = Field(default=None, max_length=16)
    """``false``, ``auto`` or ``manual`` as the Hub says; None when unknown."""
    private: bool | None = None
    disabled: bool | None = None
    license: str | None = Field(default=None, max_length=200)
    license_name: str | None = Field(default=None, max_length=200)
    license_link: str | None = Field(default=None, max_length=500)
    downloads: int | None = Field(default=None, sa_column=Column(BigInteger, nullable=True))
    likes: int | None = Field(default=None, sa_column=Column(BigInteger, nullable=True))
    safetensors_total: int | None = Field(default=None, sa_column=Column(BigInteger, nullable=True))
    safetensors_parameters: dict[str, Any] | None = Field(
        default=None, sa_column=Column(JSON, nullable=True)
    )
    quantized: bool = False
    library_name: str | None = Field(default=None, max_length=100)
    pipeline_tag: str | None = Field(default=None, max_length=100)
    tags: list[str] | None = Field(default=None, sa_column=Column(JSON, nullable=True))
    base_models: list[str] | None = Field(default=None, sa_column=Column(JSON, nullable=True))
    config: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON, nullable=True))
    """The full config.json at ``sha`` (None for discovered repos and unreadable configs)."""
    config_note: str | None = None
    """Why ``config`` is missing although the repo was fetched (gated without access, ...)."""
    synced_at: dt.datetime | None = Field(
        default=None, sa_column=Column(DateTime(timezone=True), nullable=True)
    )
    """When the repo was last fetched in full (info and config) or discovered."""
    checked_at: dt.datetime | None = Field(
        default=None, sa_column=Column(DateTime(timezone=True), nullable=True)
    )
    """When the Hub was last asked about the repo (a cheap check counts)."""
    error: str | None = None
    """Why the last attempt failed; None after a success. The other fields stay as they were."""


class HubLineageRow(TableModel, table=True):
    """One base model a repo declares (card ``base_model``, ``baseModels``, ``base_model:`` tags)."""

    __tablename__ = "hub_lineage"
    __table_args__ = (Index("ix_hub_lineage_base", "base_repo_id"),)

    repo_id: str = Field(primary_key=True, max_length=300)
    base_repo_id: str = Field(primary_key=True, max_length=300)
    relation: str | None = Field(default=None, max_length=32)
    """``finetune``, ``quantized``, ``adapter``, ``merge`` when the Hub says; else None."""
    position: int = 0
    """Order of declaration (the first is the primary base)."""


class HubDriftRow(TableModel, table=True):
    """Where the Hub disagrees with a curated judgment (recorded, never applied)."""

    __tablename__ = "hub_drift"

    model_id: str = Field(primary_key=True, max_length=300)
    field: str = Field(primary_key=True, max_length=32)
    """``license``, ``access`` or ``params``."""
    curated: Any = Field(default=None, sa_column=Column(JSON, nullable=True))
    hub: Any = Field(default=None, sa_column=Column(JSON, nullable=True))
    detail: str | None = None
    """How the Hub value was read, e.g. which parameter figures were compared."""
    detected_at: dt.datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))


def _table(model: type[SQLModel]) -> Table:
    table = getattr(model, "__table__", None)  # set by SQLModel on table=True classes
    assert isinstance(table, Table)
    return table


HUB_SNAPSHOT = _table(HubSnapshotRow)
HUB_LINEAGE = _table(HubLineageRow)
HUB_DRIFT = _table(HubDriftRow)
HUB_TABLES = (HUB_SNAPSHOT, HUB_LINEAGE, HUB_DRIFT)

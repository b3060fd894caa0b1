"""All ``table=True`` models of the core store.

Rows stay inside ``catalog.store``; callers get ``catalog.domain`` objects. Bulky nested data
(sources, API pricing, license terms) is kept as JSON beside the indexed columns that queries use.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, BigInteger, Boolean, Column, DateTime, Index, Table, Text
from sqlmodel import Field, SQLModel

SCHEMA_VERSION = "3"


class TableModel(SQLModel):
    """The base of every table model: only its ``__table__`` is used (rows are read and written
    with SQLAlchemy Core), so pydantic's validation schema is never built for it, which halves
    the cost of defining the tables at every start."""

    model_config = {"defer_build": True}


class MetaRow(TableModel, table=True):
    """Key/value facts about the store itself (schema version, curated digest, build time)."""

    __tablename__ = "meta"

    key: str = Field(primary_key=True)
    value: str


class LicenseRow(TableModel, table=True):
    """One license and its structured terms."""

    __tablename__ = "license"

    id: str = Field(primary_key=True)
    name: str
    hub_id: str | None = Field(default=None, index=True)
    spdx: str | None = None
    scancode_key: str | None = None
    osi_approved: bool = False
    mau_limit: int | None = Field(default=None, sa_column=Column(BigInteger, nullable=True))
    commercial_use: str = "unknown"
    data: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))


class ModelRow(TableModel, table=True):
    """One model: curated from the YAML files, or discovered on the Hub (``tier='hub'``)."""

    __tablename__ = "model"
    __table_args__ = (
        Index("ix_model_score_id", "score", "id"),
        Index("ix_model_params_id", "params", "id"),
        Index("ix_model_license_params", "license", "params"),
        # A family's best models without sorting all of it (72,000 rows of one family at 1M).
        Index("ix_model_family_score_id", "family_key", "score", "id"),
    )

    id: str = Field(primary_key=True)
    tier: str = Field(default="curated", index=True)
    name: str
    family: str
    family_key: str
    publisher: str
    release_date: dt.date | None = None
    variant: str
    params: int | None = Field(
        default=None, sa_column=Column(BigInteger, nullable=True, index=True)
    )
    active_params: int | None = Field(default=None, sa_column=Column(BigInteger, nullable=True))
    context_length: int | None = None
    architecture: str | None = None
    hub_id: str | None = Field(default=None, index=True)
    hub_key: str | None = Field(default=None, index=True)
    """``hub_id`` lower-cased: Hub ids are case-insensitive, and an index needs a plain column."""
    license: str = Field(index=True)
    access: str = Field(index=True)
    methods: str = ""
    """Tuning methods as ``|full|lora|`` so one LIKE finds a method without a join."""
    search_text: str = ""
    score: float = 0.0
    shutdown_date: dt.date | None = None
    """The day the vendor stops serving the model (``shortlist`` leaves it out from then on)."""
    bound_licenses: str = ""
    """Every license that binds a Hub-tier derivative (its own and its base models', as
    ``|id|id|``; ``catalog.store.lineage_index``); empty when its own license alone decides."""
    fit_basis: str | None = None
    """``config`` or ``params``: what the ``fit_*`` coefficients come from (``catalog.fit.coefficients``);
    None when nothing can be estimated (API-only, unknown size)."""
    fit_total: int | None = Field(default=None, sa_column=Column(BigInteger, nullable=True))
    fit_linear: int | None = Field(default=None, sa_column=Column(BigInteger, nullable=True))
    fit_kv: int | None = Field(default=None, sa_column=Column(BigInteger, nullable=True))
    fit_act: int | None = Field(default=None, sa_column=Column(BigInteger, nullable=True))
    fit_fixed: int | None = Field(default=None, sa_column=Column(BigInteger, nullable=True))
    fit_max_context: int | None = Field(default=None, sa_column=Column(BigInteger, nullable=True))
    data: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    """The full ``Model.to_json()`` document."""
    listing: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    """The line a JSON listing writes for the model (``catalog.store.convert.listing_line``);
    None for a row written before it existed (its document is encoded when read)."""
    listing_dated: bool | None = Field(default=None, sa_column=Column(Boolean, nullable=True))
    """The line's ``status`` is worked out again on the day it is read (a lifecycle); None
    with the line."""


class SavedListRow(TableModel, table=True):
    """A named shortlist (the TUI's marked models live under ``default``)."""

    __tablename__ = "saved_list"

    name: str = Field(primary_key=True)
    model_ids: list[str] = Field(sa_column=Column(JSON, nullable=False))
    updated_at: dt.datetime
    query: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON, nullable=True))
    """How the list was made (``shortlist --save``: filters, sort, top, fit options); None for
    a hand-picked list."""


class SavedPolicyRow(TableModel, table=True):
    """A team license policy saved under a name (``modelcat license policy save``)."""

    __tablename__ = "saved_policy"

    name: str = Field(primary_key=True, max_length=200)
    text: str = Field(sa_column=Column(Text, nullable=False))
    """The policy YAML exactly as saved (validated when saved and again when used)."""
    updated_at: dt.datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))


def _table(model: type[SQLModel]) -> Table:
    table = getattr(model, "__table__", None)  # set by SQLModel on table=True classes
    assert isinstance(table, Table)
    return table


# Core tables: queries use these for typed columns and bulk statements without ORM overhead.
META = _table(MetaRow)
LICENSE = _table(LicenseRow)
MODEL = _table(ModelRow)
SAVED_LIST = _table(SavedListRow)
SAVED_POLICY = _table(SavedPolicyRow)

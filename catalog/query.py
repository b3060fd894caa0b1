"""Filters and sorting for ``list``/``shortlist``, shared by the CLI, the TUI and the Python API.

Everything a filter needs is an indexed column (or a tiny lookup in the license table), so a
filtered, sorted page of a store with a million models is a single query.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from sqlalchemy import Select, and_, false, not_, or_, select
from sqlalchemy.engine import Connection

from catalog.errors import UsageError
from catalog.schema import ACCESS_MODES, TUNING_METHODS, VARIANTS
from catalog.store.convert import family_key
from catalog.store.tables import LICENSE, MODEL

TIERS = ("curated", "hub")
SORT_KEYS = (
    "score",
    "id",
    "name",
    "family",
    "params",
    "active_params",
    "context_length",
    "release_date",
    "license",
    "access",
)

NULLABLE_SORT_KEYS = ("params", "active_params", "context_length", "release_date")


@dataclass(frozen=True)
class Filters:
    """What to keep. Empty tuples and ``None`` mean "no constraint"."""

    family: tuple[str, ...] = ()
    license: tuple[str, ...] = ()
    access: tuple[str, ...] = ()
    tunable: tuple[str, ...] = ()
    """Every listed tuning method must be supported."""
    commercial: bool = False
    """Keep models whose license grants commercial use (at ``mau`` users when given)."""
    mau: int | None = None
    min_params: int | None = None
    max_params: int | None = None
    search: str | None = None
    tier: tuple[str, ...] = ()
    variant: tuple[str, ...] = ()
    ids: tuple[str, ...] | None = None
    """Restrict to these ids (e.g. the compliance-checked set); ``None`` means all."""
    use: Any = None
    """An intended use (``catalog.licenses.IntendedUse``): keep models not ``forbidden`` for it."""
    hide_retired: bool = False
    """Leave out models whose vendor has stopped serving them (``shortlist`` does by default)."""

    def __post_init__(self) -> None:
        _check_choices("access", self.access, ACCESS_MODES)
        _check_choices("tunable", self.tunable, TUNING_METHODS)
        _check_choices("tier", self.tier, TIERS)
        _check_choices("variant", self.variant, VARIANTS)
        for name in ("mau", "min_params", "max_params"):
            value = getattr(self, name)
            if value is not None and value < 0:
                raise UsageError(f"`{name}` must not be negative, got {value}")
        if (
            self.min_params is not None
            and self.max_params is not None
            and self.min_params > self.max_params
        ):
            raise UsageError("`min_params` is larger than `max_params`: nothing could match")

    def active(self) -> dict[str, Any]:
        """The filters that constrain something, by name (for status lines and JSON)."""
        out: dict[str, Any] = {}
        for name in Filters.__dataclass_fields__:
            value = getattr(self, name)
            if value in (None, (), False, ""):
                continue
            if name == "use":
                value = value.to_json()
            out[name] = list(value) if isinstance(value, tuple) else value
        return out

    def without(self, name: str) -> Filters:
        """The same filters with ``name`` reset (used to explain an empty result)."""
        default: Any = Filters.__dataclass_fields__[name].default
        return replace(self, **{name: default})


@dataclass(frozen=True)
class Sort:
    """A sort key and direction, parsed from ``key`` or ``key:asc|desc``."""

    key: str = "id"
    descending: bool = False

    @classmethod
    def parse(cls, text: str | None, *, default: Sort) -> Sort:
        """Parse ``params:desc``; ``None`` gives ``default``."""
        if not text:
            return default
        key, _, direction = text.partition(":")
        key = key.strip().lower().replace("-", "_")
        if key not in SORT_KEYS:
            raise UsageError(f"unknown sort key {key!r} (choose from {', '.join(SORT_KEYS)})")
        if direction not in ("", "asc", "desc"):
            raise UsageError(f"unknown sort direction {direction!r} (use asc or desc)")
        descending = direction == "desc" if direction else key in ("score", "release_date")
        return cls(key=key, descending=descending)


@dataclass
class LicenseFacts:
    """The few license columns filters need, read once per catalog."""

    commercial: dict[str, str] = field(default_factory=dict)
    mau_limit: dict[str, int | None] = field(default_factory=dict)
    hub_ids: dict[str, str] = field(default_factory=dict)

    @classmethod
    def read(cls, conn: Connection) -> LicenseFacts:
        """Read the license table."""
        facts = cls()
        for lid, commercial, mau, hub in conn.execute(
            select(LICENSE.c.id, LICENSE.c.commercial_use, LICENSE.c.mau_limit, LICENSE.c.hub_id)
        ):
            facts.commercial[lid] = commercial
            facts.mau_limit[lid] = mau
            if hub and hub != "other":
                facts.hub_ids[hub.lower()] = lid
        return facts

    def commercial_licenses(self, mau: int | None) -> list[str]:
        """Licenses that grant commercial use at ``mau`` monthly active users."""
        out = []
        for lid, value in self.commercial.items():
            if value not in ("yes", "conditional"):
                continue
            limit = self.mau_limit.get(lid)
            if mau is not None and limit is not None and mau > limit:
                continue
            out.append(lid)
        return out

    def resolve(self, name: str) -> str:
        """Accept a license id or its Hub id (``Apache-2.0``, ``llama2``)."""
        lowered = name.strip().lower()
        if lowered in self.commercial:
            return lowered
        return self.hub_ids.get(lowered, lowered)


def build_select(
    filters: Filters,
    facts: LicenseFacts,
    columns: Iterable[Any],
    *,
    permitted: Mapping[str, frozenset[tuple[bool, bool]]] | None = None,
) -> Select[Any]:
    """A SELECT of ``columns`` from the model table with every filter applied.

    ``permitted`` (needed when ``filters.use`` is set) maps a license id to the
    ``(is_api, vendor_finetune)`` kinds of model for which the intended use is not forbidden.
    """
    conds: list[Any] = []
    if filters.use is not None:
        if permitted is None:
            raise ValueError("filters.use needs the permitted license kinds")
        conds.append(permitted_condition(permitted))
    if filters.family:
        conds.append(MODEL.c.family_key.in_([family_key(f) for f in filters.family]))
    if filters.license:
        conds.append(MODEL.c.license.in_([facts.resolve(lic) for lic in filters.license]))
    if filters.access:
        conds.append(MODEL.c.access.in_(list(filters.access)))
    for method in filters.tunable:
        conds.append(MODEL.c.methods.contains(f"|{method}|"))
    if filters.commercial or filters.mau is not None:
        allowed = facts.commercial_licenses(filters.mau)
        conds.append(MODEL.c.license.in_(allowed) if allowed else false())
    if filters.min_params is not None:
        conds.append(MODEL.c.params >= filters.min_params)
    if filters.max_params is not None:
        conds.append(MODEL.c.params <= filters.max_params)
    if filters.search:
        needle = filters.search.strip().lower()
        conds.append(MODEL.c.search_text.contains(needle, autoescape=True))
    if filters.tier:
        conds.append(MODEL.c.tier.in_(list(filters.tier)))
    if filters.variant:
        conds.append(MODEL.c.variant.in_(list(filters.variant)))
    if filters.ids is not None:
        conds.append(MODEL.c.id.in_(list(filters.ids)) if filters.ids else false())
    if filters.hide_retired:
        today = dt.date.today()
        conds.append(or_(MODEL.c.shutdown_date.is_(None), MODEL.c.shutdown_date > today))
    stmt = select(*columns)
    return stmt.where(and_(*conds)) if conds else stmt


def permitted_condition(permitted: Mapping[str, frozenset[tuple[bool, bool]]]) -> Any:
    """SQL for "the model's license permits the use for a model of its kind".

    A compliance verdict depends only on the license, on whether the model is API-only and on
    whether its vendor offers fine-tuning; so a handful of judgments turn into one condition.
    """
    everything = frozenset((api, ft) for api in (False, True) for ft in (False, True))
    whole = [lid for lid, kinds in permitted.items() if kinds == everything]
    parts: list[Any] = [MODEL.c.license.in_(whole)] if whole else []
    is_api = MODEL.c.access == "api"
    vendor_ft = MODEL.c.methods.contains("|api-finetune|")
    for lid, kinds in permitted.items():
        if kinds == everything:
            continue
        for api, ft in kinds:
            parts.append(
                and_(
                    MODEL.c.license == lid,
                    is_api if api else not_(is_api),
                    vendor_ft if ft else not_(vendor_ft),
                )
            )
    return or_(*parts) if parts else false()


def order(stmt: Select[Any], sort: Sort) -> Select[Any]:
    """Apply ``sort`` with the id as a stable tie-breaker; missing values sort last.

    The tie-breaker follows the primary direction so one index on ``(key, id)`` serves the whole
    ORDER BY, and a ranked page of a large store stops after ``top`` rows.
    """
    column = MODEL.c[sort.key]
    primary = column.desc() if sort.descending else column.asc()
    if sort.key == "id":
        return stmt.order_by(primary)
    tie = MODEL.c.id.desc() if sort.descending else MODEL.c.id.asc()
    if sort.key in NULLABLE_SORT_KEYS:
        primary = primary.nulls_last()
    return stmt.order_by(primary, tie)


def _check_choices(name: str, values: tuple[str, ...], choices: tuple[str, ...]) -> None:
    for value in values:
        if value not in choices:
            raise UsageError(f"unknown {name} {value!r} (choose from {', '.join(choices)})")


__all__ = ["SORT_KEYS", "TIERS", "Filters", "LicenseFacts", "Sort", "build_select", "order"]

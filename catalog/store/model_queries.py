"""SQL over the ``model`` and ``license`` tables: the one place filters become WHERE clauses.

The search engine (``catalog.search.engine``) turns ``Filters`` into :class:`Criteria`: plain
values with every judgment already made in Python (which licenses a use permits, the dtypes and
memory of a fit). This module turns criteria into SQL, so a filtered, sorted page of a store with
a million models is one indexed query, on SQLite and PostgreSQL alike.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    Select,
    and_,
    case,
    false,
    func,
    literal,
    not_,
    or_,
    select,
)
from sqlalchemy.engine import Connection

from catalog.fit.coefficients import FitCoefficients, required_bytes
from catalog.store.search_index import contains
from catalog.store.tables import LICENSE, MODEL

FIT_COLUMNS = (
    MODEL.c.fit_basis,
    MODEL.c.fit_total,
    MODEL.c.fit_linear,
    MODEL.c.fit_kv,
    MODEL.c.fit_act,
    MODEL.c.fit_fixed,
    MODEL.c.fit_max_context,
)
NULLABLE_KEYS = ("params", "active_params", "context_length", "release_date")
RELEVANCE = "relevance"
"""The order of a text search: how well the text matches, then curated first, then score."""


@dataclass(frozen=True)
class LicenseRule:
    """Which licenses may bind a kept model: its own, or every one its lineage binds it by."""

    allowed: frozenset[str]
    every: frozenset[str]
    """Every license id of the store (the ones not allowed are the forbidden ones)."""


@dataclass(frozen=True)
class KindRule:
    """A license rule for one kind of model (API-only or not, vendor fine-tuning or not)."""

    api: bool
    vendor_finetune: bool
    rule: LicenseRule


@dataclass(frozen=True)
class FitRule:
    """Inference at one of ``dtypes`` and ``context`` needs at most ``free_bytes``."""

    dtypes: tuple[str, ...]
    context: int | None
    free_bytes: int


@dataclass(frozen=True)
class Criteria:
    """A filter with every spelling resolved and every judgment made (see the module docstring)."""

    family_keys: tuple[str, ...] = ()
    licenses: tuple[str, ...] = ()
    access: tuple[str, ...] = ()
    methods: tuple[str, ...] = ()
    commercial: LicenseRule | None = None
    use: tuple[KindRule, ...] | None = None
    min_params: int | None = None
    max_params: int | None = None
    needle: str | None = None
    tiers: tuple[str, ...] = ()
    variants: tuple[str, ...] = ()
    ids: tuple[str, ...] | None = None
    served_on: dt.date | None = None
    """Keep models still served on this day (None: retired models too)."""
    fit: FitRule | None = None


@dataclass(frozen=True)
class Order:
    """A sort column and direction; the id breaks ties in the same direction."""

    key: str
    descending: bool


def where(criteria: Criteria, conn: Connection) -> list[Any]:
    """The WHERE conditions of ``criteria`` (empty: everything)."""
    c = criteria
    conds: list[Any] = []
    if c.use is not None:
        conds.append(or_(*[_kind(k) for k in c.use]) if c.use else false())
    if c.family_keys:
        conds.append(MODEL.c.family_key.in_(c.family_keys))
    if c.licenses:
        conds.append(MODEL.c.license.in_(c.licenses))
    if c.access:
        conds.append(MODEL.c.access.in_(c.access))
    for method in c.methods:
        conds.append(MODEL.c.methods.contains(f"|{method}|"))
    if c.commercial is not None:
        conds.append(_licensed(c.commercial))
    if c.min_params is not None:
        conds.append(MODEL.c.params >= c.min_params)
    if c.max_params is not None:
        conds.append(MODEL.c.params <= c.max_params)
    if c.needle:
        conds.append(contains(conn, c.needle))
    if c.tiers:
        conds.append(MODEL.c.tier.in_(c.tiers))
    if c.variants:
        conds.append(MODEL.c.variant.in_(c.variants))
    if c.ids is not None:
        conds.append(MODEL.c.id.in_(c.ids) if c.ids else false())
    if c.served_on is not None:
        conds.append(or_(MODEL.c.shutdown_date.is_(None), MODEL.c.shutdown_date > c.served_on))
    if c.fit is not None:
        conds.append(_fits(c.fit))
    return conds


def _licensed(rule: LicenseRule) -> Any:
    """The model's own license is allowed, or, for a derivative, no license binding it is forbidden."""
    forbidden = sorted(rule.every - rule.allowed)
    own = MODEL.c.license.in_(sorted(rule.allowed)) if rule.allowed else false()
    bound = MODEL.c.bound_licenses
    clean = [not_(bound.contains(f"|{lid}|", autoescape=True)) for lid in forbidden]
    return or_(and_(bound == "", own), and_(bound != "", *clean))


def _kind(kind: KindRule) -> Any:
    is_api = MODEL.c.access == "api"
    vendor_ft = MODEL.c.methods.contains("|api-finetune|")
    return and_(
        is_api if kind.api else not_(is_api),
        vendor_ft if kind.vendor_finetune else not_(vendor_ft),
        _licensed(kind.rule),
    )


def _fits(rule: FitRule) -> Any:
    """Inference memory (``catalog.fit.coefficients.required_bytes`` on the columns) fits."""
    from catalog.fit.coefficients import DEFAULT_CONTEXT

    m = MODEL.c
    if rule.context is not None:
        tokens: Any = literal(rule.context)
    else:
        tokens = case(
            (and_(m.fit_max_context > 0, m.fit_max_context < DEFAULT_CONTEXT), m.fit_max_context),
            else_=literal(DEFAULT_CONTEXT),
        )
    needs = [
        required_bytes(
            total=m.fit_total,
            linear=m.fit_linear,
            kv=m.fit_kv,
            act=m.fit_act,
            fixed=m.fit_fixed,
            tokens=tokens,
            dtype=dtype,
        )
        <= rule.free_bytes
        for dtype in rule.dtypes
    ]
    return and_(m.fit_basis.is_not(None), or_(*needs))


def ordered(stmt: Select[Any], order: Order) -> Select[Any]:
    """Apply ``order`` with the id as a stable tie-breaker; missing values sort last.

    The tie-breaker follows the primary direction so one index on ``(key, id)`` serves the whole
    ORDER BY, and a ranked page of a large store stops after ``top`` rows.
    """
    column = MODEL.c[order.key]
    primary = column.desc() if order.descending else column.asc()
    if order.key == "id":
        return stmt.order_by(primary)
    tie = MODEL.c.id.desc() if order.descending else MODEL.c.id.asc()
    if order.key in NULLABLE_KEYS:
        primary = primary.nulls_last()
    return stmt.order_by(primary, tie)


@dataclass(frozen=True)
class Row:
    """A model document and its fit coefficients, as one page query reads them."""

    data: dict[str, Any]
    fit: FitCoefficients | None


def page(
    conn: Connection,
    criteria: Criteria,
    order: Order,
    *,
    limit: int | None,
    offset: int = 0,
) -> list[Row]:
    """One sorted page of the models matching ``criteria``."""
    if order.key == RELEVANCE and criteria.needle:
        return _ranked_page(conn, criteria, limit=limit, offset=offset)
    stmt: Select[Any] = select(MODEL.c.data, *FIT_COLUMNS).where(*where(criteria, conn))
    stmt = ordered(stmt, order)
    if limit is not None:
        stmt = stmt.limit(limit)
    if offset:
        stmt = stmt.offset(offset)
    return [_row(r._mapping) for r in conn.execute(stmt)]


def _ranked_page(
    conn: Connection, criteria: Criteria, *, limit: int | None, offset: int
) -> list[Row]:
    """Text matches best first: the id, Hub id or (curated) name equal to the text, then those
    starting with it, then the rest; curated before Hub-tier within each, then by score.

    Each part is its own indexed query (equality and range look-ups on ``id``, ``hub_key`` and
    the few curated names; a walk of the ranking index for the rest), so the first page of a
    common text never sorts all of its matches.
    """
    needle = criteria.needle
    assert needle is not None
    conds = where(criteria, conn)
    want = None if limit is None else offset + limit
    curated = MODEL.c.tier == "curated"
    name = func.lower(MODEL.c.name)
    exact_keys = or_(MODEL.c.id == needle, MODEL.c.hub_key == needle)
    exact_name = and_(curated, name == needle)
    exact = or_(exact_keys, exact_name)
    starts_keys = or_(_starts(MODEL.c.id, needle, conn), _starts(MODEL.c.hub_key, needle, conn))
    starts_name = and_(curated, name.startswith(needle, autoescape=True))
    starts = or_(starts_keys, starts_name)
    best = _merged(conn, [([*conds, exact_keys], False), ([*conds, exact_name], True)], want)
    best += _merged(
        conn,
        [([*conds, starts_keys, _isnt(exact)], False), ([*conds, starts_name, _isnt(exact)], True)],
        want,
    )
    rows = best[offset:]
    offset = max(0, offset - len(best))
    for tier in (curated, not_(curated)):
        if limit is not None and len(rows) >= limit:
            break
        extra = [*conds, tier, _isnt(starts)]
        if offset:
            found = count_where(conn, extra, cap=offset)
            if found <= offset:
                offset -= found
                continue
        stmt: Select[Any] = select(MODEL.c.data, *FIT_COLUMNS).where(*extra)
        stmt = stmt.order_by(_score(tier is curated).desc(), MODEL.c.id.desc())
        if tier is curated:
            stmt = _curated_only(conn, stmt)
        if limit is not None:
            stmt = stmt.limit(limit - len(rows))
        if offset:
            stmt, offset = stmt.offset(offset), 0
        rows.extend(_row(r._mapping) for r in conn.execute(stmt))
    return rows if limit is None else rows[:limit]


def _isnt(condition: Any) -> Any:
    """NOT ``condition``, where unknown counts as false: a model without a Hub id has a NULL
    ``hub_key``, and ``NOT (hub_key = 'x')`` would be unknown too, dropping the row."""
    return not_(func.coalesce(condition, false()))


def _merged(conn: Connection, queries: list[tuple[list[Any], bool]], want: int | None) -> list[Row]:
    """The rows of a few small queries (``True``: of curated rows only), without repeats:
    curated first, then by score."""
    found: dict[str, tuple[tuple[int, float], Row]] = {}
    for conds, curated_only in queries:
        stmt: Select[Any] = select(
            MODEL.c.id, MODEL.c.tier, MODEL.c.score, MODEL.c.data, *FIT_COLUMNS
        )
        # The same order as the merge below, ties included: a LIMIT must cut the same rows.
        stmt = stmt.where(*conds).order_by(
            MODEL.c.tier.asc(), _score(True).desc(), MODEL.c.id.desc()
        )
        if curated_only:
            stmt = _curated_only(conn, stmt)
        if want is not None:
            stmt = stmt.limit(want)
        for r in conn.execute(stmt):
            found[r.id] = ((0 if r.tier == "curated" else 1, -float(r.score)), _row(r._mapping))
    # Ties on score fall to the id, descending, as the ranking index orders them.
    by_id = sorted(found.items(), key=lambda item: item[0], reverse=True)
    ranked = sorted(by_id, key=lambda item: item[1][0])
    rows = [row for _, (_, row) in ranked]
    return rows if want is None else rows[:want]


def _curated_only(conn: Connection, stmt: Select[Any]) -> Select[Any]:
    """Only the (few) curated rows, looked up by id: with two tiers, the tier index looks
    unselective to SQLite, which would rather walk another index over every Hub-tier row."""
    ids = [i for (i,) in conn.execute(select(MODEL.c.id).where(MODEL.c.tier == "curated"))]
    return stmt.where(MODEL.c.id.in_(ids))


def _score(few: bool) -> Any:
    """The score to order by; ``few``: the rows are few (curated, or found by key), so the
    ranking index must not be walked to order them (``+ 0`` keeps the planner off it)."""
    return MODEL.c.score + 0 if few else MODEL.c.score


def _starts(column: Any, needle: str, conn: Connection) -> Any:
    like = column.startswith(needle, autoescape=True)
    if conn.dialect.name != "sqlite":
        return like
    # A range on the column's own index finds them; the LIKE keeps the answer exact.
    return and_(column >= needle, column < needle + "\uffff", like)


def _row(values: Any) -> Row:
    data = values["data"]
    if isinstance(data, str):
        import json

        data = json.loads(data)
    return Row(data, FitCoefficients.from_columns(values))


def count(conn: Connection, criteria: Criteria, *, cap: int | None = None) -> int:
    """How many models match; with ``cap``, counting stops at ``cap + 1``."""
    return count_where(conn, where(criteria, conn), cap=cap)


def count_where(conn: Connection, conds: list[Any], *, cap: int | None = None) -> int:
    """How many rows meet ``conds``; with ``cap``, counting stops at ``cap + 1``."""
    if cap is None:
        stmt = select(func.count()).select_from(MODEL).where(*conds)
        return int(conn.execute(stmt).scalar_one())
    inner = select(literal(1)).select_from(MODEL).where(*conds).limit(cap + 1).subquery()
    return int(conn.execute(select(func.count()).select_from(inner)).scalar_one())


def by_id(conn: Connection, key: str) -> dict[str, Any] | None:
    """A model document by catalog id or Hub id (lower-cased ``key``), curated first."""
    row = conn.execute(select(MODEL.c.data).where(MODEL.c.id == key)).first()
    if row is None:
        row = conn.execute(
            select(MODEL.c.data).where(MODEL.c.hub_key == key).order_by(MODEL.c.tier.asc())
        ).first()
    return _row({"data": row[0]}).data if row is not None else None


def id_candidates(conn: Connection, key: str) -> list[str]:
    """Ids worth suggesting for an unknown ``key``: every curated id, and ids sharing its prefix."""
    ids = [i for (i,) in conn.execute(select(MODEL.c.id).where(MODEL.c.tier == "curated"))]
    prefix = key[:3]
    if prefix:
        more = select(MODEL.c.id).where(MODEL.c.id.startswith(prefix)).limit(5000)
        ids.extend(i for (i,) in conn.execute(more))
    return list(dict.fromkeys(ids))


def family_exists(conn: Connection, key: str) -> bool:
    """True when some model has the family key ``key`` (one index probe)."""
    stmt = select(literal(1)).where(MODEL.c.family_key == key).limit(1)
    return conn.execute(stmt).first() is not None


def family_names(conn: Connection) -> list[str]:
    """Distinct family names, sorted."""
    stmt = select(MODEL.c.family).distinct().order_by(MODEL.c.family)
    return [f for (f,) in conn.execute(stmt)]


def license_documents(conn: Connection) -> list[dict[str, Any]]:
    """Every stored license document, by id."""
    rows = conn.execute(select(LICENSE.c.data).order_by(LICENSE.c.id))
    return [_row({"data": data}).data for (data,) in rows]


def ids_in(conn: Connection, ids: Sequence[str]) -> list[dict[str, Any]]:
    """The documents of the models among ``ids`` (any order)."""
    found: list[dict[str, Any]] = []
    for i in range(0, len(ids), 500):
        stmt = select(MODEL.c.data).where(MODEL.c.id.in_(ids[i : i + 500]))
        found.extend(_row({"data": d}).data for (d,) in conn.execute(stmt))
    return found


__all__ = [
    "Criteria",
    "FitRule",
    "KindRule",
    "LicenseRule",
    "Order",
    "Row",
    "by_id",
    "count",
    "family_exists",
    "family_names",
    "id_candidates",
    "ids_in",
    "license_documents",
    "ordered",
    "page",
    "where",
]

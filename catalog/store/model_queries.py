"""SQL over the ``model`` and ``license`` tables: the one place filters become WHERE clauses.

The search engine (``catalog.search.engine``) turns ``Filters`` into :class:`Criteria`: plain
values with every judgment already made in Python (which licenses a use permits, the dtypes and
memory of a fit). This module turns criteria into SQL, so a filtered, sorted page of a store with
a million models is one indexed query, on SQLite and PostgreSQL alike.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    Select,
    Text,
    and_,
    case,
    event,
    false,
    func,
    literal,
    not_,
    or_,
    select,
    text,
    type_coerce,
)
from sqlalchemy.engine import Connection

from catalog.fit.coefficients import FitCoefficients, required_bytes
from catalog.listing import row_line
from catalog.render import JsonText
from catalog.store.search_index import matches
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


def where(criteria: Criteria, conn: Connection, *, every: bool = False) -> list[Any]:
    """The WHERE conditions of ``criteria`` (empty: everything); ``every``: for counting every
    match rather than reading the first few (the text condition takes another form)."""
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
        conds.append(matches(conn, c.needle, every=every))
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
    """One sorted page of the models matching ``criteria`` (a ranked text search:
    ``catalog.store.ranked_page``)."""
    stmt = _selected((MODEL.c.data, *FIT_COLUMNS), conn, criteria, order, limit)
    if offset:
        stmt = stmt.offset(offset)
    return [row(r._mapping) for r in conn.execute(stmt)]


STREAM_PAGE = 500
"""Rows fetched from the database at a time while a listing is streamed (:func:`stream`)."""


def stream(
    conn: Connection,
    criteria: Criteria,
    order: Order,
    *,
    limit: int | None = None,
    fit: bool = True,
    page_size: int = STREAM_PAGE,
) -> Iterator[Row]:
    """Every model matching ``criteria`` in ``order`` (the first ``limit``), read ``page_size``
    rows at a time as the caller consumes them (a server-side cursor on PostgreSQL, SQLite's
    own stepping cursor): a listing of a million models never sits in memory.

    ``fit``: read the fit coefficients too (else every row's ``fit`` is None). The rows are
    read inside ``conn``'s transaction: one consistent snapshot however slowly they are taken.
    """
    columns = (MODEL.c.data, *FIT_COLUMNS) if fit else (MODEL.c.data,)
    result = conn.execution_options(yield_per=page_size).execute(
        _selected(columns, conn, criteria, order, limit)
    )
    if fit:
        for values in result:
            yield row(values._mapping)
    else:
        for (data,) in result:
            yield Row(document(data), None)


def _selected(
    columns: Sequence[Any], conn: Connection, criteria: Criteria, order: Order, limit: int | None
) -> Select[Any]:
    """The ``columns`` of the models matching ``criteria`` in ``order``, the first ``limit``."""
    stmt: Select[Any] = ordered(select(*columns).where(*where(criteria, conn)), order)
    return stmt.limit(limit) if limit is not None else stmt


def stream_lines(
    conn: Connection,
    criteria: Criteria,
    order: Order,
    *,
    limit: int | None = None,
    page_size: int = STREAM_PAGE,
    statement: Callable[[str, Sequence[Any]], None] | None = None,
) -> Iterator[JsonText]:
    """:func:`stream` as the lines a JSON listing writes (``catalog.listing.row_line``).

    ``statement``: told the SQL and parameters sent to the database (the statement a replay
    runs again, ``catalog.replay``), once every row was read and if there was one at least.
    """
    # The document only where there is no line (nothing decoded for the others).
    data = case((MODEL.c.listing.is_(None), type_coerce(MODEL.c.data, Text)), else_=None)
    stmt = _selected((MODEL.c.listing, MODEL.c.listing_dated, data), conn, criteria, order, limit)
    sent: list[tuple[str, Any]] = []

    def capture(_conn: Any, _cursor: Any, sql: str, params: Any, *_: Any) -> None:
        sent.append((sql, params))

    if statement is not None:
        event.listen(conn, "before_cursor_execute", capture)
    try:
        result = conn.execution_options(yield_per=page_size).execute(stmt)
    finally:
        if statement is not None:
            event.remove(conn, "before_cursor_execute", capture)
    rows = 0
    for listing, dated, document in result:
        rows += 1
        yield row_line(listing, dated, document)
    if statement is not None and rows and len(sent) == 1:
        statement(sent[0][0], tuple(sent[0][1]))


def row(values: Any) -> Row:
    """A :class:`Row` from a result row's ``data`` and ``fit_*`` values."""
    return Row(document(values["data"]), FitCoefficients.from_columns(values))


def document(data: Any) -> dict[str, Any]:
    """A stored model document (a backend without a JSON type hands back its text)."""
    if isinstance(data, str):
        import json

        data = json.loads(data)
    return data  # type: ignore[no-any-return]


def count(conn: Connection, criteria: Criteria, *, cap: int | None = None) -> int:
    """How many models match; with ``cap``, counting stops at ``cap + 1``."""
    return count_where(conn, where(criteria, conn, every=cap is None), cap=cap)


def count_where(conn: Connection, conds: list[Any], *, cap: int | None = None) -> int:
    """How many rows meet ``conds``; with ``cap``, counting stops at ``cap + 1``."""
    if cap is None:
        stmt = select(func.count()).select_from(MODEL).where(*conds)
        return int(conn.execute(stmt).scalar_one())
    inner = select(literal(1)).select_from(MODEL).where(*conds).limit(cap + 1).subquery()
    return int(conn.execute(select(func.count()).select_from(inner)).scalar_one())


def by_id(conn: Connection, key: str) -> dict[str, Any] | None:
    """A model document by catalog id or Hub id (lower-cased ``key``), curated first."""
    found = conn.execute(select(MODEL.c.data).where(MODEL.c.id == key)).first()
    if found is None:
        found = conn.execute(
            select(MODEL.c.data).where(MODEL.c.hub_key == key).order_by(MODEL.c.tier.asc())
        ).first()
    return row({"data": found[0]}).data if found is not None else None


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


# A loose index scan: each step seeks the next family key in ix_model_family_score_id, so the
# cost follows the number of families, not of rows (SELECT DISTINCT read all 1M rows: 0.8 s).
_FAMILY_NAMES = text(
    """
    WITH RECURSIVE k(key) AS (
        SELECT MIN(family_key) FROM model
        UNION ALL
        SELECT (SELECT MIN(family_key) FROM model WHERE family_key > k.key)
        FROM k WHERE k.key IS NOT NULL
    )
    SELECT (SELECT family FROM model WHERE family_key = k.key
            ORDER BY score DESC, id DESC LIMIT 1)
    FROM k WHERE k.key IS NOT NULL
    """
)


def family_names(conn: Connection) -> list[str]:
    """One name per family (filters match families by key), sorted.

    Where spellings differ within a family (``LLaMA`` and ``llama``), the spelling of its
    best-scored model stands for it.
    """
    return sorted(f for (f,) in conn.execute(_FAMILY_NAMES))


def license_documents(conn: Connection) -> list[dict[str, Any]]:
    """Every stored license document, by id."""
    rows = conn.execute(select(LICENSE.c.data).order_by(LICENSE.c.id))
    return [row({"data": data}).data for (data,) in rows]


def ids_in(conn: Connection, ids: Sequence[str]) -> list[dict[str, Any]]:
    """The documents of the models among ``ids`` (any order)."""
    found: list[dict[str, Any]] = []
    for i in range(0, len(ids), 500):
        stmt = select(MODEL.c.data).where(MODEL.c.id.in_(ids[i : i + 500]))
        found.extend(row({"data": d}).data for (d,) in conn.execute(stmt))
    return found


__all__ = [
    "Criteria",
    "FitRule",
    "KindRule",
    "LicenseRule",
    "Order",
    "STREAM_PAGE",
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
    "document",
    "row",
    "stream",
    "where",
]

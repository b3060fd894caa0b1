"""One page of a text search, best matches first, in bounded work however large the store.

The order: models whose id, Hub id or (curated) name equals the text, then those starting with
it, then the rest of the matches; within each rank curated models before Hub-tier ones, then
by score (best first) and id. Each rank is read apart, ids only, and stops as soon as the page
is full:

- curated rows are few: they are looked up by id and sorted;
- Hub-tier rows of a rank that index look-ups can enumerate (equal to or starting with the
  text, or of a family starting with a short text) are read through those indexes and sorted
  when they are few; when they are many they are dense, and a walk of the ranking index
  (``score``, ``id``) meets a page of them early. Sorting ``n`` rows costs about ``n`` row
  reads, walking for ``k`` rows about ``k x rows / n``: the rank is sorted while ``n`` is at
  most ``sqrt(k x rows)`` (and at least :data:`SORT_AT_LEAST`), and walked beyond;
- the rest of a longer text's matches are a list of row ids when the trigram index finds few
  (``catalog.store.search_index.contains``), else dense: the walk again;
- the documents of the page are read last, by id.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, case, false, func, literal_column, not_, or_, select, text, true
from sqlalchemy.engine import Connection

from catalog.store.model_queries import (
    FIT_COLUMNS,
    Criteria,
    Row,
    count_where,
    document,
    row,
    where,
)
from catalog.store.search_index import MIN_TRIGRAM, starts
from catalog.store.tables import MODEL

BATCH = 500
"""Documents read per query, by id."""
SORT_AT_LEAST = 1000
"""A rank whose index look-ups find at most this many rows is always read whole and sorted."""


@dataclass(frozen=True)
class _Rank:
    """One rank of a text search: what puts a curated row and a Hub-tier row in it."""

    curated: Any
    hub: Any
    ranges: tuple[Any, ...] | None
    """Indexed conditions one of which every Hub-tier row of the rank meets (None: none)."""
    walk: Any = None
    """``hub`` without its indexed form, for a walk of the ranking index (None: ``hub``)."""


def ranked_page(
    conn: Connection,
    criteria: Criteria,
    *,
    limit: int | None,
    offset: int = 0,
    sort_at_most: int | None = None,
) -> list[Row]:
    """The models matching ``criteria`` (which has a text), best matches first.

    ``sort_at_most``: sort a rank found by index look-ups up to this many rows, walk beyond
    (None: as the costs say, see the module docstring); the answer is the same either way.
    """
    return list(ranked_rows(conn, criteria, limit=limit, offset=offset, sort_at_most=sort_at_most))


def ranked_rows(
    conn: Connection,
    criteria: Criteria,
    *,
    limit: int | None,
    offset: int = 0,
    sort_at_most: int | None = None,
    fit: bool = True,
) -> Iterator[Row]:
    """:func:`ranked_page` one batch of documents at a time, as the caller consumes them: the
    ranked ids are read first (ids only), the documents :data:`BATCH` at a time.

    ``fit``: read the fit coefficients too (else every row's ``fit`` is None).
    """
    assert criteria.needle is not None
    want = None if limit is None else offset + limit
    ids = _ranked_ids(conn, criteria, want, sort_at_most)[offset:]
    for start in range(0, len(ids), BATCH):
        yield from _documents(conn, ids[start : start + BATCH], fit=fit)


def _ranked_ids(
    conn: Connection, criteria: Criteria, want: int | None, sort_at_most: int | None
) -> list[str]:
    needle = criteria.needle
    assert needle is not None
    conds = where(criteria, conn)
    ranks = _ranks(conn, needle)
    curated = _curated_by_rank(conn, conds, ranks, want)
    rows = _rows_estimate(conn) if sort_at_most is None else 0
    found: list[str] = []
    before: list[Any] = []
    for number, rank in enumerate(ranks):
        found += [model_id for r, model_id in curated if r == number]
        left = None if want is None else want - len(found)
        if left is not None and left <= 0:
            break
        most = sort_at_most
        if most is None and left is not None:
            most = max(SORT_AT_LEAST, math.isqrt(left * rows))
        found += _hub_top(conn, conds, rank, before, left, most)
        before.append(rank.hub)
    return found if want is None else found[:want]


def _ranks(conn: Connection, needle: str) -> list[_Rank]:
    m = MODEL.c
    name = func.lower(m.name)
    id_is, key_is = m.id == needle, m.hub_key == needle
    id_starts, key_starts = starts(m.id, needle, conn), starts(m.hub_key, needle, conn)
    prefix = _Rank(
        curated=or_(id_starts, key_starts, name.startswith(needle, autoescape=True)),
        hub=or_(id_starts, key_starts),
        ranges=(id_starts, key_starts),
        walk=or_(
            m.id.startswith(needle, autoescape=True), m.hub_key.startswith(needle, autoescape=True)
        ),
    )
    ranks = [
        _Rank(curated=or_(id_is, key_is, name == needle), hub=or_(id_is, key_is), ranges=()),
        prefix,
    ]
    if len(needle) < MIN_TRIGRAM:
        # A short text matches at the start of a family too (catalog.store.search_index).
        family = starts(m.family_key, needle, conn)
        walk = m.family_key.startswith(needle, autoescape=True)
        ranks.append(_Rank(curated=family, hub=family, ranges=(family,), walk=walk))
    else:
        # The rest of the matches: the text condition of ``where`` already holds them (a list
        # of row ids for a rare text, found by the trigram index).
        ranks.append(_Rank(curated=true(), hub=true(), ranges=None))
    return ranks


def _curated_by_rank(
    conn: Connection, conds: list[Any], ranks: list[_Rank], want: int | None
) -> list[tuple[int, str]]:
    """The best ``want`` curated rows meeting ``conds``, as (rank number, id), best first.

    Curated rows are few: one query looks them up by id and ranks them all at once.
    """
    curated = _curated_ids(conn)
    if not curated:
        return []
    number = case(*((rank.curated, i) for i, rank in enumerate(ranks)), else_=len(ranks))
    stmt = select(number, MODEL.c.id).where(*conds, MODEL.c.id.in_(curated))
    stmt = stmt.order_by(number, (MODEL.c.score + 0).desc(), MODEL.c.id.desc())
    if want is not None:
        stmt = stmt.limit(want)
    return [(int(r), model_id) for r, model_id in conn.execute(stmt)]


def _hub_top(
    conn: Connection,
    conds: list[Any],
    rank: _Rank,
    before: list[Any],
    left: int | None,
    sort_at_most: int | None,
) -> list[str]:
    """The best Hub-tier rows of ``rank`` meeting ``conds``, not in an earlier rank; a rank
    that index look-ups find is sorted up to ``sort_at_most`` rows (None: always)."""
    base = [*conds, MODEL.c.tier == "hub", *map(_isnt, before)]
    if rank.ranges is not None and _few(conn, rank.ranges, sort_at_most):
        stmt = select(MODEL.c.id).where(*base, rank.hub)
        return _ids(conn, _by_score(stmt, walk=False), left)
    walk = rank.hub if rank.walk is None else rank.walk
    return _ids(conn, _by_score(select(MODEL.c.id).where(*base, walk), walk=True), left)


def _few(conn: Connection, ranges: tuple[Any, ...], most: int | None) -> bool:
    """Whether ``ranges`` find at most ``most`` rows (None: no bound)."""
    if not ranges or most is None:
        return True
    return count_where(conn, [or_(*ranges)], cap=most) <= most


def _by_score(stmt: Select[Any], *, walk: bool) -> Select[Any]:
    """Best score first, then id (descending, as the ranking index ``(score, id)`` runs).

    ``walk``: let the planner walk the ranking index; otherwise the rows are few (found by
    other indexes) and sorting them beats walking (``+ 0`` keeps the planner off the index).
    """
    score = MODEL.c.score if walk else MODEL.c.score + 0
    return stmt.order_by(score.desc(), MODEL.c.id.desc())


def _ids(conn: Connection, stmt: Select[Any], left: int | None) -> list[str]:
    if left is not None:
        stmt = stmt.limit(left)
    return [i for (i,) in conn.execute(stmt)]


def _rows_estimate(conn: Connection) -> int:
    """About how many models the store holds (one index probe, not a count)."""
    if conn.dialect.name == "sqlite":
        # Row ids are handed out in order: the largest is the row count, give or take deletes.
        last: Select[Any] = select(func.max(literal_column("model.rowid"))).select_from(MODEL)
        return int(conn.execute(last).scalar() or 0)
    # PostgreSQL's planner estimate (-1 before the table was ever analyzed).
    estimate = text("SELECT reltuples FROM pg_class WHERE relname = 'model'")
    return max(0, int(conn.execute(estimate).scalar() or 0))


def _curated_ids(conn: Connection) -> list[str]:
    # With two tiers the tier index looks unselective to SQLite, which would rather walk another
    # index over every Hub-tier row: the few curated rows are looked up by id instead.
    return [i for (i,) in conn.execute(select(MODEL.c.id).where(MODEL.c.tier == "curated"))]


def _isnt(condition: Any) -> Any:
    """NOT ``condition``, where unknown counts as false: a model without a Hub id has a NULL
    ``hub_key``, and ``NOT (hub_key = 'x')`` would be unknown too, dropping the row."""
    return not_(func.coalesce(condition, false()))


def _documents(conn: Connection, ids: list[str], *, fit: bool = True) -> list[Row]:
    """The documents of ``ids`` (at most :data:`BATCH`), in that order."""
    columns = (MODEL.c.data, *FIT_COLUMNS) if fit else (MODEL.c.data,)
    stmt = select(MODEL.c.id, *columns).where(MODEL.c.id.in_(ids))
    if fit:
        found = {r.id: row(r._mapping) for r in conn.execute(stmt)}
    else:
        found = {model_id: Row(document(data), None) for model_id, data in conn.execute(stmt)}
    return [found[i] for i in ids]


__all__ = ["BATCH", "SORT_AT_LEAST", "ranked_page", "ranked_rows"]

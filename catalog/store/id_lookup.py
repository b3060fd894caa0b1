"""Model ids by a loose spelling: the characters typed, in order, anywhere in the id.

``l3 8b`` finds ``llama-3.1-8b``: each character of the text is a ``LIKE`` wildcard step, so
the database does the scan (one pass over the id column, no rows loaded) and only ``limit``
ids come back, curated ones and shorter ones first. Callers rank what comes back.
"""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.engine import Engine

from catalog.store.tables import MODEL

ESCAPE = "\\"


def fuzzy_ids(engine: Engine, text: str, *, limit: int = 50) -> list[str]:
    """Up to ``limit`` model ids holding the characters of ``text`` in order (spaces ignored)."""
    chars = [c for c in text.lower() if not c.isspace()]
    if not chars:
        return []
    pattern = "%" + "%".join(_escape(c) for c in chars) + "%"
    stmt = (
        select(MODEL.c.id)
        .where(MODEL.c.id.like(pattern, escape=ESCAPE))
        .order_by((MODEL.c.tier != "curated").asc(), func.length(MODEL.c.id), MODEL.c.id)
        .limit(limit)
    )
    with engine.connect() as conn:
        return [model_id for (model_id,) in conn.execute(stmt)]


def _escape(char: str) -> str:
    return ESCAPE + char if char in ("%", "_", ESCAPE) else char

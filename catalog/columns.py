"""The columns a list of models shows: CLI tables and the CSV/Markdown of listings and exports."""

from __future__ import annotations

from catalog.render import Column


def _count(value: int | None) -> str:
    from catalog.units import format_count

    return format_count(value) if value else ""


def _context(value: int | None) -> str:
    from catalog.units import format_context

    return format_context(value) if value else ""


MODEL_COLUMNS: list[Column] = [
    Column("id", lambda m: m.id),
    Column("family", lambda m: m.family, optional=True),
    Column("params", lambda m: _count(m.params), "right", rounded=True),
    Column("active", lambda m: _count(m.active_params), "right", rounded=True),
    Column("context", lambda m: _context(m.context_length), "right"),
    Column("license", lambda m: m.license),
    Column("access", lambda m: m.access),
    Column("tunable", lambda m: " ".join(m.tunability)),
    Column("tier", lambda m: m.tier, optional=True),
    Column("status", lambda m: m.status()),
]
"""``status`` is ``active``, ``deprecated`` (a shutdown is announced) or ``retired``."""

__all__ = ["MODEL_COLUMNS"]

"""Settings a front end keeps in the store between sessions (the TUI's browse filters, sort and
export format), as JSON documents in the ``meta`` table under a ``pref:`` prefix, beside the
store's own facts. Like the saved lists, they live with the catalog: a team store shares them.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.engine import Engine

from catalog.store.tables import META

PREFIX = "pref:"
MAX_BYTES = 64_000
"""A preference document larger than this is refused (they hold a few form fields)."""


def load_preference(engine: Engine, name: str) -> dict[str, Any] | None:
    """The document saved under ``name``; None when there is none or it is not a JSON object."""
    with engine.connect() as conn:
        row = conn.execute(select(META.c.value).where(META.c.key == PREFIX + name)).first()
    if row is None:
        return None
    try:
        value = json.loads(row[0])
    except ValueError:
        return None
    return value if isinstance(value, dict) else None


def save_preference(engine: Engine, name: str, value: Mapping[str, Any]) -> None:
    """Replace the document saved under ``name`` (one transaction).

    Raises:
        ValueError: the document is larger than ``MAX_BYTES`` once encoded.
    """
    text = json.dumps(value, sort_keys=True)
    if len(text.encode()) > MAX_BYTES:
        raise ValueError(f"preference {name!r} is larger than {MAX_BYTES} bytes")
    with engine.begin() as conn:
        conn.execute(delete(META).where(META.c.key == PREFIX + name))
        conn.execute(META.insert().values(key=PREFIX + name, value=text))

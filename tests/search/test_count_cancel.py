"""A count stops when its caller's cancel event is set (the TUI's count when the user types on)."""

from __future__ import annotations

import threading

import pytest

from catalog.api import Catalog
from catalog.errors import Cancelled
from catalog.search import make_filters


def test_a_set_event_stops_the_count_and_leaves_the_store_usable(derived: Catalog) -> None:
    filters = make_filters(search="llama")
    expected = derived.count(filters)
    stop = threading.Event()
    stop.set()
    with pytest.raises(Cancelled):
        derived.count(filters, cancel=stop)
    assert derived.count(filters, cancel=threading.Event()) == expected > 0
    assert derived.count(filters) == expected  # no handler left on the pooled connection


def test_sqlite_stops_mid_statement(derived: Catalog) -> None:
    """Set while SQLite works: the progress handler sees it (not only a look before the start)."""
    if derived.engine.dialect.name != "sqlite":
        pytest.skip("only SQLite looks at the event mid-statement")
    from catalog.store.engine import interruptible

    stop = threading.Event()
    with derived.connect() as conn, pytest.raises(Cancelled):  # noqa: PT012
        with interruptible(conn, stop):
            stop.set()  # after the look before the start: only the progress handler can see it
            conn.exec_driver_sql(
                "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 10000000)"
                " SELECT count(*) FROM n"
            ).scalar()

"""Store tests run on SQLite and, when ``MODELCAT_TEST_PG_URL`` is set, on PostgreSQL too."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy.engine import Engine

from catalog.store.engine import make_engine


@pytest.fixture
def raw_engine(db_url: str) -> Iterator[Engine]:
    """An engine on the test's empty store (nothing created yet), on each backend."""
    engine = make_engine(db_url)
    yield engine
    engine.dispose()

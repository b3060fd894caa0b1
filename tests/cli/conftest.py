"""CLI output tests: a fixed "today" (statuses depend on the date) and 100-column output."""

from __future__ import annotations

import datetime as dt
import types
from collections.abc import Iterator
from typing import Any

import pytest
from typer.testing import CliRunner

from catalog.cli.main import app

TODAY = dt.date(2026, 11, 1)
"""gpt-4 and gpt-3.5-turbo are retired by then (2026-10-23), gpt-4o only deprecated."""
WIDTH = "100"


class _FixedDate(dt.date):
    @classmethod
    def today(cls) -> _FixedDate:
        return cls(TODAY.year, TODAY.month, TODAY.day)


@pytest.fixture
def fixed_today(monkeypatch: pytest.MonkeyPatch) -> Iterator[dt.date]:
    """Lifecycle statuses worked out on :data:`TODAY` whatever the clock says."""
    import catalog.schema

    clock = types.SimpleNamespace(**{**vars(dt), "date": _FixedDate})
    monkeypatch.setattr(catalog.schema, "dt", clock)
    yield TODAY


def cli(*args: str, columns: str = WIDTH, **env: str) -> Any:
    """``modelcat ARGS`` in-process, stdout piped, laid out for ``columns`` columns."""
    return CliRunner().invoke(app, list(args), env={"COLUMNS": columns, **env})

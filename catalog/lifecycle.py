"""A vendor lifecycle's status on a day: the one rule, for the schema's ``Lifecycle`` and for a
listing line read from the store (``catalog.listing``), which must not build the model."""

from __future__ import annotations

import datetime as dt
from typing import Literal

Status = Literal["active", "deprecated", "retired"]


def status_on(deprecated: dt.date | None, shutdown: dt.date | None, today: dt.date) -> Status:
    """``retired`` from the shutdown day on, ``deprecated`` once announced, else ``active``."""
    if shutdown is not None and shutdown <= today:
        return "retired"
    if shutdown is not None or (deprecated is not None and deprecated <= today):
        return "deprecated"
    return "active"

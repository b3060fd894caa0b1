"""The line a JSON listing writes for one stored model: the one rule, for the search engine's
listings and for a replayed one (``catalog.replay``), which must not import the domain model
unless a row needs it."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from catalog.lifecycle import status_on
from catalog.render import JsonText, compact_json


def row_line(listing: str | None, dated: bool | None, data: Any) -> JsonText:
    """The compact JSON of a model's ``to_json()`` from its stored row.

    ``listing``: the line kept when the row was written (``catalog.store.convert.listing_line``),
    whose status is worked out again for today when ``dated`` (a lifecycle); None for a row
    written before lines were kept: its ``data`` document (a dict, or its JSON text from a
    backend without a JSON type) is made into a listing as the domain model does.
    """
    if listing is not None:
        if not dated:
            return JsonText(listing)
        document = json.loads(listing)
        lifecycle = document["lifecycle"]
        document["status"] = status_on(
            _day(lifecycle.get("deprecated")), _day(lifecycle.get("shutdown")), dt.date.today()
        )
        return compact_json(document)
    from catalog.domain import listing_json

    document = json.loads(data) if isinstance(data, str) else data
    return compact_json(listing_json(document))


def _day(value: str | None) -> dt.date | None:
    return dt.date.fromisoformat(value) if value else None

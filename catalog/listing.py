"""The line a JSON listing writes for one stored model: the one rule, for the search engine's
listings and for a replayed one (``catalog.replay``), which must not import the domain model
unless a row needs it."""

from __future__ import annotations

import json
from typing import Any

from catalog.render import JsonText, compact_json


def row_line(listing: str | None, data: Any) -> JsonText:
    """The compact JSON of a model's ``to_json()`` from its stored row: the ``listing`` column
    when the row has one (``catalog.store.convert.listing_line``), else the ``data`` document
    (a dict, or its JSON text from a backend without a JSON type) made into a listing today."""
    if listing is not None:
        return JsonText(listing)
    from catalog.domain import listing_json

    document = json.loads(data) if isinstance(data, str) else data
    return compact_json(listing_json(document))

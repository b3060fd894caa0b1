"""Command palette providers: jump to any model by a loose spelling of its id."""

from __future__ import annotations

import asyncio
from functools import partial
from typing import TYPE_CHECKING, cast

from textual.command import Hit, Hits, Provider

if TYPE_CHECKING:
    from tui.app import ModelcatApp

CANDIDATES = 40
"""Ids fetched per keystroke; the palette ranks them and shows the best."""


class ModelJump(Provider):
    """``llama 3 8b`` -> ``llama-3.1-8b``: every model id whose characters follow the query."""

    async def search(self, query: str) -> Hits:
        from catalog.store.id_lookup import fuzzy_ids

        app = cast("ModelcatApp", self.app)
        if not query.strip():
            return
        ids = await asyncio.to_thread(fuzzy_ids, app.catalog.engine, query, limit=CANDIDATES)
        matcher = self.matcher(query)
        for model_id in ids:
            score = matcher.match(model_id)
            yield Hit(
                max(score, 0.01),  # the database matched it: keep it, ranked last
                matcher.highlight(model_id),
                partial(app.open_model, model_id),
                text=model_id,
                help="Open this model's details",
            )

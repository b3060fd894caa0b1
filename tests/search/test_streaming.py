"""Streamed answers (issue 18): ``stream_json`` and ``stream_hits`` are the pages of ``hits``,
read as they are taken, on SQLite and PostgreSQL, over curated and Hub-tier models (stored
documents with and without a config, with and without a lifecycle)."""

from __future__ import annotations

from typing import Any

import pytest

from catalog.api import Catalog
from catalog.search import LIST_SORT, SHORTLIST_SORT, Sort, make_filters

QUESTIONS: list[tuple[dict[str, Any], Sort, int | None]] = [
    ({}, LIST_SORT, None),
    ({}, SHORTLIST_SORT, None),
    ({"tier": "hub"}, Sort.parse("params:desc", default=LIST_SORT), None),
    ({"search": "llama"}, SHORTLIST_SORT, None),  # ranked: ids first, documents in batches
    ({"search": "llama"}, SHORTLIST_SORT, 3),
    ({"search": "ll"}, LIST_SORT, 5),
    ({"access": "api", "hide_retired": True}, SHORTLIST_SORT, None),
]


@pytest.mark.parametrize(("filters", "sort", "top"), QUESTIONS)
def test_a_streamed_answer_is_the_page_of_the_same_question(
    derived: Catalog, filters: dict[str, Any], sort: Sort, top: int | None
) -> None:
    question = make_filters(**filters)
    hits = derived.search.hits(question, sort=sort, top=top)
    assert hits, "a question with no answer proves nothing"
    streamed = list(derived.search.stream_json(question, sort=sort, top=top))
    assert streamed == [h.model.to_json() for h in hits]
    assert list(derived.search.stream_hits(question, sort=sort, top=top)) == hits


def test_every_stored_document_is_listed_as_its_model(derived: Catalog) -> None:
    models = derived.query(make_filters())
    # Both ways are met: documents made without a model (some with a stored config to drop)
    # and through the model (an API or a lifecycle).
    assert any(m.config and m.api is None and m.lifecycle is None for m in models)
    assert any(m.lifecycle is not None for m in models)
    assert any(m.tier == "hub" for m in models)
    listed = list(derived.search.stream_json(make_filters(), sort=LIST_SORT))
    assert listed == [m.to_json() for m in models]
    assert all("config" not in doc for doc in listed)


def test_rows_are_read_as_they_are_taken(derived: Catalog, monkeypatch: pytest.MonkeyPatch) -> None:
    import catalog.search.engine

    made: list[str] = []
    real = catalog.search.engine.listing_json

    def counting(stored: dict[str, Any]) -> dict[str, Any]:
        made.append(stored["id"])
        return real(stored)

    monkeypatch.setattr(catalog.search.engine, "listing_json", counting)
    for sort, search in ((LIST_SORT, None), (SHORTLIST_SORT, "llama")):
        made.clear()
        documents = derived.search.stream_json(make_filters(search=search), sort=sort)
        first, second = next(documents), next(documents)
        assert made == [first["id"], second["id"]]
        assert len(list(documents)) > 10

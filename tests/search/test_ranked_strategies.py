"""A rank of a text search is sorted when index look-ups find few rows and walked in score order
when they find many: both ways give the same page (the proof store is too small to walk on its
own, so the choice is forced here both ways)."""

from __future__ import annotations

import pytest

from catalog.api import Catalog
from catalog.search import make_filters
from catalog.store.ranked_page import ranked_page

TEXTS = (
    "l", "so", "ll", "qw", "llama", "someone", "someone/llama", "thebloke/", "gpt", "llama-2-7b",
    "zz", "-",
)  # fmt: skip


@pytest.mark.parametrize("text", TEXTS)
def test_sorting_and_walking_a_rank_give_the_same_page(derived: Catalog, text: str) -> None:
    criteria = derived.search.criteria(make_filters(search=text, hide_retired=True))
    with derived.connect() as conn:
        for limit, offset in ((None, 0), (1, 0), (3, 2), (20, 0), (20, 5)):

            def ids(most: int | None, limit: int | None = limit, offset: int = offset) -> list[str]:
                rows = ranked_page(conn, criteria, limit=limit, offset=offset, sort_at_most=most)
                return [r.data["id"] for r in rows]

            chosen = ids(None)
            assert ids(0) == chosen == ids(10**9)
            if limit is None and text == "so":
                assert chosen  # the discovered "someone/..." repos

"""The loose id lookup behind the palette's "jump to a model": characters in order, escaped."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from catalog.api import Catalog
from catalog.store.id_lookup import fuzzy_ids


def in_order(text: str, model_id: str) -> bool:
    rest = iter(model_id)
    return all(c in rest for c in text.lower() if not c.isspace())


def test_characters_in_order_find_the_model(cat: Catalog) -> None:
    found = fuzzy_ids(cat.engine, "l3.1 8b")
    assert "llama-3.1-8b" in found
    assert all(in_order("l3.1 8b", i) for i in found)
    assert fuzzy_ids(cat.engine, "   ") == []


@settings(max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=st.text(alphabet="llama-3.8b_%\\ xq", max_size=6))
def test_exactly_the_ids_that_hold_the_text_in_order(cat: Catalog, text: str) -> None:
    """LIKE wildcards typed by the user (% _ \\) are plain characters, never patterns."""
    every = [m.id for m in cat.list()]
    expected = sorted(
        (i for i in every if in_order(text, i)),
        key=lambda i: (cat.get(i).tier != "curated", len(i), i),
    )
    found = fuzzy_ids(cat.engine, text, limit=len(every) + 1)
    assert found == (expected if text.strip() else [])

"""The family choices: one name per family key, every family of the store reachable by it."""

from __future__ import annotations

from sqlalchemy import text

from catalog.api import Catalog
from catalog.store.convert import family_key


def test_one_name_per_family_and_none_missing(derived: Catalog) -> None:
    names = derived.families()
    with derived.connect() as conn:
        spellings = [f for (f,) in conn.execute(text("SELECT DISTINCT family FROM model"))]
    keys = [family_key(n) for n in names]
    assert len(spellings) > len(names)  # the Hub tier spells some curated families its own way
    assert len(keys) == len(set(keys)) and set(keys) == {family_key(s) for s in spellings}
    assert names == sorted(names)

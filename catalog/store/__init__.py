"""The store: SQLModel tables over SQLite (default) or PostgreSQL, rebuilt from the curated files."""

from __future__ import annotations

from catalog.store.engine import make_engine
from catalog.store.open import StoreInfo, open_store, rebuild_store, store_info

__all__ = ["StoreInfo", "make_engine", "open_store", "rebuild_store", "store_info"]

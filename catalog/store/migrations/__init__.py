"""Alembic migrations of the store (SQLite and PostgreSQL); run through ``catalog.store.upgrade``."""

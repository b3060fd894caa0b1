"""One module per schema revision, oldest first (``r0001_baseline`` is the pre-Alembic schema)."""

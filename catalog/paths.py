"""Where modelcat finds its shipped data and keeps its database."""

from __future__ import annotations

import os
from pathlib import Path

DB_ENV = "MODELCAT_DB"


def shipped_data_dir() -> Path:
    """The curated data that ships with modelcat.

    A wheel carries it as ``catalog/_data``; a source checkout (editable install) reads the
    repository's ``data/`` folder directly.
    """
    here = Path(__file__).resolve().parent
    packaged = here / "_data"
    if packaged.is_dir():
        return packaged
    return here.parent / "data"


def user_data_dir() -> Path:
    """The per-user folder for the database and exports (platformdirs, created on demand)."""
    from platformdirs import user_data_path

    return Path(user_data_path("modelcat", appauthor=False))


def default_db_path() -> Path:
    """The store modelcat keeps when no ``--db``/``$MODELCAT_DB`` names one."""
    return user_data_dir() / "modelcat.db"


def default_db_url() -> str:
    """``$MODELCAT_DB`` if set, else a SQLite file in the user data folder."""
    configured = os.environ.get(DB_ENV)
    if configured:
        return to_db_url(configured)
    return to_db_url(default_db_path())


def to_db_url(value: str | os.PathLike[str]) -> str:
    """Accept a SQLAlchemy URL or a plain file path (which means SQLite)."""
    text = os.fspath(value)
    if "://" in text:
        return text
    return f"sqlite:///{Path(text).expanduser().resolve()}"


def named_store_file(db: str | os.PathLike[str] | None) -> str | None:
    """The SQLite file ``db`` (None: ``$MODELCAT_DB`` or the default store) names, as named:
    a symlink in the name is followed whenever it is opened, where :func:`to_db_url` resolves
    it once. None for a URL of another database (or with options)."""
    text = os.fspath(db) if db is not None else os.environ.get(DB_ENV) or str(default_db_path())
    if "://" in text:
        prefix = "sqlite:///"
        if not text.startswith(prefix) or "?" in text:
            return None
        text = text.removeprefix(prefix)
    return os.path.abspath(os.path.expanduser(text))

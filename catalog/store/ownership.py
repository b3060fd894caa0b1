"""Which SQLite files modelcat may write, rebuild or move aside: only its own.

``--db`` takes any path, and a mistyped one (``--db models.yaml``, another program's database)
must never be turned into a modelcat store or renamed as "corrupt". A file is modelcat's when
its header carries modelcat's ``PRAGMA application_id`` (stamped on every store it opens), or,
for stores made before that stamp, when it holds modelcat's ``meta`` and ``model`` tables. An
empty file or an empty database is free to use. The default location (the user data folder)
belongs to modelcat whatever is there, so a damaged file there is moved aside and rebuilt, and
only there is a missing folder created.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from urllib.parse import quote

from catalog.errors import UsageError

APPLICATION_ID = 0x6D636174
"""``PRAGMA application_id`` of a modelcat store: ``mcat`` in ASCII."""

_MAGIC = b"SQLite format 3\x00"
_MARKER_TABLES = frozenset({"meta", "model"})


def check_owned(path: Path) -> None:
    """Refuse ``path`` unless it is missing, empty, or a database modelcat made.

    Raises:
        UsageError: the folder is missing (outside the default location), the path is a
            folder, or the file is not a modelcat store (text, another program's database, or
            a damaged database without modelcat's mark); the message names the file.
    """
    own_location = is_default_location(path)
    if not path.exists():
        if not path.parent.is_dir() and not own_location:
            raise UsageError(
                f"no folder {path.parent} for the store {path.name}: modelcat creates a "
                "folder only for its default store; create it first"
            )
        return
    if path.is_dir():
        raise UsageError(f"{path} is a folder, not a store: give --db a database file")
    if own_location:
        return
    header = _header(path)
    if not header:
        return  # an empty file: SQLite makes a database of it
    if not header.startswith(_MAGIC):
        raise UsageError(
            f"{path} is not a modelcat store (not a SQLite file) and was left alone: "
            "give --db a new file or a modelcat store"
        )
    marks = _marks(path)
    if marks is None:
        if int.from_bytes(header[68:72], "big") == APPLICATION_ID:
            return  # modelcat's, damaged: moved aside and rebuilt by open_store
        raise UsageError(
            f"{path} is a damaged SQLite database without modelcat's mark and was left "
            "alone: move it away yourself if it was a modelcat store"
        )
    application_id, tables = marks
    if application_id == APPLICATION_ID:
        return
    if application_id != 0:
        raise UsageError(
            f"{path} is another program's SQLite database (application id "
            f"{application_id:#010x}) and was left alone: give --db a modelcat store"
        )
    if tables and not _MARKER_TABLES <= tables:
        listed = ", ".join(sorted(tables)[:5]) + (", ..." if len(tables) > 5 else "")
        raise UsageError(
            f"{path} is another program's SQLite database (tables {listed}) and was left "
            "alone: give --db a modelcat store"
        )


def is_default_location(path: Path) -> bool:
    """True for the store modelcat keeps in the user data folder when no ``--db`` is given."""
    from catalog.paths import default_db_path

    return path.resolve() == default_db_path().resolve()


def _header(path: Path) -> bytes:
    try:
        with path.open("rb") as file:
            return file.read(100)
    except OSError as exc:
        raise UsageError(f"cannot read the store {path}: {exc.strerror or exc}") from None


def _marks(path: Path) -> tuple[int, frozenset[str]] | None:
    """The application id and table names, read without any chance of writing.

    Read through SQLite, not from the file's header: in WAL mode a new stamp sits in the
    ``-wal`` file until a checkpoint. None when SQLite cannot read the file.
    """
    uri = f"file:{quote(str(path.resolve()))}?mode=ro"
    try:
        conn = sqlite3.connect(uri, uri=True)
    except sqlite3.Error:
        return None
    try:
        (application_id,) = conn.execute("PRAGMA application_id").fetchone()
        rows = conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'").fetchall()
    except sqlite3.DatabaseError:
        return None
    finally:
        conn.close()
    return int(application_id), frozenset(str(name) for (name,) in rows)

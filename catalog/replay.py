"""Replay a piped listing: ``list``/``export`` answered again without building its query.

A store command spends most of its start-up importing SQLAlchemy and pydantic (0.3 to 0.5 s
on a 2-core machine), more than writing a JSON listing of 15,000 models takes. The listing's
query is made by the one search engine (``catalog.search``) from the filters. When a listing
command ran in full, the engine hands its SQL statement to :func:`keeper`, which keeps it as a
*plan* in the user's cache under a key of everything the answer depends on besides the store:
the arguments, the environment variables modelcat and its folders read, the working folder,
whether stdout is a terminal, the Python and the modelcat code. (A statement that holds the
day, one leaving retired models out, is not kept: the engine says which are.)

The same command run again (:func:`answer`, before anything heavy is imported) checks that the
store is as the plan found it in all the query was made from: its schema revision, the curated
files it was built from (still the files on disk, or a full run would rebuild it) and its
licenses (license filters are judged from them). It runs the statement on a read-only SQLite
connection and writes each row with ``catalog.listing.row_line`` through the writers of
``catalog.render``, so the bytes are those of a full run. Anything else (no plan, a store that
changed, an empty answer whose reasons a full run explains, a plan that does not parse or
whose statement fails before output) runs the command in full, which makes the plan again.

A plan file is input like any other: it is read with a size cap, must carry the HMAC made
with the user's own key (``replay.key`` beside the default store, readable by the user alone)
and have the expected types, and its statement runs on a read-only connection; a plan that
fails any of these is ignored, so a crafted one costs the replay and nothing else.

Plans are made only for SQLite stores, JSON or JSON Lines to a pipe or a file, and queries the
engine calls replayable (no search text, family or fit filter). ``MODELCAT_NO_REPLAY=1`` turns
replays off.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import secrets
import sqlite3
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import closing
from pathlib import Path
from typing import Any

from catalog.errors import CatalogError
from catalog.render import silence_stdout

PLAN_VERSION = 1
COMMANDS = frozenset({"list", "export"})
"""Commands whose answer may be a replay (the full run decides whether it can be)."""
SHAPES = frozenset({"json", "jsonl", "export"})
"""How the rows are framed: a JSON list, JSON Lines, or ``export``'s object with licenses."""
MAX_PLAN_BYTES = 4 * 1024 * 1024
"""A plan is a statement, its parameters and, for ``export``, the licenses: far below this."""
MAX_PLANS = 64
"""Plans kept at most (the oldest go first): one per distinct listing command line."""
OFF_ENV = "MODELCAT_NO_REPLAY"
SECRET_FILE = "replay.key"
SECRET_BYTES = 32
_ENV_PREFIXES = ("MODELCAT_", "XDG_", "LC_", "PYTHON")
_ENV_NAMES = frozenset({"HOME", "TZ", "LANG"})

_pending: str | None = None
"""The plan key of the listing command running in full in this process (None: none)."""


def answer(argv: Sequence[str]) -> bool:
    """Write the answer of the command ``argv`` from its plan; False (nothing written) when
    it must run in full. Remembers the key so that a full run can keep its plan."""
    global _pending
    _pending = None
    if os.environ.get(OFF_ENV) or not COMMANDS.intersection(argv):
        return False
    if "export" not in argv and not any("json" in arg for arg in argv):
        return False  # a table, CSV or Markdown listing: never replayed
    try:
        key = _key(argv)
    except OSError:
        return False
    _pending = key
    plan = _load(key)
    return plan is not None and _replay(plan)


def keeper(
    shape: str, *, store: str | None, data_dir: str | None, licenses: Sequence[str] = ()
) -> Callable[[str, Sequence[Any]], None] | None:
    """What keeps the plan of the listing now running in full (None: nothing to keep, as this
    command line is not one :func:`answer` looks up). It is called with the statement and its
    parameters once every row was read; ``licenses``: ``export``'s license lines."""
    key = _pending
    if key is None or store is None or shape not in SHAPES:
        return None

    def keep(sql: str, params: Sequence[Any]) -> None:
        try:
            with closing(_connect(store)) as conn:
                state = _state(conn)
        except (sqlite3.Error, OSError):
            return
        plan = {
            "version": PLAN_VERSION,
            "store": store,  # as named: a symlink in it is followed when replayed
            "data_dir": data_dir,
            "state": state,
            "shape": shape,
            "sql": sql,
            "params": list(params),
            "licenses": list(licenses),
        }
        _save(key, plan)

    return keep


# -- the key ------------------------------------------------------------------------------


def _key(argv: Sequence[str]) -> str:
    h = hashlib.sha256()
    context = {
        "version": PLAN_VERSION,
        "argv": list(argv),
        "cwd": os.getcwd(),
        "tty": sys.stdout.isatty(),
        "python": sys.version,
        "env": {
            k: v
            for k, v in sorted(os.environ.items())
            if k in _ENV_NAMES or k.startswith(_ENV_PREFIXES)
        },
    }
    h.update(json.dumps(context, sort_keys=True).encode())
    _code_fingerprint(h)
    return h.hexdigest()


def _code_fingerprint(h: Any) -> None:
    """Every module of modelcat by name, size and modification time: a changed or upgraded
    modelcat may build another statement, or write rows otherwise."""
    root = Path(__file__).parent
    for folder, subfolders, files in os.walk(root):
        subfolders[:] = sorted(d for d in subfolders if d != "__pycache__")
        for name in sorted(files):
            if name.endswith(".py"):
                st = os.stat(os.path.join(folder, name))
                h.update(f"{folder}/{name}\0{st.st_size}\0{st.st_mtime_ns}\n".encode())


# -- the store ------------------------------------------------------------------------------


def _connect(store: str) -> sqlite3.Connection:
    """A read-only connection: a plan (a file in the user's cache) can read, never write."""
    uri = Path(store).resolve().as_uri() + "?mode=ro"
    conn = sqlite3.connect(uri, uri=True, timeout=5.0)
    conn.execute("PRAGMA query_only = ON")
    return conn


def _state(conn: sqlite3.Connection) -> dict[str, Any]:
    """What the query was made from: schema revision, curated build, licenses."""
    revision = [r for (r,) in conn.execute("SELECT version_num FROM alembic_version")]
    meta = dict(conn.execute("SELECT key, value FROM meta ORDER BY key").fetchall())
    licenses = hashlib.sha256()
    for row in conn.execute("SELECT * FROM license ORDER BY id"):
        licenses.update(repr(row).encode())
    return {
        "revision": revision,
        "data_digest": meta.get("data_digest"),
        "schema_version": meta.get("schema_version"),
        "licenses": licenses.hexdigest(),
    }


def _curated_digest(data_dir: str | None) -> str:
    """The digest of the curated files now on disk (what a full run compares with the store's)."""
    from catalog.curated import curated_files, digest_of

    return digest_of(curated_files(data_dir))


# -- plans on disk --------------------------------------------------------------------------


def _plans_dir() -> Path:
    from platformdirs import user_cache_path

    return Path(user_cache_path("modelcat", appauthor=False)) / "plans"


def _load(key: str) -> dict[str, Any] | None:
    """The plan kept under ``key``, if there is one, signed with the user's key and of the
    expected shape."""
    try:
        with open(_plans_dir() / f"{key}.json", "rb") as f:
            raw = f.read(MAX_PLAN_BYTES + 1)
        secret = _secret(create=False)
        mac, _, body = raw.partition(b"\n")
        if (
            secret is None
            or len(raw) > MAX_PLAN_BYTES
            or not hmac.compare_digest(mac, _sign(secret, body))
        ):
            return None
        plan = json.loads(body)
    except (OSError, ValueError, RecursionError):
        return None
    return plan if _well_formed(plan) else None


def _sign(secret: bytes, body: bytes) -> bytes:
    return hmac.new(secret, body, hashlib.sha256).hexdigest().encode()


def _secret(*, create: bool) -> bytes | None:
    """The user's plan-signing key (made on first use when ``create``; None if there is none)."""
    from catalog.paths import user_data_dir

    path = user_data_dir() / SECRET_FILE
    try:
        with open(path, "rb") as f:
            secret = f.read(SECRET_BYTES * 2 + 1)
        return secret if len(secret) == SECRET_BYTES * 2 else None
    except FileNotFoundError:
        if not create:
            return None
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return _secret(create=False)  # another process made it first
    with os.fdopen(fd, "wb") as f:
        f.write(secrets.token_hex(SECRET_BYTES).encode())
    return _secret(create=False)


def _well_formed(plan: Any) -> bool:
    if not isinstance(plan, dict) or plan.get("version") != PLAN_VERSION:
        return False
    state = plan.get("state")
    return (
        isinstance(plan.get("store"), str)
        and isinstance(plan.get("data_dir"), (str, type(None)))
        and isinstance(state, dict)
        and plan.get("shape") in SHAPES
        and isinstance(plan.get("sql"), str)
        and isinstance(plan.get("params"), list)
        and all(isinstance(p, (str, int, float, type(None))) for p in plan["params"])
        and isinstance(plan.get("licenses"), list)
        and all(isinstance(line, str) for line in plan["licenses"])
    )


def _save(key: str, plan: dict[str, Any]) -> None:
    """Write the plan (atomically, readable by the user alone); drop the oldest past
    :data:`MAX_PLANS`. A cache that cannot be written only means no replay."""
    folder = _plans_dir()
    try:
        secret = _secret(create=True)
        if secret is None:
            return
        body = json.dumps(plan, ensure_ascii=False).encode()
        text = _sign(secret, body) + b"\n" + body
        if len(text) > MAX_PLAN_BYTES:
            return
        folder.mkdir(parents=True, exist_ok=True)
        tmp = folder / f".{key}.{os.getpid()}.tmp"
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as f:
            f.write(text)
        os.replace(tmp, folder / f"{key}.json")
        plans = sorted(folder.glob("*.json"), key=lambda p: p.stat().st_mtime_ns)
        for old in plans[:-MAX_PLANS]:
            old.unlink(missing_ok=True)
    except OSError:
        return


# -- the replay -----------------------------------------------------------------------------


def _replay(plan: dict[str, Any]) -> bool:
    """Write the plan's answer; False, having written nothing, when it must run in full."""
    try:
        conn = _connect(plan["store"])
    except (sqlite3.Error, OSError):
        return False
    with closing(conn):
        try:
            if _state(conn) != plan["state"]:
                return False
            if _curated_digest(plan["data_dir"]) != plan["state"]["data_digest"]:
                return False
            rows = conn.execute(plan["sql"], plan["params"])
            if rows.description is None or len(rows.description) != 3:
                return False
            first = rows.fetchone()
        except (sqlite3.Error, OSError, ValueError, CatalogError):
            return False  # e.g. the overlay folder is gone: the full run says so
        if first is None:
            return False  # an empty answer: the full run says which filter emptied it
        _write(plan, _lines(first, rows))
    return True


def _lines(first: tuple[Any, ...], rest: Iterator[tuple[Any, ...]]) -> Iterator[Any]:
    from catalog.listing import row_line

    yield row_line(*first)
    for listing, dated, data in rest:
        yield row_line(listing, dated, data)


def _write(plan: dict[str, Any], lines: Iterator[Any]) -> None:
    """Frame the lines as the full run does (``catalog.render``); a reader that went away
    (``| head``) ends it quietly, a store that fails mid-way is an error (exit 2)."""
    from catalog.render import JsonText, write_json, write_jsonl

    try:
        if plan["shape"] == "jsonl":
            write_jsonl(lines)
        elif plan["shape"] == "json":
            write_json(lines, indent=None)
        else:
            licenses = iter([JsonText(line) for line in plan["licenses"]])
            write_json({"models": lines, "licenses": licenses}, indent=None)
        sys.stdout.flush()
    except BrokenPipeError:
        silence_stdout()
    except (sqlite3.Error, ValueError, LookupError, TypeError) as exc:
        sys.stdout.flush()
        sys.stderr.write(f"modelcat: the store could not be read: {exc!r}"[:500] + "\n")
        raise SystemExit(2) from None

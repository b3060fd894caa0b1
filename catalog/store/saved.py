"""Named things a team shares through the store: shortlists (with how they were made) and policies."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.engine import Engine

from catalog.errors import UsageError
from catalog.store.tables import SAVED_LIST, SAVED_POLICY
from catalog.store.upsert import upsert

MAX_NAME = 200


@dataclass(frozen=True)
class SavedList:
    """A shortlist saved under a name."""

    name: str
    model_ids: tuple[str, ...]
    updated_at: dt.datetime
    query: dict[str, Any] | None = None
    """How it was made (``shortlist --save``: filters, sort, top, fit); None when hand-picked."""

    def to_json(self) -> dict[str, Any]:
        """``{"name", "model_ids", "updated_at", "query"}``."""
        return {
            "name": self.name,
            "model_ids": list(self.model_ids),
            "updated_at": self.updated_at.isoformat(),
            "query": self.query,
        }


@dataclass(frozen=True)
class SavedPolicy:
    """A license policy (its YAML text) saved under a name."""

    name: str
    text: str
    updated_at: dt.datetime

    def to_json(self) -> dict[str, Any]:
        """``{"name", "text", "updated_at"}``."""
        return {"name": self.name, "text": self.text, "updated_at": self.updated_at.isoformat()}


def valid_name(name: str, *, what: str) -> str:
    """``name`` stripped, if usable as the name of a saved list or policy.

    Raises:
        UsageError: empty, too long or with control characters.
    """
    text = name.strip()
    if not text or len(text) > MAX_NAME or not text.isprintable():
        raise UsageError(f"a {what} name must be 1-{MAX_NAME} printable characters, not {name!r}")
    return text


def save_list(
    engine: Engine, name: str, model_ids: Iterable[str], *, query: dict[str, Any] | None = None
) -> SavedList:
    """Save ``model_ids`` (in order, without repeats) under ``name``, replacing what was there."""
    saved = SavedList(
        name=valid_name(name, what="list"),
        model_ids=tuple(dict.fromkeys(model_ids)),
        updated_at=dt.datetime.now(dt.UTC),
        query=query,
    )
    values = {
        "name": saved.name,
        "model_ids": list(saved.model_ids),
        "updated_at": saved.updated_at,
        "query": query,
    }
    with engine.begin() as conn:
        upsert(conn, SAVED_LIST, values, key=["name"])
    return saved


def load_list(engine: Engine, name: str) -> SavedList | None:
    """The list saved under ``name``, or None."""
    stmt = select(SAVED_LIST).where(SAVED_LIST.c.name == name.strip())
    with engine.connect() as conn:
        row = conn.execute(stmt).mappings().first()
    if row is None:
        return None
    return SavedList(
        name=row["name"],
        model_ids=tuple(row["model_ids"]),
        updated_at=_utc(row["updated_at"]),
        query=row["query"],
    )


def list_saved(engine: Engine) -> list[SavedList]:
    """Every saved list, by name."""
    with engine.connect() as conn:
        rows = conn.execute(select(SAVED_LIST).order_by(SAVED_LIST.c.name)).mappings()
        return [
            SavedList(r["name"], tuple(r["model_ids"]), _utc(r["updated_at"]), r["query"])
            for r in rows
        ]


def delete_list(engine: Engine, name: str) -> bool:
    """Remove the list saved under ``name``; True when there was one."""
    with engine.begin() as conn:
        gone = conn.execute(delete(SAVED_LIST).where(SAVED_LIST.c.name == name.strip()))
    return bool(gone.rowcount)


def list_names(engine: Engine) -> list[str]:
    """Names of the saved lists, sorted."""
    with engine.connect() as conn:
        return list(conn.execute(select(SAVED_LIST.c.name).order_by(SAVED_LIST.c.name)).scalars())


def save_policy(engine: Engine, name: str, text: str) -> SavedPolicy:
    """Save a policy's YAML ``text`` under ``name`` (the caller validated it)."""
    saved = SavedPolicy(valid_name(name, what="policy"), text, dt.datetime.now(dt.UTC))
    values = {"name": saved.name, "text": text, "updated_at": saved.updated_at}
    with engine.begin() as conn:
        upsert(conn, SAVED_POLICY, values, key=["name"])
    return saved


def load_policy_text(engine: Engine, name: str) -> SavedPolicy | None:
    """The policy saved under ``name``, or None."""
    stmt = select(SAVED_POLICY).where(SAVED_POLICY.c.name == name.strip())
    with engine.connect() as conn:
        row = conn.execute(stmt).mappings().first()
    if row is None:
        return None
    return SavedPolicy(row["name"], row["text"], _utc(row["updated_at"]))


def list_policies(engine: Engine) -> list[SavedPolicy]:
    """Every saved policy, by name."""
    with engine.connect() as conn:
        rows = conn.execute(select(SAVED_POLICY).order_by(SAVED_POLICY.c.name)).mappings()
        return [SavedPolicy(r["name"], r["text"], _utc(r["updated_at"])) for r in rows]


def delete_policy(engine: Engine, name: str) -> bool:
    """Remove the policy saved under ``name``; True when there was one."""
    with engine.begin() as conn:
        gone = conn.execute(delete(SAVED_POLICY).where(SAVED_POLICY.c.name == name.strip()))
    return bool(gone.rowcount)


def _utc(value: dt.datetime) -> dt.datetime:
    # SQLite hands timestamps back without a zone; every one is stored in UTC.
    return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)

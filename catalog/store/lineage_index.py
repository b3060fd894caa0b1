"""Base models up a derivative's chain, and the licenses that bind it, read in a few queries.

A fine-tune, quantization or re-upload declares its base models (``hub_lineage``); a base is
found in the catalog by its Hub id (``model.hub_key``, curated preferred) or, failing that, by
the license tag of its stored Hub snapshot. Levels are loaded breadth-first, a chunk of ids per
query, so a page of a discovery sync costs a handful of indexed look-ups.

:func:`bound_licenses` is the one rule for which licenses bind a derivative; the judgment with
lineage (``catalog.sync.lineage``) and the stored ``model.bound_licenses`` both use it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.engine import Connection

from catalog.licenses.identifiers import UNKNOWN_LICENSE, LicenseIdentifiers
from catalog.store.hub_tables import HUB_LINEAGE, HUB_SNAPSHOT
from catalog.store.tables import MODEL

MAX_DEPTH = 5
"""Base-of-a-base levels followed (a quantization of a fine-tune of a base model is 2)."""
CHUNK = 500
"""Ids per IN (...) list: far below every backend's bound-parameter limit."""


@dataclass(frozen=True)
class BaseLicense:
    """One model up the chain and the license that binds it."""

    repo_id: str
    relation: str | None
    license: str
    """Our license id; ``unknown`` when the base is neither in the catalog nor tagged with one we know."""
    model_id: str | None
    """The base's catalog id, when the catalog has it."""
    via: str | None = None
    """The intermediate repo this base was reached through (None for a direct base)."""

    def to_json(self) -> dict[str, Any]:
        """``{"repo_id", "relation", "license", "model", "via"}``."""
        return {
            "repo_id": self.repo_id,
            "relation": self.relation,
            "license": self.license,
            "model": self.model_id,
            "via": self.via,
        }


def bound_licenses(own: str, bases: Sequence[BaseLicense]) -> list[str]:
    """Licenses that bind a model, its own first; its ``unknown`` is dropped when a base binds it."""
    bound = [b.license for b in bases]
    first = [] if own == UNKNOWN_LICENSE and bound else [own]
    return list(dict.fromkeys([*first, *bound]))


def encode(licenses: Sequence[str]) -> str:
    """``|a|b|``: the ``model.bound_licenses`` form, so one LIKE finds a license."""
    return "|" + "|".join(licenses) + "|" if licenses else ""


def chunks(items: Sequence[str], size: int = CHUNK) -> Iterable[Sequence[str]]:
    """``items`` in slices of at most ``size``."""
    for i in range(0, len(items), size):
        yield items[i : i + size]


class LineageIndex:
    """Lineage rows and base-model licenses, loaded level by level (see the module docstring)."""

    def __init__(self, conn: Connection, identifiers: LicenseIdentifiers) -> None:
        self.conn = conn
        self.identifiers = identifiers
        self.parents: dict[str, list[tuple[str, str | None]]] = {}
        """lower repo id -> its declared bases (as declared) and relations, in order."""
        self.catalog: dict[str, tuple[str, str, str, str]] = {}
        """lower Hub id -> (model id, license, tier, Hub id as stored), curated preferred."""
        self.tags: dict[str, str] = {}
        """lower Hub id -> license resolved from a stored snapshot's tag."""

    def load(self, repo_ids: Iterable[str]) -> LineageIndex:
        """Read the chains of ``repo_ids`` (Hub ids as stored on the models)."""
        frontier = set(repo_ids)
        for _ in range(MAX_DEPTH):
            frontier = {r for r in frontier if r.lower() not in self.parents}
            if not frontier:
                break
            bases = self._load_parents(frontier)
            self._load_catalog({b for b in bases if b.lower() not in self.catalog})
            self._load_tags(
                {b for b in bases if b.lower() not in self.catalog and b.lower() not in self.tags}
            )
            # A Hub-tier base has bases of its own, stored under its Hub id's own spelling.
            found = [self.catalog.get(b.lower()) for b in bases]
            frontier = {entry[3] for entry in found if entry is not None and entry[2] == "hub"}
        return self

    def chain(self, repo_id: str) -> tuple[BaseLicense, ...]:
        """Every base up the chain of ``repo_id``, nearest first."""
        out: list[BaseLicense] = []
        seen = {repo_id.lower()}
        level: list[tuple[str, str | None]] = [(repo_id.lower(), None)]
        for _ in range(MAX_DEPTH):
            following: list[tuple[str, str | None]] = []
            for child, via in level:
                for base, relation in self.parents.get(child, []):
                    key = base.lower()
                    if key in seen:
                        continue
                    seen.add(key)
                    entry = self.catalog.get(key)
                    model_id, tier = (entry[0], entry[2]) if entry else (None, None)
                    license = (entry[1] if entry else None) or self.tags.get(key) or UNKNOWN_LICENSE
                    out.append(BaseLicense(base, relation, license, model_id, via))
                    if tier == "hub":
                        following.append((key, via or base))
            level = following
        return tuple(out)

    def _load_parents(self, repo_ids: set[str]) -> set[str]:
        # Repo ids are matched as stored (the primary key); bases keep their declared spelling.
        bases: set[str] = set()
        for chunk in chunks(sorted(repo_ids)):
            stmt = (
                select(HUB_LINEAGE.c.repo_id, HUB_LINEAGE.c.base_repo_id, HUB_LINEAGE.c.relation)
                .where(HUB_LINEAGE.c.repo_id.in_(chunk))
                .order_by(HUB_LINEAGE.c.repo_id, HUB_LINEAGE.c.position)
            )
            for repo_id, base, relation in self.conn.execute(stmt):
                self.parents.setdefault(repo_id.lower(), []).append((base, relation))
                bases.add(base)
        for repo_id in repo_ids:
            self.parents.setdefault(repo_id.lower(), [])
        return bases

    def _load_catalog(self, repo_ids: set[str]) -> None:
        keys = sorted({r.lower() for r in repo_ids})
        for chunk in chunks(keys):
            stmt = (
                select(MODEL.c.hub_key, MODEL.c.id, MODEL.c.license, MODEL.c.tier, MODEL.c.hub_id)
                .where(MODEL.c.hub_key.in_(chunk))
                .order_by(MODEL.c.tier.desc())  # curated last, so it wins
            )
            for hub_key, model_id, license, tier, hub_id in self.conn.execute(stmt):
                self.catalog[hub_key] = (model_id, license, tier, hub_id)

    def _load_tags(self, repo_ids: set[str]) -> None:
        for chunk in chunks(sorted(repo_ids)):
            stmt = select(
                HUB_SNAPSHOT.c.repo_id, HUB_SNAPSHOT.c.license, HUB_SNAPSHOT.c.license_name
            ).where(HUB_SNAPSHOT.c.repo_id.in_(chunk))
            for repo_id, tag, name in self.conn.execute(stmt):
                resolved = self.identifiers.resolve(tag, license_name=name)
                if resolved is not None:
                    self.tags[repo_id.lower()] = resolved


def derivatives_of(conn: Connection, repo_ids: Iterable[str]) -> set[str]:
    """Repos that declare any of ``repo_ids`` as a base, directly or up to ``MAX_DEPTH`` levels."""
    found: set[str] = set()
    frontier = set(repo_ids)
    for _ in range(MAX_DEPTH):
        children: set[str] = set()
        for chunk in chunks(sorted(frontier)):
            stmt = select(HUB_LINEAGE.c.repo_id).where(HUB_LINEAGE.c.base_repo_id.in_(chunk))
            children.update(r for (r,) in conn.execute(stmt))
        frontier = children - found
        if not frontier:
            break
        found |= frontier
    return found


__all__ = [
    "MAX_DEPTH",
    "BaseLicense",
    "LineageIndex",
    "bound_licenses",
    "chunks",
    "derivatives_of",
    "encode",
]

"""Derivatives are bound by their base model's license, whatever their own tag says.

A fine-tune, quantization or re-upload declares its base model (card ``base_model``,
``baseModels``); the sync stores that lineage. ``check_with_lineage`` judges a Hub-tier model
under its own license *and* every license up its chain of base models (``judge_many``: the
strictest verdict wins), and says so when its own tag contradicts the base's license: a
re-upload of Llama 2 tagged ``apache-2.0`` is still under the Llama 2 license.

Curated models are judged on their curated license alone: the curated file already decided.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select
from sqlalchemy.engine import Connection

from catalog.domain import Model
from catalog.errors import UnknownLicenseError
from catalog.store.hub_store import safely
from catalog.store.hub_tables import HUB_LINEAGE, HUB_SNAPSHOT
from catalog.store.tables import MODEL
from catalog.sync.drift import LicenseTable
from catalog.sync.hub_model import UNKNOWN_LICENSE

if TYPE_CHECKING:
    from catalog.api import Catalog
    from catalog.licenses import IntendedUse, Verdict
    from catalog.licenses.policy import Policy
    from catalog.schema import LicenseEntry

MAX_DEPTH = 5
"""Base-of-a-base levels followed (a quantization of a fine-tune of a base model is 2)."""
_CHUNK = 500


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


@dataclass(frozen=True)
class Lineage:
    """A model's base models and whether its own license tag contradicts theirs."""

    model: str
    own_license: str
    bases: tuple[BaseLicense, ...]
    contradiction: str | None

    @property
    def licenses(self) -> list[str]:
        """Licenses that bind the model, its own first (its ``unknown`` dropped when a base binds it)."""
        bound = [b.license for b in self.bases]
        own = [] if self.own_license == UNKNOWN_LICENSE and bound else [self.own_license]
        return list(dict.fromkeys([*own, *bound]))

    def note(self) -> str:
        """Why several licenses apply, in a sentence."""
        parts = [
            f"{b.relation or 'derived'} from {b.repo_id} ({b.license}"
            + (f", via {b.via}" if b.via else "")
            + ")"
            + ("" if b.model_id or b.license != UNKNOWN_LICENSE else ": not in the catalog")
            for b in self.bases
        ]
        text = f"{self.model} is {'; '.join(parts)}"
        return f"{text}. {self.contradiction}" if self.contradiction else text

    def to_json(self) -> dict[str, Any]:
        """``{"base_models": [...], "licenses": [...], "contradiction"}``."""
        return {
            "base_models": [b.to_json() for b in self.bases],
            "licenses": self.licenses,
            "contradiction": self.contradiction,
        }


def lineages(cat: Catalog, models: Iterable[Model]) -> dict[str, Lineage]:
    """The lineage of every Hub-tier model in ``models`` that declares a base model, by model id."""
    derived = [m for m in models if m.tier == "hub" and m.hub_id]
    if not derived:
        return {}
    licenses = LicenseTable.of({lic.id: lic for lic in cat.licenses()})
    with cat.connect() as conn:
        index = _Index(conn, licenses)
        safely(lambda: index.load(m.hub_id for m in derived if m.hub_id), None)
    out: dict[str, Lineage] = {}
    for model in derived:
        assert model.hub_id is not None
        bases = index.chain(model.hub_id)
        if bases:
            out[model.id] = Lineage(model.id, model.license, bases, _contradiction(model, bases))
    return out


def check_with_lineage(
    cat: Catalog,
    models: Sequence[Model],
    licenses: Mapping[str, LicenseEntry],
    use: IntendedUse,
    *,
    policy: Policy | None = None,
) -> list[Verdict]:
    """``check_compliance``, with each Hub-tier derivative judged under its base models' licenses too.

    Raises:
        UnknownLicenseError: a model or base names a license id that is not in ``licenses``.
    """
    from catalog.licenses import check_compliance, judge_many

    found = lineages(cat, models)
    verdicts: list[Verdict] = []
    for model in models:
        lineage = found.get(model.id)
        if lineage is None:
            verdicts += check_compliance([model], licenses, use, policy=policy)
            continue
        entries = [_entry(licenses, lid) for lid in lineage.licenses]
        verdict = judge_many(model, entries, use, lineage_note=lineage.note())
        verdicts.append(policy.apply(verdict) if policy is not None else verdict)
    return verdicts


def _entry(licenses: Mapping[str, LicenseEntry], license_id: str) -> LicenseEntry:
    entry = licenses.get(license_id)
    if entry is None:
        raise UnknownLicenseError(
            license_id, difflib.get_close_matches(license_id, list(licenses), n=3)
        )
    return entry


def _contradiction(model: Model, bases: Sequence[BaseLicense]) -> str | None:
    if model.license == UNKNOWN_LICENSE:
        return None
    for base in bases:
        if base.license not in (UNKNOWN_LICENSE, model.license):
            kind = base.relation or "derivative"
            return (
                f"Contradiction: its own license tag says {model.license}, but as a {kind} of "
                f"{base.repo_id} it is bound by {base.license}, whatever its own tag says"
            )
    return None


class _Index:
    """Lineage rows and base-model licenses, loaded level by level in a few queries."""

    def __init__(self, conn: Connection, licenses: LicenseTable) -> None:
        self.conn = conn
        self.licenses = licenses
        self.parents: dict[str, list[tuple[str, str | None]]] = {}
        self.catalog: dict[str, tuple[str, str, str]] = {}
        """lower Hub id -> (model id, license, tier), curated preferred."""
        self.tags: dict[str, str] = {}
        """lower Hub id -> license resolved from a stored snapshot's tag."""

    def load(self, repo_ids: Iterable[str]) -> None:
        frontier = {r.lower() for r in repo_ids}
        for _ in range(MAX_DEPTH):
            frontier -= set(self.parents)
            if not frontier:
                return
            bases = self._load_parents(frontier)
            self._load_catalog(bases - set(self.catalog))
            self._load_tags({b for b in bases if b not in self.catalog} - set(self.tags))
            frontier = {b for b in bases if self.catalog.get(b, ("", "", "curated"))[2] == "hub"}

    def chain(self, repo_id: str) -> tuple[BaseLicense, ...]:
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
                    model_id, license, tier = self.catalog.get(key, (None, None, None))
                    license = license or self.tags.get(key) or UNKNOWN_LICENSE
                    out.append(BaseLicense(base, relation, license, model_id, via))
                    if tier == "hub":
                        following.append((key, via or base))
            level = following
        return tuple(out)

    def _load_parents(self, repo_ids: set[str]) -> set[str]:
        bases: set[str] = set()
        for chunk in _chunks(sorted(repo_ids)):
            stmt = (
                select(HUB_LINEAGE.c.repo_id, HUB_LINEAGE.c.base_repo_id, HUB_LINEAGE.c.relation)
                .where(func.lower(HUB_LINEAGE.c.repo_id).in_(chunk))
                .order_by(HUB_LINEAGE.c.position)
            )
            for repo_id, base, relation in self.conn.execute(stmt):
                self.parents.setdefault(repo_id.lower(), []).append((base, relation))
                bases.add(base.lower())
        for repo_id in repo_ids:
            self.parents.setdefault(repo_id, [])
        return bases

    def _load_catalog(self, repo_ids: set[str]) -> None:
        for chunk in _chunks(sorted(repo_ids)):
            stmt = (
                select(MODEL.c.hub_id, MODEL.c.id, MODEL.c.license, MODEL.c.tier)
                .where(func.lower(MODEL.c.hub_id).in_(chunk))
                .order_by(MODEL.c.tier.desc())  # curated last, so it wins
            )
            for hub_id, model_id, license, tier in self.conn.execute(stmt):
                self.catalog[hub_id.lower()] = (model_id, license, tier)

    def _load_tags(self, repo_ids: set[str]) -> None:
        for chunk in _chunks(sorted(repo_ids)):
            stmt = select(
                HUB_SNAPSHOT.c.repo_id, HUB_SNAPSHOT.c.license, HUB_SNAPSHOT.c.license_name
            ).where(func.lower(HUB_SNAPSHOT.c.repo_id).in_(chunk))
            for repo_id, tag, name in self.conn.execute(stmt):
                resolved = self.licenses.resolve(tag, name)
                if resolved is not None:
                    self.tags[repo_id.lower()] = resolved


def _chunks(items: list[str]) -> Iterable[list[str]]:
    for i in range(0, len(items), _CHUNK):
        yield items[i : i + _CHUNK]

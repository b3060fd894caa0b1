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

from catalog.domain import Model
from catalog.errors import UnknownLicenseError
from catalog.licenses.identifiers import UNKNOWN_LICENSE, LicenseIdentifiers
from catalog.store.hub_store import safely
from catalog.store.lineage_index import BaseLicense, LineageIndex, bound_licenses

if TYPE_CHECKING:
    from catalog.api import Catalog
    from catalog.licenses import IntendedUse, Verdict
    from catalog.licenses.policy import Policy
    from catalog.schema import LicenseEntry


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
        return bound_licenses(self.own_license, self.bases)

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
    identifiers = LicenseIdentifiers.from_licenses({lic.id: lic for lic in cat.licenses()})
    with cat.connect() as conn:
        index = LineageIndex(conn, identifiers)
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


__all__ = ["BaseLicense", "Lineage", "check_with_lineage", "lineages"]

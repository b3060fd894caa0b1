"""Where the Hub disagrees with a curated judgment: license, access (gated) and parameter count.

Drift is reported, never applied: the curated file stays the source of truth.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from catalog.domain import Model
from catalog.errors import CatalogError
from catalog.licenses import LicenseIdentifiers
from catalog.schema import LicenseEntry
from catalog.store.hub_records import DriftItem, HubSnapshot

if TYPE_CHECKING:
    from catalog.estimate import Architecture

PARAMS_TOLERANCE = 0.02
"""Relative difference above which parameter counts disagree."""

_NO_LICENSE_TAGS = frozenset({"other", "unknown"})
"""Hub tags that name no particular license, so they cannot contradict a curated one."""


@dataclass(frozen=True)
class LicenseTable:
    """The license entries and their identifier index, read once per sync."""

    entries: Mapping[str, LicenseEntry]
    identifiers: LicenseIdentifiers

    @classmethod
    def of(cls, entries: Mapping[str, LicenseEntry]) -> LicenseTable:
        """Index ``entries`` (license id -> entry)."""
        return cls(entries, LicenseIdentifiers.from_licenses(entries))

    def resolve(self, tag: str | None, license_name: str | None = None) -> str | None:
        """Our license id for a Hub license tag (and card ``license_name``), or None."""
        return self.identifiers.resolve(tag, license_name=license_name)

    @property
    def commercial_use(self) -> dict[str, str]:
        """License id -> the value of its ``commercial_use`` term (what the ranking scores)."""
        return {lid: entry.term("commercial_use").value for lid, entry in self.entries.items()}


def find_drift(model: Model, snapshot: HubSnapshot, licenses: LicenseTable) -> list[DriftItem]:
    """Every field where the Hub's ``snapshot`` contradicts the curated ``model``."""
    found = [
        _license_drift(model, snapshot, licenses),
        _access_drift(model, snapshot),
        _params_drift(model, snapshot),
    ]
    return [item for item in found if item is not None]


def _license_drift(model: Model, snapshot: HubSnapshot, licenses: LicenseTable) -> DriftItem | None:
    tag = snapshot.license
    name = snapshot.license_name
    if not tag:
        return None
    shown = f"{tag} ({name})" if name and tag.lower() == "other" else tag
    resolved = licenses.resolve(tag, name)
    if resolved is not None:
        if resolved == model.license:
            return None
        return DriftItem(
            model.id, "license", model.license, resolved, f"the Hub's license tag is {shown!r}"
        )
    entry = licenses.entries.get(model.license)
    if tag.lower() in _NO_LICENSE_TAGS:
        # "other" + a name we do not know contradicts only a curated entry that names its own.
        if not name or entry is None or not entry.hub_license_name:
            return None
    elif entry is not None and (entry.hub_id or "").lower() == tag.lower():
        return None
    return DriftItem(
        model.id,
        "license",
        model.license,
        shown,
        f"the Hub's license tag {shown!r} is not {model.license} (and not a license modelcat knows)",
    )


def _access_drift(model: Model, snapshot: HubSnapshot) -> DriftItem | None:
    gated = snapshot.gated
    if gated is None or model.access not in ("open", "gated"):
        return None
    hub = "open" if gated is False else "gated"
    if hub == model.access:
        return None
    how = "not gated" if gated is False else f"gated ({gated} approval)"
    return DriftItem(model.id, "access", model.access, hub, f"the Hub repository is {how}")


def _params_drift(model: Model, snapshot: HubSnapshot) -> DriftItem | None:
    curated = model.params
    if not curated:
        return None
    figures = hub_param_figures(snapshot)
    if not figures:
        return None
    closest = min(figures.values(), key=lambda n: abs(n - curated))
    if abs(closest - curated) / curated <= PARAMS_TOLERANCE:
        return None
    primary = figures.get("config.json estimate") or next(iter(figures.values()))
    detail = "; ".join(f"{label} {value:,}" for label, value in figures.items())
    return DriftItem(
        model.id,
        "params",
        curated,
        primary,
        f"off by more than {PARAMS_TOLERANCE:.0%}: {detail}",
    )


def hub_param_figures(snapshot: HubSnapshot) -> dict[str, int]:
    """The Hub's parameter counts that can be compared with a curated count, by how they were read.

    * ``config.json estimate``: the estimator's formula on the downloaded config (tied
      matrices once, quantized weights at their logical size).
    * ``safetensors total``: stored tensor elements, only for an unquantized checkpoint (packed
      int4 weights shrink the count).
    * ``safetensors total, tied embedding once``: the same minus one vocab x hidden matrix when
      the config ties embeddings, since a tied matrix may be saved twice.
    """
    figures: dict[str, int] = {}
    arch = None
    if snapshot.config is not None:
        arch, estimate = _estimate(snapshot.config)
        if estimate:
            figures["config.json estimate"] = estimate
    total = snapshot.safetensors_total
    if total is not None and total > 0 and not snapshot.quantized:
        figures["safetensors total"] = total
        if arch is not None and arch.tied_embeddings:
            figures["safetensors total, tied embedding once"] = (
                total - arch.vocab_size * arch.hidden_size
            )
    return figures


def _estimate(config: Mapping[str, Any]) -> tuple[Architecture | None, int | None]:
    """(architecture or None, formula parameter count or None) for a config from the Hub."""
    from catalog.estimate import read_architecture, resolve

    try:
        arch = read_architecture(config)
    except (CatalogError, ArithmeticError, LookupError, TypeError, ValueError):
        return None, None
    try:
        # Formulas only: an exact count would import torch and transformers for every model.
        return arch, resolve(config=config, exact=False).count.total
    except (CatalogError, ArithmeticError, LookupError, TypeError, ValueError):
        return arch, None

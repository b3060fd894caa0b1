"""``ModelDetail``: everything known about one model, read once for every front end.

Curated facts, the license and its verdict for an intended use (with lineage, as ``license
check`` judges), estimates, the Hub facts of the last sync, drift, lineage, copies on this
machine and the stored benchmark runs. A section that cannot be filled (an API-only model has no
local copy, a model without a size has no estimate) carries a note saying why instead.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from catalog.errors import CatalogError

if TYPE_CHECKING:
    from catalog.api import Catalog
    from catalog.bench.records import StoredRun
    from catalog.domain import Model
    from catalog.estimate import Estimate
    from catalog.fit.hardware import FitResult, Hardware
    from catalog.licenses import IntendedUse, Verdict
    from catalog.local.model import LocalModel
    from catalog.schema import LicenseEntry
    from catalog.store.hub_records import DriftItem, HubSnapshot
    from catalog.sync.lineage import Lineage

ESTIMATE_DTYPES: tuple[str, ...] = ("bf16", "int8", "int4")
"""The weight formats every detail estimates, the most precise first."""
BENCH_RUNS = 20
"""Stored runs a detail reads, newest first."""
LOCAL_CONFIG_SOURCE = "the config.json of the local copy"


@dataclass(frozen=True)
class ModelDetail:
    """One model, every section (see the module docstring)."""

    model: Model
    license: LicenseEntry
    use: IntendedUse
    """The intended use the verdict was judged for."""
    verdict: Verdict | None
    """The verdict for ``use``; None when it could not be judged (``verdict_note`` says why)."""
    verdict_note: str | None
    estimates: tuple[Estimate, ...]
    """One per ``ESTIMATE_DTYPES``; empty when nothing can be estimated (``estimate_note``)."""
    estimate_note: str | None
    shape_source: str
    """Where the architecture numbers came from when it was a local copy (else empty: the
    estimates' own assumptions say it)."""
    fits: Mapping[str, FitResult] = field(default_factory=dict)
    """dtype -> the fit on the hardware given to ``model_detail`` (empty without one)."""
    local: tuple[LocalModel, ...] = ()
    """Copies of this model in the Hugging Face cache, and its GGUF copies (LM Studio,
    llama.cpp's cache, Ollama)."""
    local_note: str | None = None
    hub: HubSnapshot | None = None
    """What the Hub said at the last sync; None before one (or without a Hub id)."""
    hub_note: str | None = None
    drift: tuple[DriftItem, ...] = ()
    """Where the Hub now disagrees with the curated entry."""
    lineage: Lineage | None = None
    """The base models of a Hub-tier derivative and the licenses that bind it."""
    bench: tuple[StoredRun, ...] = ()
    """Stored benchmark runs of the model (its id or its Hub id), newest first."""


def model_detail(
    cat: Catalog,
    model: Model | str,
    *,
    use: IntendedUse | None = None,
    hardware: Hardware | None = None,
) -> ModelDetail:
    """Read every section of one model.

    Args:
        cat: the catalog.
        model: the model, or its catalog or Hub id.
        use: the intended use to judge the license for (``IntendedUse()``, commercial, by default).
        hardware: judge the estimates' fit on this machine (no fits without one).

    Raises:
        UnknownModelError: ``model`` names no catalog entry.
    """
    from catalog.bench.store import load_results
    from catalog.licenses import IntendedUse
    from catalog.store import hub_store

    entry = cat.get(model) if isinstance(model, str) else model
    intended = use if use is not None else IntendedUse()
    verdict, verdict_note = _verdict(cat, entry, intended)
    local, local_note = _local(cat, entry)
    local_config = next((copy.config for copy in local if copy.config), None)
    estimates, estimate_note = _estimates(cat, entry, local_config)
    keys = [entry.id, *([entry.hub_id] if entry.hub_id else [])]
    return ModelDetail(
        model=entry,
        license=cat.license(entry.license),
        use=intended,
        verdict=verdict,
        verdict_note=verdict_note,
        estimates=estimates,
        estimate_note=estimate_note,
        shape_source=LOCAL_CONFIG_SOURCE if local_config and estimates else "",
        fits=_fits(estimates, hardware),
        local=local,
        local_note=local_note,
        hub=hub_store.stored_snapshot(cat.engine, entry.hub_id) if entry.hub_id else None,
        hub_note=None if entry.hub_id else "Not on the Hub (no hub id).",
        drift=tuple(hub_store.stored_drift(cat.engine, [entry.id])),
        lineage=_lineage(cat, entry),
        bench=tuple(load_results(cat, model=keys, limit=BENCH_RUNS)),
    )


def _verdict(cat: Catalog, model: Model, use: IntendedUse) -> tuple[Verdict | None, str | None]:
    from catalog.sync import check_with_lineage

    try:
        licenses = {lic.id: lic for lic in cat.licenses()}
        [verdict] = check_with_lineage(cat, [model], licenses, use)
    except CatalogError as exc:
        return None, str(exc)
    return verdict, None


def _local(cat: Catalog, model: Model) -> tuple[tuple[LocalModel, ...], str | None]:
    if model.is_api:
        return (), "API-only: there are no weights to have on this machine."
    from catalog.local.catalog_link import local_copies

    return tuple(local_copies(model, cat=cat)), None


def _estimates(
    cat: Catalog, model: Model, local_config: Mapping[str, object] | None
) -> tuple[tuple[Estimate, ...], str | None]:
    # A local copy's own config.json describes exactly the weights on this machine; otherwise
    # ``estimate_for`` takes the config stored by the last Hub sync, else the curated numbers.
    from catalog.fit.verdict import estimate_for

    try:
        found = [
            estimate_for(model, config=local_config, cat=cat, dtype=dtype)
            for dtype in ESTIMATE_DTYPES
        ]
    except CatalogError as exc:
        return (), str(exc)
    return tuple(found), None


def _fits(estimates: tuple[Estimate, ...], hardware: Hardware | None) -> dict[str, FitResult]:
    if hardware is None:
        return {}
    from catalog.fit.hardware import fit

    return {
        e.inference.dtype: fit(required_bytes=e.inference.total_bytes, hardware=hardware)
        for e in estimates
    }


def _lineage(cat: Catalog, model: Model) -> Lineage | None:
    from catalog.sync.lineage import lineages

    return lineages(cat, [model]).get(model.id)

"""Everything the detail screen shows about one model, gathered in a worker thread.

Each section calls the ``catalog`` function that owns it (the same ones ``modelcat show`` uses);
a section that cannot be filled (an API-only model has no local copy, a model without a size has
no estimate) leaves a note that the screen shows instead.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from catalog.errors import CatalogError
from tui.state import UseState

if TYPE_CHECKING:
    from catalog.api import Catalog
    from catalog.bench.records import StoredRun
    from catalog.domain import Model
    from catalog.fit.hardware import Hardware
    from catalog.licenses import Verdict
    from catalog.local.model import LocalModel

ESTIMATE_DTYPES = ("bf16", "int8", "int4")
BENCH_HISTORY = 10


@dataclass
class DetailData:
    """One model's sections."""

    model: Model
    license: dict[str, Any]
    """``catalog.describe.license_summary``."""
    use_label: str
    verdict: Verdict | None = None
    """The license verdict for the intended use (None when it could not be judged)."""
    verdict_note: str | None = None
    estimates: list[dict[str, Any]] = field(default_factory=list)
    fits: dict[str, str] = field(default_factory=dict)
    shape_source: str = ""
    estimate_note: str | None = None
    local: list[LocalModel] = field(default_factory=list)
    """Copies of this model on this machine."""
    local_note: str | None = None
    hub: dict[str, Any] | None = None
    """``catalog.sync.hub_view``: the Hub facts of the last sync (all None before one)."""
    drift: list[dict[str, Any]] = field(default_factory=list)
    """``catalog.sync.drift_view``: where the Hub now disagrees with the curated data."""
    lineage: dict[str, Any] | None = None
    """``catalog.sync.lineage_view``: the base models of a Hub-tier derivative."""
    hub_note: str | None = None
    bench: list[StoredRun] = field(default_factory=list)
    """Stored benchmark runs of this model, newest first."""


def gather(
    cat: Catalog, model_id: str, *, use: UseState | None, hardware: Hardware | None = None
) -> DetailData:
    """Read every section for ``model_id`` (raises ``UnknownModelError`` for a bad id)."""
    from catalog.bench.store import load_results
    from catalog.describe import license_summary
    from catalog.sync import drift_view, hub_view, lineage_view
    from catalog.text import printable_tree

    model = cat.get(model_id)
    chosen = use or UseState()
    label = chosen.describe() + ("" if use else " (default; set it under Intended use)")
    data = DetailData(model, license_summary(cat, model.license), label)
    _verdict(cat, model, chosen, data)
    _local(cat, model, data)
    _estimates(cat, model, hardware, data)
    if model.hub_id:
        data.hub, data.drift = hub_view(cat, model), drift_view(cat, model)
        data.lineage = lineage_view(cat, model)
    else:
        data.hub_note = "Not on the Hub (no hub id)."
    # Runs of the Hub id count too, as in ``modelcat show`` (a folder benchmarked by its id).
    keys = [model.id, *([model.hub_id] if model.hub_id else [])]
    data.bench = load_results(cat, model=keys, limit=BENCH_HISTORY)
    return printable_tree(data)


def _verdict(cat: Catalog, model: Model, use: UseState, data: DetailData) -> None:
    # With lineage, as ``modelcat license check``: a derivative is bound by its bases' licenses.
    from catalog.sync import check_with_lineage

    try:
        licenses = {lic.id: lic for lic in cat.licenses()}
        [data.verdict] = check_with_lineage(cat, [model], licenses, use.intended_use())
    except CatalogError as exc:
        data.verdict_note = str(exc)


def _local(cat: Catalog, model: Model, data: DetailData) -> None:
    if model.is_api:
        data.local_note = "API-only: there are no weights to have on this machine."
        return
    from catalog.local.catalog_link import local_copies

    data.local = local_copies(model, cat=cat)


def _estimates(cat: Catalog, model: Model, hardware: Hardware | None, data: DetailData) -> None:
    from catalog.fit.hardware import fit
    from catalog.fit.verdict import estimate_for

    # A local copy's own config.json describes exactly the weights on this machine; otherwise
    # ``estimate_for`` takes the config stored by the last Hub sync, else the curated numbers.
    local = next((copy.config for copy in data.local if copy.config), None)
    if local:
        data.shape_source = "the config.json of the local copy"
    try:
        for dtype in ESTIMATE_DTYPES:
            result = estimate_for(model, config=local, cat=cat, dtype=dtype)
            data.estimates.append(result.to_json())
    except CatalogError as exc:
        data.estimate_note = str(exc)
        data.estimates.clear()
        return
    if hardware is not None:
        for doc in data.estimates:
            inference = doc["inference"]
            verdict = fit(required_bytes=inference["total_bytes"], hardware=hardware)
            data.fits[inference["dtype"]] = f"{verdict.level} ({verdict.device})"

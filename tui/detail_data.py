"""Everything the detail screen shows about one model, gathered in a worker thread.

Each section calls the ``catalog`` feature that owns it; a feature this installation lacks
leaves a note that the screen shows instead of numbers.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from catalog.errors import CatalogError
from tui import features
from tui.state import UseState

if TYPE_CHECKING:
    from catalog.api import Catalog
    from catalog.domain import Model

ESTIMATE_DTYPES = ("bf16", "int8", "int4")
BENCH_HISTORY = 10


@dataclass
class DetailData:
    """One model's sections."""

    model: Model
    license: dict[str, Any]
    """``catalog.describe.license_summary``."""
    use_label: str
    verdict: Any = None
    """``catalog.licenses.Verdict`` for the intended use (None when unavailable)."""
    verdict_note: str | None = None
    estimates: list[dict[str, Any]] = field(default_factory=list)
    fits: dict[str, str] = field(default_factory=dict)
    shape_source: str = ""
    estimate_note: str | None = None
    local: list[Any] = field(default_factory=list)
    """``catalog.local.LocalModel`` copies of this model on this machine."""
    local_note: str | None = None
    hub: dict[str, Any] | None = None
    """``catalog.sync.hub_view``: the Hub facts of the last sync (all None before one)."""
    drift: list[dict[str, Any]] = field(default_factory=list)
    """``catalog.sync.drift_view``: where the Hub now disagrees with the curated data."""
    hub_note: str | None = None
    bench: list[Any] = field(default_factory=list)
    """Stored benchmark runs of this model (``catalog.bench.store.StoredRun``), newest first."""
    bench_note: str | None = None


def gather(
    cat: Catalog, model_id: str, *, use: UseState | None, hardware: Any = None
) -> DetailData:
    """Read every section for ``model_id`` (raises ``UnknownModelError`` for a bad id)."""
    from catalog.describe import license_summary

    model = cat.get(model_id)
    chosen = use or UseState()
    label = chosen.describe() + ("" if use else " (default; set it under Intended use)")
    data = DetailData(model, license_summary(cat, model.license), label)
    _verdict(cat, model, chosen, data)
    _local(model, data)
    _estimates(model, hardware, data)
    if not features.available("sync"):
        data.hub_note = features.missing_message("sync")
    elif not model.hub_id:
        data.hub_note = "Not on the Hub (no hub id)."
    else:
        from catalog.sync import drift_view, hub_view

        data.hub, data.drift = hub_view(cat, model), drift_view(cat, model)
    if features.available("bench_results"):
        from catalog.bench.store import load_results

        data.bench = load_results(cat, model=model.id, limit=BENCH_HISTORY)
    else:
        data.bench_note = features.missing_message("bench_results")
    return data


def local_copies(model: Model) -> tuple[list[Any], str | None]:
    """Copies of ``model`` on this machine (Hugging Face cache), and a note when unavailable."""
    if not features.available("local"):
        return [], features.missing_message("local")
    from catalog.local import find_local_models
    from catalog.local_link import link

    scan = find_local_models()
    linked = link(scan.models, [model])
    return [m for m in linked if m.catalog_id == model.id], None


def _verdict(cat: Catalog, model: Model, use: UseState, data: DetailData) -> None:
    if not features.available("compliance"):
        data.verdict_note = features.missing_message("compliance")
        return
    from catalog.licenses import check_compliance

    try:
        licenses = {lic.id: lic for lic in cat.licenses()}
        [data.verdict] = check_compliance([model], licenses, use.intended_use())
    except CatalogError as exc:
        data.verdict_note = str(exc)


def _local(model: Model, data: DetailData) -> None:
    if model.is_api:
        data.local_note = "API-only: there are no weights to have on this machine."
        return
    data.local, data.local_note = local_copies(model)


def _estimates(model: Model, hardware: Any, data: DetailData) -> None:
    if not features.available("estimate"):
        data.estimate_note = features.missing_message("estimate")
        return
    from catalog.fitting import estimate_for

    local = next((copy.config for copy in data.local if copy.config), None)
    if local:
        data.shape_source = "the config.json of the local copy"
    try:
        for dtype in ESTIMATE_DTYPES:
            result = estimate_for(model, config=local, dtype=dtype)
            data.estimates.append(result.to_json())
    except CatalogError as exc:
        data.estimate_note = str(exc)
        data.estimates.clear()
        return
    if hardware is not None and features.available("hardware"):
        from catalog.hardware import fit

        for doc in data.estimates:
            inference = doc["inference"]
            verdict = fit(required_bytes=inference["total_bytes"], hardware=hardware)
            data.fits[inference["dtype"]] = f"{verdict.level} ({verdict.device})"

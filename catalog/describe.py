"""Everything known about one model, as one JSON document (``modelcat show``, TUI detail)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from catalog.bench.describe_sections import benchmarks_section, local_section
from catalog.fit.verdict import estimate_summary
from catalog.sync.view import drift_view, hub_view, lineage_view

if TYPE_CHECKING:
    from catalog.api import Catalog
    from catalog.domain import Model


def describe(cat: Catalog, model: Model) -> dict[str, Any]:
    """The model's JSON with its config, plus: license summary, estimate, local copies,
    stored benchmarks, Hub facts, drift from the curated entry and lineage."""
    details = model.to_json(with_config=True)
    details["license_summary"] = license_summary(cat, model.license)
    details["estimate"] = estimate_summary(model, cat)
    details["local"] = local_section(cat, model)
    details["benchmarks"] = benchmarks_section(cat, model)
    details["hub"] = hub_view(cat, model)
    details["drift"] = drift_view(cat, model)
    details["lineage"] = lineage_view(cat, model)
    return details


def license_summary(cat: Catalog, license_id: str) -> dict[str, Any]:
    """The license's name, identifiers and each term's value with its clause and source."""
    lic = cat.license(license_id)
    return {
        "id": lic.id,
        "name": lic.name,
        "spdx": lic.spdx,
        "osi_approved": lic.osi_approved,
        "mau_limit": lic.mau_limit,
        "source": lic.source,
        "terms": {
            name: {"value": term.value, "clause": term.clause, "source": term.source or lic.source}
            for name, term in lic.terms.items()
        },
    }

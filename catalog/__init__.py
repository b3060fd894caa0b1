"""modelcat's domain package: the curated catalog, its store and every query over it.

Example:
    >>> from catalog import Catalog
    >>> with Catalog.open() as cat:
    ...     cat.get("llama-2-7b").license
    'llama2'
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from catalog.advisor import advise
    from catalog.api import Catalog
    from catalog.bench import run_benchmark
    from catalog.domain import Model
    from catalog.errors import CatalogError
    from catalog.fit.hardware import detect_hardware
    from catalog.licenses import IntendedUse, Verdict, check_compliance, load_policy
    from catalog.local.scan import find_local_models
    from catalog.search import Filters, FitQuery

__all__ = [
    "Catalog",
    "CatalogError",
    "Filters",
    "FitQuery",
    "IntendedUse",
    "Model",
    "Verdict",
    "advise",
    "check_compliance",
    "detect_hardware",
    "find_local_models",
    "load_policy",
    "run_benchmark",
]

# Public names resolve on first use, so `import catalog` stays cheap (no database layer).
_LAZY = {
    "Catalog": "catalog.api",
    "CatalogError": "catalog.errors",
    "Filters": "catalog.search",
    "FitQuery": "catalog.search",
    "Model": "catalog.domain",
    "IntendedUse": "catalog.licenses",
    "Verdict": "catalog.licenses",
    "check_compliance": "catalog.licenses",
    "load_policy": "catalog.licenses",
    "advise": "catalog.advisor",
    "detect_hardware": "catalog.fit.hardware",
    "run_benchmark": "catalog.bench",
    "find_local_models": "catalog.local.scan",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'catalog' has no attribute {name!r}")
    import importlib

    return getattr(importlib.import_module(module), name)

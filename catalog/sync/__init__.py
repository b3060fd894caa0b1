"""The Hub sync: enrich the catalog from the Hugging Face Hub, incrementally and fault-tolerantly.

    from catalog import Catalog
    from catalog.hub import HubClient
    from catalog.sync import discover, sync_catalog

    report = sync_catalog(cat, client=HubClient(), progress=print)   # the curated models
    report = discover(cat, client=HubClient(), author="TheBloke")   # the ``hub`` tier

Both take a progress callback and a cancel event (the TUI runs them in a thread worker), never
overwrite a curated judgment, and write each model in one transaction.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from catalog.api import Catalog
    from catalog.hub import HubClient
    from catalog.store.hub_records import DriftItem
    from catalog.sync.curated import sync_catalog
    from catalog.sync.discovery import discover
    from catalog.sync.lineage import BaseLicense, Lineage, check_with_lineage, lineages
    from catalog.sync.report import SyncFailure, SyncProgress, SyncReport
    from catalog.sync.snapshots import synced_config

# Public names resolve on first use: a license check with lineage (catalog.sync.lineage) or
# the Hub facts of ``show`` (catalog.sync.snapshots) need none of the fetching side.
_LAZY = {
    "DriftItem": "catalog.store.hub_records",
    "sync_catalog": "catalog.sync.curated",
    "discover": "catalog.sync.discovery",
    "BaseLicense": "catalog.sync.lineage",
    "Lineage": "catalog.sync.lineage",
    "check_with_lineage": "catalog.sync.lineage",
    "lineages": "catalog.sync.lineage",
    "SyncFailure": "catalog.sync.report",
    "SyncProgress": "catalog.sync.report",
    "SyncReport": "catalog.sync.report",
    "synced_config": "catalog.sync.snapshots",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'catalog.sync' has no attribute {name!r}")
    import importlib

    return getattr(importlib.import_module(module), name)


def sync(
    *,
    catalog: Catalog,
    client: HubClient | None = None,
    full: bool = False,
    models: Sequence[str] | None = None,
    concurrency: int = 8,
    progress: Callable[[SyncProgress], None] | None = None,
    cancel: threading.Event | None = None,
) -> SyncReport:
    """``sync_catalog`` with a client built from the environment when none is given (the TUI's call)."""
    from catalog.hub import HubClient
    from catalog.sync.curated import sync_catalog

    return sync_catalog(
        catalog,
        client=client if client is not None else HubClient(),
        full=full,
        models=models,
        concurrency=concurrency,
        progress=progress,
        cancel=cancel,
    )


__all__ = [
    "BaseLicense",
    "DriftItem",
    "Lineage",
    "SyncFailure",
    "SyncProgress",
    "SyncReport",
    "check_with_lineage",
    "discover",
    "lineages",
    "sync",
    "sync_catalog",
    "synced_config",
]

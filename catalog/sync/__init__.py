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
from typing import TYPE_CHECKING

from catalog.store.hub_records import DriftItem
from catalog.sync.curated import sync_catalog
from catalog.sync.discovery import discover
from catalog.sync.lineage import BaseLicense, Lineage, check_with_lineage, lineages
from catalog.sync.report import SyncFailure, SyncProgress, SyncReport
from catalog.sync.snapshots import synced_config

if TYPE_CHECKING:
    from catalog.api import Catalog
    from catalog.hub import HubClient


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

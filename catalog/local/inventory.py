"""What ``modelcat local`` lists: the Hub cache and the configured folders, linked to the catalog,
and (for the TUI's local models screen) each copy's latest benchmark."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from catalog.local.folders import DEFAULT_MAX_DEPTH
from catalog.local.model import LocalModel, LocalScan

if TYPE_CHECKING:
    from catalog.api import Catalog
    from catalog.bench.records import StoredRun


@dataclass(frozen=True)
class LocalEntry:
    """A model on disk and the newest stored benchmark of it (on any machine)."""

    model: LocalModel
    last_run: StoredRun | None


def installed_models(
    cat: Catalog,
    *,
    paths: Sequence[Path] = (),
    hf_cache: bool = True,
    max_depth: int = DEFAULT_MAX_DEPTH,
) -> tuple[LocalScan, list[Path]]:
    """The models in the Hub cache and in the config file's ``paths`` plus ``paths``, each with
    its ``catalog_id`` where one matches; and the folders that were searched."""
    from catalog.config_file import load_config
    from catalog.local.catalog_link import link_to_catalog
    from catalog.local.scan import find_local_models

    folders = [*load_config().paths, *paths]
    scan = find_local_models(paths=folders, hf_cache=hf_cache, max_depth=max_depth)
    linked = LocalScan(models=tuple(link_to_catalog(cat, scan.models)), warnings=scan.warnings)
    return linked, folders


def local_inventory(cat: Catalog) -> tuple[list[LocalEntry], tuple[str, ...]]:
    """Every installed model with its latest benchmark, and what the scan skipped."""
    from catalog.bench.store import load_results

    scan, _ = installed_models(cat)
    entries = []
    for model in scan.models:
        keys = [k for k in (model.catalog_id, model.hub_id, str(model.path)) if k]
        runs = load_results(cat, model=keys, limit=1)
        entries.append(LocalEntry(model, runs[0] if runs else None))
    return entries, scan.warnings

"""What ``modelcat bench MODEL_OR_PATH`` measures: a folder, a cached Hub id or a catalog id.

The benchmark never downloads. A catalog id is measured on the copy
``catalog.local.model_folder.copy_to_benchmark`` picks (the rule the TUI uses too).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from catalog.errors import UnknownModelError

if TYPE_CHECKING:
    from catalog.api import Catalog


@dataclass(frozen=True)
class BenchTarget:
    """What to hand ``run_benchmark`` and the catalog entry its result belongs to."""

    path_or_model: str
    catalog_id: str | None


def resolve_target(cat: Catalog, text: str, *, backend: str | None = None) -> BenchTarget:
    """Resolve a folder, a GGUF file, a Hub id (``owner/name``) or a catalog id; with the
    llama-cpp backend a catalog id is measured on a GGUF copy linked to it.

    Raises:
        UnknownModelError: not a folder, not a Hub id and no catalog id (close ids suggested).
        BenchmarkError: an API-only catalog model, or no local copy of a catalog model.
    """
    path = Path(text).expanduser()
    if path.exists():
        return BenchTarget(str(path.absolute()), _catalog_id_of_path(cat, path))
    if "/" in text or text.startswith((".", "~")):
        # A Hub id (run_benchmark checks it is cached) or a folder that does not exist.
        return BenchTarget(text, _catalog_id_of_hub_id(cat, text))
    try:
        model = cat.get(text)
    except UnknownModelError:
        if _cached(text):  # a single-segment Hub id (``gpt2``) that is not a catalog id
            return BenchTarget(text, None)
        raise
    from catalog.local.model_folder import copy_to_benchmark

    return BenchTarget(str(copy_to_benchmark(cat, model, backend=backend).path), model.id)


def _cached(hub_id: str) -> bool:
    from catalog.local.hf_cache import cached_snapshot, is_valid_hub_id

    return is_valid_hub_id(hub_id) and cached_snapshot(hub_id) is not None


def _catalog_id_of_path(cat: Catalog, path: Path) -> str | None:
    from catalog.local.catalog_link import link_to_catalog
    from catalog.local.folders import scan_folder

    if not path.is_dir() and path.suffix.lower() != ".gguf":
        return None
    # A GGUF file links by what its header says.
    linked = link_to_catalog(cat, scan_folder(path, max_depth=0).models)
    return linked[0].catalog_id if linked else None


def _catalog_id_of_hub_id(cat: Catalog, hub_id: str) -> str | None:
    from catalog.local.catalog_link import catalog_ids_by_hub_id

    return catalog_ids_by_hub_id(cat, [hub_id]).get(hub_id.lower())


def resolve_server_target(
    cat: Catalog, text: str | None, *, server_model: str | None
) -> BenchTarget:
    """For a server run: ``text`` names the catalog entry the server's model is (optional).

    Raises:
        UnknownModelError: ``text`` is not a catalog id (close ids suggested).
    """
    if text is not None:
        return BenchTarget("", cat.get(text).id)
    if server_model and server_model.lower().endswith(".gguf") and Path(server_model).is_file():
        # llama_cpp.server names its model by the file's path: link what the file is.
        return BenchTarget("", _catalog_id_of_path(cat, Path(server_model)))
    return BenchTarget("", None)

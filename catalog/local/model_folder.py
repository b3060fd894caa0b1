"""Which copy of a catalog model a benchmark measures: one rule for ``modelcat bench`` and the TUI.

A transformers folder first (the model's own repository in the Hugging Face cache, else a copy
in the config file's folders linked to the entry), then a GGUF copy linked to it (LM Studio,
llama.cpp's cache, Ollama, the config file's folders). A backend narrows the choice to what it
can load. Nothing is downloaded: when there is no copy, the error says how to get one.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from catalog.errors import BenchmarkError

if TYPE_CHECKING:
    from catalog.api import Catalog
    from catalog.domain import Model
    from catalog.local.model import LocalModel


def copy_to_benchmark(cat: Catalog, model: Model, *, backend: str | None = None) -> LocalModel:
    """The local copy of ``model`` to benchmark.

    Args:
        cat: the catalog (to link copies found in folders to their entries).
        model: a catalog model.
        backend: ``transformers`` (folders only), ``llama-cpp`` (GGUF only), or None for
            whichever copy there is, a folder first.

    Raises:
        BenchmarkError: an API-only model, or no copy the backend can load (with how to get one).
    """
    if model.is_api:
        raise BenchmarkError(f"{model.id} is API-only: there are no weights to benchmark")
    if backend != "llama-cpp":
        folders = _folders(cat, model)
        if folders:
            return folders[0]
    if backend != "transformers":
        from catalog.local.gguf_files import gguf_copies

        ggufs = gguf_copies(cat, model)
        if ggufs:
            return ggufs[0]
    if backend == "llama-cpp":
        raise BenchmarkError(
            f"no GGUF copy of {model.id} in LM Studio's folder, llama.cpp's cache, Ollama or "
            "the config file's folders (see `modelcat local`); pass the .gguf file"
        )
    from catalog.local.download_hint import download_command

    fetch = f"`{download_command(model.hub_id)}`" if model.hub_id else "its weights"
    raise BenchmarkError(
        f"no local copy of {model.id}: fetch {fetch} (nothing is downloaded for you), "
        "or give the model folder"
    )


def _folders(cat: Catalog, model: Model) -> list[LocalModel]:
    """Transformers folders of ``model``: its cached snapshot, else linked config-file copies."""
    from catalog.config_file import load_config
    from catalog.local.catalog_link import link_to_catalog, local_copies
    from catalog.local.scan import find_local_models

    cached = [copy for copy in local_copies(model) if copy.path.is_dir()]
    if cached:
        return cached
    folders = load_config().paths
    if not folders:
        return []
    scan = find_local_models(paths=folders, hf_cache=False)
    return [
        copy
        for copy in link_to_catalog(cat, scan.models)
        if copy.catalog_id == model.id and copy.path.is_dir()
    ]

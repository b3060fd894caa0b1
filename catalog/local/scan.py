"""Everything installed on this machine, in one list: the Hub cache and the user's folders."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from catalog.local.folders import DEFAULT_MAX_DEPTH, scan_folder
from catalog.local.hf_cache import scan_hf_cache
from catalog.local.model import LocalModel, LocalScan


def find_local_models(
    *,
    paths: Sequence[Path] = (),
    hf_cache: bool = True,
    cache_dir: Path | None = None,
    max_depth: int = DEFAULT_MAX_DEPTH,
    runtimes: bool = True,
) -> LocalScan:
    """Everything installed: the Hub cache (unless ``hf_cache`` is False), each of ``paths``,
    and (unless ``runtimes`` is False) the GGUF models of LM Studio, llama.cpp's cache and
    Ollama.

    A model reachable twice (a user folder pointing into the cache) is listed once, the cache
    entry winning because it knows the hub id and revision.
    """
    scans = [scan_hf_cache(cache_dir=cache_dir)] if hf_cache else []
    scans += [scan_folder(p, max_depth=max_depth) for p in paths]
    if runtimes:
        from catalog.local.gguf_files import scan_runtimes

        scans.append(scan_runtimes(max_depth=max_depth))
    seen: set[Path] = set()
    models: list[LocalModel] = []
    for scan in scans:
        for model in scan.models:
            key = model.path.resolve()
            if key not in seen:
                seen.add(key)
                models.append(model)
    warnings = tuple(w for scan in scans for w in scan.warnings)
    return LocalScan(models=tuple(models), warnings=warnings)

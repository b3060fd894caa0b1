"""GGUF models on disk: one ``LocalModel`` per file (or split model) with what its header says,
in the folders the runtimes people use keep them.

- LM Studio: ``~/.lmstudio/models`` (``~/.cache/lm-studio/models`` before 0.3), as
  ``publisher/repo/file.gguf``;
- llama.cpp's download cache: ``LLAMA_CACHE``, else ``$XDG_CACHE_HOME/llama.cpp`` or
  ``~/.cache/llama.cpp``;
- Ollama: ``OLLAMA_MODELS`` or its default folder (``catalog.local.ollama``);
- the Hugging Face cache and ``--path`` folders are scanned by their own modules, which call
  ``gguf_model`` for each GGUF file they meet.

A file whose header cannot be read is still listed (with its size) and a warning says why.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from catalog.local.files import file_size
from catalog.local.gguf_meta import GGUFError, GGUFInfo, read_gguf
from catalog.local.model import LocalModel, LocalScan, LocalSource

if TYPE_CHECKING:
    from catalog.api import Catalog


@dataclass(frozen=True)
class GGUFSummary:
    """What ``modelcat local`` shows of a GGUF header."""

    architecture: str | None
    name: str | None
    parameters: int
    context_length: int | None
    quantization: str
    info: GGUFInfo

    def to_json(self) -> dict[str, Any]:
        """``architecture``, ``parameters``, ``context_length``, ``quantization``."""
        return {
            "architecture": self.architecture,
            "parameters": self.parameters,
            "context_length": self.context_length,
            "quantization": self.quantization,
        }


def lm_studio_dirs() -> list[Path]:
    """LM Studio's models folders that exist (the current one, then the pre-0.3 one)."""
    candidates = [
        Path("~/.lmstudio/models").expanduser(),
        Path("~/.cache/lm-studio/models").expanduser(),
    ]
    return [p for p in candidates if p.is_dir()]


def llama_cpp_cache_dir() -> Path | None:
    """llama.cpp's download cache (``-hf`` models), when it exists."""
    value = os.environ.get("LLAMA_CACHE")
    if value:
        folder = Path(value).expanduser()
    else:
        xdg = os.environ.get("XDG_CACHE_HOME") or str(Path("~/.cache").expanduser())
        folder = Path(xdg).expanduser() / "llama.cpp"
    return folder if folder.is_dir() else None


def gguf_model(
    first: Path,
    parts: Sequence[Path],
    warnings: list[str],
    *,
    source: LocalSource = "folder",
    hub_id: str | None = None,
    revision: str | None = None,
    name: str | None = None,
) -> LocalModel:
    """A GGUF file (or split model) as a ``LocalModel``, its header read (a damaged header:
    listed without it, and a warning)."""
    try:
        info = read_gguf(first, parts=list(parts))
    except GGUFError as exc:
        warnings.append(str(exc))
        summary = None
    else:
        summary = GGUFSummary(
            architecture=info.architecture,
            name=info.name,
            parameters=info.parameter_count,
            context_length=info.context_length,
            quantization=info.quantization,
            info=info,
        )
    return LocalModel(
        path=first,
        hub_id=hub_id,
        catalog_id=None,
        revision=revision,
        size_bytes=sum(file_size(p) for p in parts),
        formats=("gguf",),
        remote_code=False,
        config=None,
        source=source,
        name=name,
        gguf=summary,
    )


def scan_runtimes(*, max_depth: int) -> LocalScan:
    """GGUF models of LM Studio, llama.cpp's cache and Ollama on this machine."""
    from catalog.local.folders import scan_folder
    from catalog.local.ollama import ollama_models_dir, scan_ollama

    models: list[LocalModel] = []
    warnings: list[str] = []
    labelled: list[tuple[Path, LocalSource]] = [(d, "lm-studio") for d in lm_studio_dirs()]
    cache = llama_cpp_cache_dir()
    if cache is not None:
        labelled.append((cache, "llama.cpp"))
    for folder, source in labelled:
        scan = scan_folder(folder, max_depth=max_depth, source=source)
        models += [m for m in scan.models if "gguf" in m.formats]
        warnings += scan.warnings
    root = ollama_models_dir()
    if root is not None and root.is_dir():
        found, problems = scan_ollama(root)
        warnings += problems
        models += [
            gguf_model(m.blob, [m.blob], warnings, source="ollama", name=m.name) for m in found
        ]
    return LocalScan(models=tuple(models), warnings=tuple(warnings))


def catalog_targets(cat: Catalog, infos: Iterable[GGUFInfo]) -> list[Any]:
    """The catalog entries a GGUF file may be: the curated ones, and any entry whose Hub id a
    header names as its source."""
    from catalog.api import make_filters
    from catalog.local.catalog_link import models_by_hub_ids

    targets = {m.id: m for m in cat.query(make_filters(tier="curated"))}
    sources = sorted({s for i in infos if (s := i.source_hub_id)})
    targets.update((m.id, m) for m in models_by_hub_ids(cat, sources))
    return list(targets.values())


def catalog_id_of_gguf(cat: Catalog, info: GGUFInfo) -> str | None:
    """The catalog entry the model in ``info`` is (``catalog.local.gguf_link``), if any."""
    from catalog.local.gguf_link import link_gguf

    return link_gguf(info, catalog_targets(cat, [info]))


def gguf_copies(cat: Catalog, model: Any) -> list[LocalModel]:
    """The GGUF models of the runtimes' folders (and the config file's) linked to ``model``."""
    import dataclasses

    from catalog.config_file import load_config
    from catalog.local.folders import DEFAULT_MAX_DEPTH, scan_folder
    from catalog.local.gguf_link import link_gguf

    scans = [scan_runtimes(max_depth=DEFAULT_MAX_DEPTH)]
    scans += [scan_folder(p) for p in load_config().paths]
    found = [m for scan in scans for m in scan.models if m.gguf is not None]
    if not found:
        return []
    targets = catalog_targets(cat, [m.gguf.info for m in found if m.gguf])
    return [
        dataclasses.replace(m, catalog_id=model.id)
        for m in found
        if m.gguf is not None and link_gguf(m.gguf.info, targets) == model.id
    ]

"""What a scan of this machine returns: one ``LocalModel`` per model, and the warnings."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from catalog.local.files import WeightFormat

if TYPE_CHECKING:
    from catalog.local.gguf_files import GGUFSummary

LocalSource = Literal["hf-cache", "folder", "lm-studio", "llama.cpp", "ollama"]
"""Where a model was found: the Hugging Face cache, a folder the user named, LM Studio's models
folder, llama.cpp's download cache, Ollama's models."""


@dataclass(frozen=True)
class LocalModel:
    """One model found on disk."""

    path: Path
    """The model folder (a cache snapshot folder, or a user folder) or the GGUF file."""
    hub_id: str | None
    """The Hub repository id, known for cache entries; None for plain folders."""
    catalog_id: str | None
    """The catalog entry this copy is linked to (see ``catalog.local.link.link``)."""
    revision: str | None
    """The cached commit hash; None for plain folders."""
    size_bytes: int
    formats: tuple[WeightFormat, ...]
    remote_code: bool
    """True when loading may import code shipped with the model (``auto_map`` or ``.py`` files)."""
    config: dict[str, Any] | None
    """The parsed config.json, when there is a readable one."""
    source: LocalSource = "folder"
    name: str | None = None
    """The runtime's own name for it (Ollama: ``llama3.2:1b``)."""
    gguf: GGUFSummary | None = None
    """What the GGUF header says (None for other formats, or a header that cannot be read)."""

    @property
    def quantization(self) -> str | None:
        """The GGUF quantization type (``Q4_K_M``), when known."""
        return self.gguf.quantization if self.gguf else None

    def to_json(self) -> dict[str, Any]:
        """The stable JSON shape of ``modelcat local --format json`` (keys are never renamed)."""
        return {
            "path": str(self.path),
            "hub_id": self.hub_id,
            "catalog_id": self.catalog_id,
            "revision": self.revision,
            "size_bytes": self.size_bytes,
            "formats": list(self.formats),
            "remote_code": self.remote_code,
            "source": self.source,
            "name": self.name,
            **(self.gguf.to_json() if self.gguf else dict.fromkeys(GGUF_KEYS)),
        }


GGUF_KEYS = ("architecture", "parameters", "context_length", "quantization")
"""The keys a GGUF header adds to ``LocalModel.to_json()`` (null for other models)."""


@dataclass(frozen=True)
class LocalScan:
    """What a scan found, and what it skipped (one human-readable line per problem)."""

    models: tuple[LocalModel, ...]
    warnings: tuple[str, ...] = ()

"""What a scan of this machine returns: one ``LocalModel`` per model, and the warnings."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from catalog.local.files import WeightFormat

LocalSource = Literal["hf-cache", "folder"]


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
        }


@dataclass(frozen=True)
class LocalScan:
    """What a scan found, and what it skipped (one human-readable line per problem)."""

    models: tuple[LocalModel, ...]
    warnings: tuple[str, ...] = ()

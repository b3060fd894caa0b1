"""Turn what the user typed (a folder or a Hub id) into a model folder on this machine.

The benchmark never downloads: a Hub id must already be in the Hugging Face cache.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from catalog.errors import BenchmarkError
from catalog.local.download_hint import download_command
from catalog.local.hf_cache import cache_origin, cached_snapshot, hf_cache_dir, is_valid_hub_id


@dataclass(frozen=True)
class ModelLocation:
    """A model folder and, when it comes from the cache, its Hub id and revision."""

    path: Path
    hub_id: str | None
    revision: str | None

    @property
    def label(self) -> str:
        """How results name the model: the Hub id when known, else the folder."""
        return self.hub_id or str(self.path)


def resolve_model(path_or_model: str | os.PathLike[str]) -> ModelLocation:
    """Find the folder for a path or a cached Hub id.

    Raises:
        BenchmarkError: no such folder, an invalid id, or an id that is not cached.
    """
    text = os.fspath(path_or_model)
    path = Path(text).expanduser()
    if path.exists():
        origin = cache_origin(path) if path.is_dir() else None
        return ModelLocation(
            path=path.absolute(),
            hub_id=origin[0] if origin else None,
            revision=origin[1] if origin else None,
        )
    if isinstance(path_or_model, os.PathLike) or not is_valid_hub_id(text):
        if "/" in text or os.sep in text or text.startswith((".", "~")):
            raise BenchmarkError(f"no model folder at {path}")
        raise BenchmarkError(
            f"{text!r} is neither an existing folder nor a valid Hub repo id (owner/name)"
        )
    snapshot = cached_snapshot(text)
    if snapshot is None:
        raise BenchmarkError(
            f"{text} is not in the Hugging Face cache ({hf_cache_dir()}) and no folder has that name. "
            f"modelcat bench never downloads: fetch it with `{download_command(text)}` or pass "
            "a folder."
        )
    origin = cache_origin(snapshot)
    return ModelLocation(path=snapshot, hub_id=text, revision=origin[1] if origin else None)

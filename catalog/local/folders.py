"""Models below a folder the user names: transformers model folders and GGUF files.

A folder counts as a model when it holds a ``config.json`` beside weights (a transformers
model folder); a GGUF file counts as a model on its own. Folders are searched to a bounded
depth, as LM Studio's models directory needs (``publisher/repo/file.gguf``).
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path

from catalog.local.files import (
    folder_size,
    formats_of,
    has_remote_code,
    read_config,
    weight_format,
)
from catalog.local.gguf_files import gguf_model
from catalog.local.hf_cache import cache_origin
from catalog.local.model import LocalModel, LocalScan, LocalSource

DEFAULT_MAX_DEPTH = 4
"""How deep a user folder is searched: LM Studio needs 2 (``publisher/repo``)."""

_GGUF_SHARD_RE = re.compile(
    r"^(?P<stem>.+)-(?P<part>\d{5})-of-(?P<total>\d{5})\.gguf$", re.IGNORECASE
)


def scan_folder(
    path: Path, *, max_depth: int = DEFAULT_MAX_DEPTH, source: LocalSource = "folder"
) -> LocalScan:
    """Models in a user folder: the folder itself, or model folders and GGUF files below it.

    Args:
        path: a transformers model folder, a GGUF file, or a folder to search.
        max_depth: how many folder levels below ``path`` are searched.
        source: what the folder is (a user folder, LM Studio's, llama.cpp's cache).
    """
    root = path.expanduser()
    if root.is_file():
        if weight_format(root.name) == "gguf":
            found: list[str] = []
            model = gguf_model(root, gguf_parts(root), found, source=source)
            return LocalScan(models=(model,), warnings=tuple(found))
        return LocalScan(
            models=(), warnings=(f"{root} is a file, not a model folder or GGUF file",)
        )
    if not root.is_dir():
        return LocalScan(models=(), warnings=(f"no folder at {root}",))
    models: list[LocalModel] = []
    warnings: list[str] = []
    for folder, files in _walk(root, max_depth=max_depth, warnings=warnings):
        _collect(folder, files, models, warnings, source)
    models.sort(key=lambda m: str(m.path))
    return LocalScan(models=tuple(models), warnings=tuple(warnings))


def _walk(root: Path, *, max_depth: int, warnings: list[str]) -> Iterator[tuple[Path, list[str]]]:
    """Yield (folder, file names) breadth-first, not below a model folder, never twice."""
    queue: list[tuple[Path, int]] = [(root, 0)]
    visited: set[Path] = set()
    while queue:
        folder, depth = queue.pop(0)
        real = folder.resolve()
        if real in visited:
            continue  # a symlink loop or two links to one folder
        visited.add(real)
        try:
            entries = sorted(os.scandir(folder), key=lambda e: e.name)
        except OSError as exc:
            warnings.append(f"cannot list {folder}: {exc.strerror or exc}")
            continue
        files = [e.name for e in entries if _is_file(e)]
        yield folder, files
        if "config.json" in files and formats_of(files):
            continue  # a model folder: its subfolders (e.g. original/) belong to it
        if depth < max_depth:
            queue += [
                (Path(e.path), depth + 1)
                for e in entries
                if not e.name.startswith(".") and _is_dir(e)
            ]


def _is_file(entry: os.DirEntry[str]) -> bool:
    try:
        return entry.is_file()
    except OSError:
        return False


def _is_dir(entry: os.DirEntry[str]) -> bool:
    try:
        return entry.is_dir()
    except OSError:
        return False


def _collect(
    folder: Path,
    files: list[str],
    models: list[LocalModel],
    warnings: list[str],
    source: LocalSource = "folder",
) -> None:
    formats = formats_of(files)
    if "config.json" in files and formats:
        config, problem = read_config(folder)
        if problem:
            warnings.append(problem)
        origin = cache_origin(folder)
        models.append(
            LocalModel(
                path=folder,
                hub_id=origin[0] if origin else None,
                catalog_id=None,
                revision=origin[1] if origin else None,
                size_bytes=folder_size(folder),
                formats=formats,
                remote_code=has_remote_code(folder, config),
                config=config,
            )
        )
        return
    for group in gguf_groups(files):
        parts = [folder / name for name in group]
        models.append(gguf_model(parts[0], parts, warnings, source=source))
    if set(formats) - {"gguf"}:
        warnings.append(
            f"{folder} holds weights but no config.json; not a transformers model folder"
        )


def gguf_parts(path: Path) -> list[Path]:
    """The parts of the split model ``path`` begins (those present), or just ``path``."""
    shard = _GGUF_SHARD_RE.match(path.name)
    if not shard:
        return [path]
    try:
        names = [p.name for p in path.parent.iterdir()]
    except OSError:
        return [path]
    return [path.parent / n for g in gguf_groups(names) if path.name in g for n in g]


def gguf_groups(files: list[str]) -> list[list[str]]:
    """GGUF files grouped so a split model (``x-00001-of-00003.gguf``) is one model."""
    groups: dict[str, list[str]] = {}
    for name in files:
        if weight_format(name) != "gguf" or name.lower().startswith("mmproj"):
            continue  # mmproj files are vision projectors, not models
        shard = _GGUF_SHARD_RE.match(name)
        groups.setdefault(shard["stem"] if shard else name, []).append(name)
    return [sorted(group) for _, group in sorted(groups.items())]

"""Models already on this machine: the Hugging Face cache and folders the user names.

A folder counts as a model when it holds a ``config.json`` beside weights (a transformers
model folder); a GGUF file counts as a model on its own. Folders are searched to a bounded
depth, as LM Studio's models directory needs (``publisher/repo/file.gguf``). Nothing here
raises for a missing or damaged cache or folder: the scan returns what it could read plus
warnings that say what it skipped and why.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from catalog.model_files import (
    ConfigError,
    WeightFormat,
    auto_map_of,
    formats_of,
    has_python_files,
    read_json_object,
    weight_format,
)
from catalog.schema import HUB_ID_RE

LocalSource = Literal["hf-cache", "folder"]

DEFAULT_MAX_DEPTH = 4
"""How deep a user folder is searched: LM Studio needs 2 (``publisher/repo``)."""

_COMMIT_RE = re.compile(r"^[0-9a-f]{40}$")
_GGUF_SHARD_RE = re.compile(
    r"^(?P<stem>.+)-(?P<part>\d{5})-of-(?P<total>\d{5})\.gguf$", re.IGNORECASE
)


@dataclass(frozen=True)
class LocalModel:
    """One model found on disk."""

    path: Path
    """The model folder (a cache snapshot folder, or a user folder) or the GGUF file."""
    hub_id: str | None
    """The Hub repository id, known for cache entries; None for plain folders."""
    catalog_id: str | None
    """The catalog entry this copy is linked to (see ``catalog.local_link.link``)."""
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


def is_valid_hub_id(value: str) -> bool:
    """True when ``value`` is a well-formed Hub repo id that is safe to turn into a path."""
    return bool(HUB_ID_RE.match(value)) and ".." not in value


def hf_cache_dir() -> Path:
    """The Hub cache folder, from the environment as it is now (not at import time).

    Order as huggingface_hub: ``HF_HUB_CACHE``, ``HUGGINGFACE_HUB_CACHE``, ``$HF_HOME/hub``,
    ``$XDG_CACHE_HOME/huggingface/hub``, ``~/.cache/huggingface/hub``.
    """
    for name in ("HF_HUB_CACHE", "HUGGINGFACE_HUB_CACHE"):
        value = os.environ.get(name)
        if value:
            return Path(value).expanduser()
    home = os.environ.get("HF_HOME")
    if home:
        return Path(home).expanduser() / "hub"
    xdg = os.environ.get("XDG_CACHE_HOME") or str(Path("~/.cache").expanduser())
    return Path(xdg).expanduser() / "huggingface" / "hub"


def cached_snapshot(
    hub_id: str, *, cache_dir: Path | None = None, revision: str = "main"
) -> Path | None:
    """The snapshot folder of ``hub_id`` in the Hub cache, or None when it is not cached.

    Raises:
        ValueError: ``hub_id`` is not a valid repo id (checked before it becomes a path).
    """
    if not is_valid_hub_id(hub_id):
        raise ValueError(f"{hub_id!r} is not a valid Hub repo id (owner/name)")
    root = (cache_dir or hf_cache_dir()).expanduser()
    repo = root / f"models--{hub_id.replace('/', '--')}"
    commit = revision if _COMMIT_RE.match(revision) else _read_ref(repo, revision)
    if commit is None:
        return None
    snapshot = repo / "snapshots" / commit
    return snapshot if snapshot.is_dir() else None


def _read_ref(repo: Path, ref: str) -> str | None:
    if not re.fullmatch(r"[A-Za-z0-9._\-/]{1,200}", ref) or ".." in ref:
        return None
    try:
        commit = (repo / "refs" / ref).read_text(encoding="utf-8").strip()
    except (OSError, UnicodeDecodeError):
        return None
    return commit if _COMMIT_RE.match(commit) else None


def cache_origin(path: Path) -> tuple[str, str] | None:
    """``(hub_id, commit)`` when ``path`` is a snapshot folder of a Hub cache, else None."""
    snapshot = path.resolve()
    if snapshot.parent.name != "snapshots" or not _COMMIT_RE.match(snapshot.name):
        return None
    prefix, _, rest = snapshot.parent.parent.name.partition("--")
    hub_id = rest.replace("--", "/")
    if prefix != "models" or not is_valid_hub_id(hub_id):
        return None
    return hub_id, snapshot.name


def scan_hf_cache(*, cache_dir: Path | None = None) -> LocalScan:
    """Models in the Hugging Face cache: one entry per cached revision that holds weights.

    Args:
        cache_dir: the cache folder; defaults to ``hf_cache_dir()`` read now.

    Returns:
        The models found; a missing or unreadable cache gives none plus a warning.
    """
    from huggingface_hub import CacheNotFound, scan_cache_dir

    root = (cache_dir or hf_cache_dir()).expanduser()
    try:
        info = scan_cache_dir(cache_dir=root)
    except CacheNotFound:
        return LocalScan(models=(), warnings=(f"no Hugging Face cache at {root}",))
    except (OSError, ValueError) as exc:
        return LocalScan(
            models=(), warnings=(f"cannot read the Hugging Face cache at {root}: {exc}",)
        )
    warnings = [f"skipped a damaged cache entry: {w}" for w in info.warnings]
    models: list[LocalModel] = []
    for repo in info.repos:
        if repo.repo_type != "model":
            continue
        if not is_valid_hub_id(repo.repo_id):
            warnings.append(f"skipped cache entry with an invalid repo id: {repo.repo_id!r}")
            continue
        for rev in repo.revisions:
            formats = formats_of(f.file_name for f in rev.files)
            if not formats:
                continue  # config or tokenizer only: nothing that can run
            config, problem = _read_config(rev.snapshot_path)
            if problem:
                warnings.append(problem)
            models.append(
                LocalModel(
                    path=rev.snapshot_path,
                    hub_id=repo.repo_id,
                    catalog_id=None,
                    revision=rev.commit_hash,
                    size_bytes=rev.size_on_disk,
                    formats=formats,
                    remote_code=_has_remote_code(rev.snapshot_path, config),
                    config=config,
                    source="hf-cache",
                )
            )
    models.sort(key=lambda m: (m.hub_id or "", str(m.path)))
    return LocalScan(models=tuple(models), warnings=tuple(warnings))


def scan_folder(path: Path, *, max_depth: int = DEFAULT_MAX_DEPTH) -> LocalScan:
    """Models in a user folder: the folder itself, or model folders and GGUF files below it.

    Args:
        path: a transformers model folder, a GGUF file, or a folder to search.
        max_depth: how many folder levels below ``path`` are searched.
    """
    root = path.expanduser()
    if root.is_file():
        if weight_format(root.name) == "gguf":
            return LocalScan(models=(_gguf_model(root, [root]),))
        return LocalScan(
            models=(), warnings=(f"{root} is a file, not a model folder or GGUF file",)
        )
    if not root.is_dir():
        return LocalScan(models=(), warnings=(f"no folder at {root}",))
    models: list[LocalModel] = []
    warnings: list[str] = []
    for folder, files in _walk(root, max_depth=max_depth, warnings=warnings):
        _collect(folder, files, models, warnings)
    models.sort(key=lambda m: str(m.path))
    return LocalScan(models=tuple(models), warnings=tuple(warnings))


def find_local_models(
    *,
    paths: Sequence[Path] = (),
    hf_cache: bool = True,
    cache_dir: Path | None = None,
    max_depth: int = DEFAULT_MAX_DEPTH,
) -> LocalScan:
    """Everything installed: the Hub cache (unless ``hf_cache`` is False) and each of ``paths``.

    A model reachable twice (a user folder pointing into the cache) is listed once, the cache
    entry winning because it knows the hub id and revision.
    """
    scans = [scan_hf_cache(cache_dir=cache_dir)] if hf_cache else []
    scans += [scan_folder(p, max_depth=max_depth) for p in paths]
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


def _collect(folder: Path, files: list[str], models: list[LocalModel], warnings: list[str]) -> None:
    formats = formats_of(files)
    if "config.json" in files and formats:
        config, problem = _read_config(folder)
        if problem:
            warnings.append(problem)
        origin = cache_origin(folder)
        models.append(
            LocalModel(
                path=folder,
                hub_id=origin[0] if origin else None,
                catalog_id=None,
                revision=origin[1] if origin else None,
                size_bytes=_folder_size(folder),
                formats=formats,
                remote_code=_has_remote_code(folder, config),
                config=config,
            )
        )
        return
    for group in _gguf_groups(files):
        models.append(_gguf_model(folder / group[0], [folder / name for name in group]))
    if set(formats) - {"gguf"}:
        warnings.append(
            f"{folder} holds weights but no config.json; not a transformers model folder"
        )


def _gguf_groups(files: list[str]) -> list[list[str]]:
    """GGUF files grouped so a split model (``x-00001-of-00003.gguf``) is one model."""
    groups: dict[str, list[str]] = {}
    for name in files:
        if weight_format(name) != "gguf" or name.lower().startswith("mmproj"):
            continue  # mmproj files are vision projectors, not models
        shard = _GGUF_SHARD_RE.match(name)
        groups.setdefault(shard["stem"] if shard else name, []).append(name)
    return [sorted(group) for _, group in sorted(groups.items())]


def _gguf_model(first: Path, parts: list[Path]) -> LocalModel:
    return LocalModel(
        path=first,
        hub_id=None,
        catalog_id=None,
        revision=None,
        size_bytes=sum(_size(p) for p in parts),
        formats=("gguf",),
        remote_code=False,
        config=None,
    )


def _read_config(folder: Path) -> tuple[dict[str, Any] | None, str | None]:
    path = folder / "config.json"
    if not path.is_file():
        return None, None
    try:
        return read_json_object(path), None
    except ConfigError as exc:
        return None, f"unreadable config: {exc}"


def _has_remote_code(folder: Path, config: dict[str, Any] | None) -> bool:
    if auto_map_of(config) or has_python_files(folder):
        return True
    tokenizer_config = folder / "tokenizer_config.json"
    if tokenizer_config.is_file():
        try:
            return bool(auto_map_of(read_json_object(tokenizer_config)))
        except ConfigError:
            return False
    return False


def _folder_size(folder: Path, *, max_depth: int = 3) -> int:
    total = 0
    for current, dirs, names in os.walk(folder):
        if len(Path(current).relative_to(folder).parts) >= max_depth:
            dirs.clear()
        total += sum(_size(Path(current) / name) for name in names)
    return total


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0

"""The Hugging Face cache: where it is, the snapshot of one repo, and a scan of all of it.

Repo ids are validated before they become a path, so a crafted id never leaves the cache.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from catalog.local.files import formats_of, has_remote_code, read_config
from catalog.local.model import LocalModel, LocalScan
from catalog.schema import HUB_ID_RE

_COMMIT_RE = re.compile(r"^[0-9a-f]{40}$")


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
    root = (cache_dir or hf_cache_dir()).expanduser()
    if not root.exists():  # said without importing huggingface_hub (a tenth of `local`'s start)
        return LocalScan(models=(), warnings=(f"no Hugging Face cache at {root}",))
    from huggingface_hub import CacheNotFound, scan_cache_dir

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
            if formats == ("gguf",) and not (rev.snapshot_path / "config.json").is_file():
                # A GGUF repository: each file (or split model) is a model of its own,
                # usually one per quantization.
                from catalog.local.folders import gguf_groups
                from catalog.local.gguf_files import gguf_model

                names = [f.file_name for f in rev.files]
                for group in gguf_groups(names):
                    parts = [rev.snapshot_path / n for n in group]
                    models.append(gguf_model(parts[0], parts, warnings, source="hf-cache",
                                             hub_id=repo.repo_id, revision=rev.commit_hash))  # fmt: skip
                continue
            config, problem = read_config(rev.snapshot_path)
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
                    remote_code=has_remote_code(rev.snapshot_path, config),
                    config=config,
                    source="hf-cache",
                )
            )
    models.sort(key=lambda m: (m.hub_id or "", str(m.path)))
    return LocalScan(models=tuple(models), warnings=tuple(warnings))

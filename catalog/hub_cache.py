"""A file fetched from the Hub in one GET, kept in the Hugging Face cache as ``hf_hub_download`` keeps it.

``hf_hub_download`` always asks for a file's metadata (a HEAD) before its GET; for a small file
that one GET also answers (its ``X-Repo-Commit`` and ``ETag`` headers), that HEAD is a second
round trip per model. So the sync sends the GET alone and lays the file out here exactly as the
library does, where transformers and ``try_to_load_from_cache`` find it later::

    <cache>/models--owner--name/blobs/<etag>                  the content
    <cache>/models--owner--name/snapshots/<commit>/<file>     a relative symlink to the blob
    <cache>/models--owner--name/refs/<revision>               the commit, for a branch or tag

Every write goes to a temporary name first and is renamed into place, so a reader (or another
thread fetching the same file) never sees half a file.
"""

from __future__ import annotations

import os
import re
import tempfile
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

COMMIT_RE = re.compile(r"^[0-9a-f]{40}$")
_ETAG_RE = re.compile(r"^[0-9A-Za-z_\-]{1,128}$")


@dataclass(frozen=True)
class FileVersion:
    """Which version of a file a Hub answer carried: its commit and its ETag (the blob's name)."""

    commit: str
    etag: str


def file_version(headers: Mapping[str, str]) -> FileVersion | None:
    """The commit and ETag a ``/resolve/`` answer names, or None when it is not a Hub's answer.

    An LFS file's answer names its content in ``X-Linked-Etag``; others in ``ETag`` (``W/`` and
    quotes removed, as huggingface_hub does). Both must be safe as a file name.
    """
    commit = headers.get("x-repo-commit", "").strip()
    etag = (headers.get("x-linked-etag") or headers.get("etag") or "").strip()
    etag = etag.removeprefix("W/").strip('"')
    if not COMMIT_RE.match(commit) or not _ETAG_RE.match(etag):
        return None
    return FileVersion(commit, etag)


def repo_folder(cache_dir: Path, repo_id: str) -> Path:
    """The cache folder of a model repo (``models--owner--name``)."""
    return cache_dir / f"models--{repo_id.replace('/', '--')}"


def store_file(
    cache_dir: Path,
    repo_id: str,
    filename: str,
    *,
    revision: str,
    version: FileVersion,
    content: bytes,
) -> Path:
    """Keep ``content`` in the cache as the file at ``version`` (and ``revision``'s ref).

    Returns:
        The snapshot path of the file.

    Raises:
        OSError: the cache folder cannot be written.
    """
    folder = repo_folder(cache_dir, repo_id)
    blob = folder / "blobs" / version.etag
    pointer = folder / "snapshots" / version.commit / filename
    if not blob.is_file():
        _write_atomically(blob, content)
    if not pointer.exists():
        pointer.parent.mkdir(parents=True, exist_ok=True)
        _link(blob, pointer)
    if revision != version.commit:
        _write_atomically(folder / "refs" / revision, version.commit.encode())
    return pointer


def _write_atomically(path: Path, content: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as stream:
            stream.write(content)
        os.chmod(temporary, 0o644)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _link(blob: Path, pointer: Path) -> None:
    """A relative symlink from the snapshot to the blob, or a copy where there are no symlinks."""
    temporary = pointer.with_name(f".{pointer.name}.{os.getpid()}.{threading.get_ident()}.tmp")
    temporary.unlink(missing_ok=True)  # left by a process killed here
    try:
        os.symlink(os.path.relpath(blob, pointer.parent), temporary)
    except OSError:  # no symlinks here (Windows without developer mode): keep a copy
        _write_atomically(pointer, blob.read_bytes())
        return
    os.replace(temporary, pointer)

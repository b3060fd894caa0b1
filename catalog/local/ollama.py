"""Ollama's models on disk: manifests that name a GGUF blob, read without running Ollama.

Layout (``OLLAMA_MODELS``, else ``~/.ollama/models``, else the Linux service's
``/usr/share/ollama/.ollama/models``)::

    manifests/<registry>/<namespace>/<model>/<tag>   JSON: layers with media types and digests
    blobs/sha256-<64 hex>                            the layers; the model layer is a GGUF file

A manifest is a small JSON file (capped); a digest must be ``sha256:`` and 64 hex digits before
it becomes a path, so a manifest cannot point outside the blobs folder.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass
from pathlib import Path

MODEL_LAYER = "application/vnd.ollama.image.model"
DEFAULT_REGISTRY = "registry.ollama.ai"
MAX_MANIFEST_BYTES = 1 << 20
_DIGEST_RE = re.compile(r"^sha256[:-]([0-9a-f]{64})$")
_PART_RE = re.compile(r"^[A-Za-z0-9._\-:]{1,200}$")


@dataclass(frozen=True)
class OllamaModel:
    """One tagged model: its name as ``ollama run`` takes it and its GGUF blob."""

    name: str
    """``llama3.2:1b`` for the default registry's library, else ``namespace/model:tag`` (or
    with the registry host in front)."""
    blob: Path
    manifest: Path


def ollama_models_dir() -> Path | None:
    """Ollama's models folder: ``OLLAMA_MODELS``, ``~/.ollama/models`` or the service's."""
    value = os.environ.get("OLLAMA_MODELS")
    if value:
        return Path(value).expanduser()
    for candidate in (
        Path("~/.ollama/models").expanduser(),
        Path("/usr/share/ollama/.ollama/models"),
    ):
        if candidate.is_dir():
            return candidate
    return None


def scan_ollama(root: Path) -> tuple[list[OllamaModel], list[str]]:
    """Every manifest under ``root/manifests`` whose model layer is in ``root/blobs``.

    Returns:
        The models, and one warning per manifest that could not be used.
    """
    manifests = root / "manifests"
    if not manifests.is_dir():
        return [], [f"no Ollama manifests folder at {manifests}"]
    models: list[OllamaModel] = []
    warnings: list[str] = []
    for path in sorted(_manifest_files(manifests, warnings)):
        parts = path.relative_to(manifests).parts
        if len(parts) != 4 or not all(_PART_RE.match(p) for p in parts):
            warnings.append(f"skipped an Ollama manifest with an unexpected path: {path}")
            continue
        digest, problem = _model_digest(path)
        if digest is None:
            warnings.append(f"skipped the Ollama manifest {path}: {problem}")
            continue
        blob = root / "blobs" / f"sha256-{digest}"
        if not blob.is_file():
            warnings.append(
                f"the Ollama model {_name(parts)} has no blob {blob.name} (partly pulled?)"
            )
            continue
        models.append(OllamaModel(name=_name(parts), blob=blob, manifest=path))
    return models, warnings


def _manifest_files(manifests: Path, warnings: list[str]) -> list[Path]:
    found: list[Path] = []
    for current, dirs, files in os.walk(manifests, onerror=lambda e: warnings.append(str(e))):
        depth = len(Path(current).relative_to(manifests).parts)
        if depth >= 3:
            dirs.clear()
        found += [Path(current) / name for name in files if depth == 3]
    return found


def _model_digest(path: Path) -> tuple[str | None, str]:
    try:
        if path.stat().st_size > MAX_MANIFEST_BYTES:
            return None, "larger than 1 MiB, not a manifest"
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        return None, f"not readable JSON ({exc})"
    layers = data.get("layers") if isinstance(data, dict) else None
    if not isinstance(layers, list):
        return None, "no layers"
    for layer in layers:
        if isinstance(layer, dict) and layer.get("mediaType") == MODEL_LAYER:
            digest = layer.get("digest")
            match = _DIGEST_RE.match(digest) if isinstance(digest, str) else None
            if match is None:
                return None, f"the model layer's digest {str(digest)[:80]!r} is not sha256"
            return match.group(1), ""
    return None, "no model layer (an adapter or projector only?)"


def _name(parts: tuple[str, ...]) -> str:
    registry, namespace, model, tag = parts
    if registry == DEFAULT_REGISTRY:
        base = model if namespace == "library" else f"{namespace}/{model}"
    else:
        base = f"{registry}/{namespace}/{model}"
    return f"{base}:{tag}"

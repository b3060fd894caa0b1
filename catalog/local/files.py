"""What the files of a model folder say: weight formats, config.json, remote code.

Pure file inspection, shared by the local scans (``catalog.local``) and the benchmark's safety
checks (``catalog.bench.safety``). Nothing here imports torch or runs model code.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any, Literal

WeightFormat = Literal["safetensors", "pickle", "gguf"]
"""How weights are stored: ``safetensors`` (safe), ``pickle`` (``.bin``, ``.pt``, ``.pth``,
``.ckpt``: loading them can run code) or ``gguf`` (llama.cpp)."""

WEIGHT_FORMATS: tuple[WeightFormat, ...] = ("safetensors", "pickle", "gguf")

PICKLE_SUFFIXES: frozenset[str] = frozenset({".bin", ".pt", ".pth", ".ckpt"})
_SUFFIX_FORMAT: dict[str, WeightFormat] = {
    ".safetensors": "safetensors",
    ".gguf": "gguf",
    **dict.fromkeys(PICKLE_SUFFIXES, "pickle"),
}
# Pickles that sit beside weights in training output folders but are not weights.
_NOT_WEIGHTS: frozenset[str] = frozenset(
    {"training_args.bin", "optimizer.pt", "scheduler.pt", "rng_state.pth", "scaler.pt"}
)
_CONFIG_MAX_BYTES = 4 * 1024 * 1024
"""A config.json larger than this is not a config file; refuse to parse it."""


def weight_format(name: str) -> WeightFormat | None:
    """The weight format a file name stands for, or None for anything else."""
    if name in _NOT_WEIGHTS:
        return None
    return _SUFFIX_FORMAT.get(Path(name).suffix.lower())


def formats_of(names: Iterable[str]) -> tuple[WeightFormat, ...]:
    """The weight formats present among ``names``, in the stable order of ``WEIGHT_FORMATS``."""
    found = {fmt for name in names if (fmt := weight_format(name)) is not None}
    return tuple(fmt for fmt in WEIGHT_FORMATS if fmt in found)


class ConfigError(ValueError):
    """A config.json exists but cannot be read as a JSON object."""


def read_json_object(path: Path) -> dict[str, Any]:
    """Read a small JSON file that must hold an object.

    Raises:
        ConfigError: the file is too large, unreadable, not JSON or not an object.
    """
    from catalog.config_file import JsonFileError
    from catalog.config_file import read_json_object as read

    try:
        return read(path, what="file", max_bytes=_CONFIG_MAX_BYTES)
    except JsonFileError as exc:
        raise ConfigError(str(exc)) from None


def auto_map_of(config: Mapping[str, Any] | None) -> dict[str, Any]:
    """The ``auto_map`` block of a config (custom classes to import from the repo), or ``{}``."""
    if not config:
        return {}
    auto_map = config.get("auto_map")
    return dict(auto_map) if isinstance(auto_map, Mapping) else {}


def has_python_files(folder: Path) -> bool:
    """True when the folder itself holds ``.py`` files (custom modeling or tokenizer code)."""
    try:
        return any(p.suffix == ".py" and p.is_file() for p in folder.iterdir())
    except OSError:
        return False


def model_type_of(config: Mapping[str, Any] | None) -> str | None:
    """The transformers ``model_type`` a config declares, if any."""
    if not config:
        return None
    value = config.get("model_type")
    return value if isinstance(value, str) and value else None


def read_config(folder: Path) -> tuple[dict[str, Any] | None, str | None]:
    """``(config, problem)``: the folder's config.json, or None and why it could not be read."""
    path = folder / "config.json"
    if not path.is_file():
        return None, None
    try:
        return read_json_object(path), None
    except ConfigError as exc:
        return None, f"unreadable config: {exc}"


def has_remote_code(folder: Path, config: Mapping[str, Any] | None) -> bool:
    """True when loading the folder may import code it ships (config or tokenizer auto_map)."""
    if auto_map_of(config) or has_python_files(folder):
        return True
    tokenizer_config = folder / "tokenizer_config.json"
    if tokenizer_config.is_file():
        try:
            return bool(auto_map_of(read_json_object(tokenizer_config)))
        except ConfigError:
            return False
    return False


def folder_size(folder: Path, *, max_depth: int = 3) -> int:
    """Bytes of the files in ``folder`` and its subfolders, ``max_depth`` levels down."""
    total = 0
    for current, dirs, names in os.walk(folder):
        if len(Path(current).relative_to(folder).parts) >= max_depth:
            dirs.clear()
        total += sum(file_size(Path(current) / name) for name in names)
    return total


def file_size(path: Path) -> int:
    """Bytes of one file (following links), 0 when it cannot be read."""
    try:
        return path.stat().st_size
    except OSError:
        return 0

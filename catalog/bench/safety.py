"""Checks made before a model is loaded: nothing runs or unpickles without the user's consent.

- Code shipped with a model (``auto_map`` in config.json or tokenizer_config.json naming
  classes that transformers does not have) runs only with ``trust_remote_code``. Without it, an
  ``auto_map`` beside a ``model_type`` transformers implements is ignored (transformers loads
  its own class, as it does itself), and the plan says so: the figures are the stock
  architecture's, not the custom code's.
- Pickle weights (``.bin``, ``.pt``, ``.pth``, ``.ckpt``) are used only when no safetensors
  exist and ``allow_pickle`` is set; transformers then loads them with ``weights_only=True``.
- Safetensors are always preferred, and their headers are checked first so a truncated
  download gives a clear message instead of a deep loader error.

The checks read files only; they never import torch or transformers (the caller passes what
transformers supports natively).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Collection
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from catalog.errors import BenchmarkError, UnsafeModelError
from catalog.local.files import (
    ConfigError,
    auto_map_of,
    formats_of,
    model_type_of,
    read_json_object,
)
from catalog.text import clip, printable

LoadableFormat = Literal["safetensors", "pickle"]

_MAX_HEADER_BYTES = 100 * 1024 * 1024
"""The safetensors format caps its JSON header at 100 MB."""


@dataclass(frozen=True)
class LoadPlan:
    """How a checked model folder will be loaded."""

    path: Path
    config: dict[str, Any]
    weights_format: LoadableFormat
    needs_remote_code: bool
    """The folder's own code is needed (and was allowed with ``trust_remote_code``)."""
    ignored_code: str | None = None
    """The folder maps its own code for an architecture transformers has, and transformers'
    own class is loaded instead: what was ignored, for the result and the user."""


def check_model_folder(
    path: Path,
    *,
    trust_remote_code: bool,
    allow_pickle: bool,
    native_model_types: Collection[str],
    is_native_tokenizer: Callable[[str], bool],
) -> LoadPlan:
    """Decide whether and how ``path`` may be loaded.

    Args:
        path: a transformers model folder.
        trust_remote_code: the user agreed to run code shipped with the model.
        allow_pickle: the user agreed to load pickle weights (with ``weights_only=True``).
        native_model_types: the ``model_type`` values transformers implements itself.
        is_native_tokenizer: whether transformers has a tokenizer class of that name.

    Raises:
        UnsafeModelError: loading would run the model's code or unpickle its weights without
            the matching flag; the message names the flag.
        BenchmarkError: the folder is not a loadable transformers model (no config.json,
            unreadable config, no weights, GGUF only, damaged safetensors).
    """
    if path.is_file():
        if path.suffix.lower() == ".gguf":
            raise BenchmarkError(
                f"{path} is a GGUF file; the transformers backend cannot run GGUF (use llama-bench)"
            )
        raise BenchmarkError(
            f"{path} is a file; pass the model folder that holds config.json and the weights"
        )
    if not path.is_dir():
        raise BenchmarkError(f"no model folder at {path}")
    config_path = path / "config.json"
    if not config_path.is_file():
        raise BenchmarkError(
            f"{path} has no config.json, so it is not a transformers model folder; "
            "a config.json beside the weights is needed (download the whole repository)"
        )
    try:
        config = read_json_object(config_path)
    except ConfigError as exc:
        raise BenchmarkError(f"cannot read the model config: {exc}") from exc

    needs_code = _needs_remote_code(path, config, native_model_types, is_native_tokenizer)
    if needs_code and not trust_remote_code:
        raise UnsafeModelError(
            f"{path} ships its own Python code ({needs_code}) and loading it would run that code. "
            "Read the code, then allow it with --trust-remote-code (trust_remote_code=True)."
        )
    return LoadPlan(
        path=path,
        config=config,
        weights_format=_weights_to_load(path, allow_pickle=allow_pickle),
        needs_remote_code=bool(needs_code),
        ignored_code=None if trust_remote_code else _ignored_code(config, native_model_types),
    )


def _ignored_code(config: dict[str, Any], native_model_types: Collection[str]) -> str | None:
    """What transformers leaves unused when ``auto_map`` names classes it has natively."""
    model_type = model_type_of(config)
    model_map = auto_map_of(config)
    if not model_map or model_type not in native_model_types:
        return None
    mapped = ", ".join(f"{auto} -> {target}" for auto, target in sorted(model_map.items()))
    return (
        f"the folder's own code was ignored: config.json maps it ({printable(clip(mapped, 200))}) for "
        f"model_type {model_type!r}, which transformers implements, so transformers' own class "
        "ran; these figures are the stock architecture's (--trust-remote-code runs the "
        "folder's code)"
    )


def _needs_remote_code(
    path: Path,
    config: dict[str, Any],
    native_model_types: Collection[str],
    is_native_tokenizer: Callable[[str], bool],
) -> str:
    """Why the folder's own code would be needed, or ``""`` when transformers has everything."""
    model_type = model_type_of(config)
    model_map = auto_map_of(config)
    if model_map and model_type not in native_model_types:
        return f"config.json auto_map for model_type {model_type!r}: {', '.join(sorted(model_map))}"
    tokenizer_config_path = path / "tokenizer_config.json"
    if tokenizer_config_path.is_file():
        try:
            tokenizer_config = read_json_object(tokenizer_config_path)
        except ConfigError as exc:
            raise BenchmarkError(f"cannot read the tokenizer config: {exc}") from exc
        if auto_map_of(tokenizer_config):
            tokenizer_class = tokenizer_config.get("tokenizer_class")
            if not isinstance(tokenizer_class, str) or not is_native_tokenizer(tokenizer_class):
                return f"tokenizer_config.json auto_map for tokenizer class {tokenizer_class!r}"
    return ""


def _weights_to_load(path: Path, *, allow_pickle: bool) -> LoadableFormat:
    names = [p.name for p in path.iterdir() if p.is_file()]
    formats = formats_of(names)
    if "safetensors" in formats:
        for name in sorted(names):
            if name.endswith(".safetensors"):
                check_safetensors(path / name)
        return "safetensors"
    if "pickle" in formats:
        if not allow_pickle:
            raise UnsafeModelError(
                f"{path} has only pickle weights ({', '.join(n for n in names if n.endswith(('.bin', '.pt', '.pth', '.ckpt')))}); "
                "unpickling can run arbitrary code. Prefer a safetensors copy of the model, or allow "
                "them with --allow-pickle (allow_pickle=True): they are then loaded with "
                "torch.load(weights_only=True)."
            )
        return "pickle"
    if formats == ("gguf",):
        raise BenchmarkError(
            f"{path} holds only GGUF files; the transformers backend cannot run GGUF (use llama-bench)"
        )
    raise BenchmarkError(f"{path} has a config.json but no weights (.safetensors or .bin)")


def check_safetensors(path: Path) -> None:
    """Check a safetensors file's header and length without loading any tensor.

    Raises:
        BenchmarkError: the file is truncated, padded or its header is not valid JSON.
    """
    try:
        size = path.stat().st_size
        with path.open("rb") as handle:
            prefix = handle.read(8)
            if len(prefix) < 8:
                raise _damaged(path, f"only {size} bytes, shorter than the 8-byte header length")
            header_len = int.from_bytes(prefix, "little")
            if header_len > min(_MAX_HEADER_BYTES, size - 8):
                raise _damaged(
                    path, f"its header claims {header_len} bytes but the file has {size}"
                )
            header = json.loads(handle.read(header_len))
    except OSError as exc:
        raise BenchmarkError(f"cannot read {path}: {exc.strerror or exc}") from exc
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise _damaged(path, "its header is not valid JSON") from exc
    if not isinstance(header, dict):
        raise _damaged(path, "its header is not a JSON object")
    try:
        end = max(
            (
                int(entry["data_offsets"][1])
                for key, entry in header.items()
                if key != "__metadata__"
            ),
            default=0,
        )
    except (TypeError, KeyError, IndexError, ValueError) as exc:
        raise _damaged(path, "its header has a tensor without valid data_offsets") from exc
    expected = 8 + header_len + end
    if expected != size:
        raise _damaged(path, f"the tensors need {expected} bytes but the file has {size}")


def _damaged(path: Path, why: str) -> BenchmarkError:
    return BenchmarkError(
        f"{path} is not a valid safetensors file: {why}. It is probably truncated or damaged; download it again."
    )

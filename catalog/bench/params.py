"""The knobs of a benchmark run and their validation."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, get_args

from catalog.errors import UsageError

DeviceChoice = Literal["auto", "cpu", "cuda"]
Device = Literal["cpu", "cuda"]
DTypeChoice = Literal["auto", "fp32", "bf16", "fp16"]
DType = Literal["fp32", "bf16", "fp16"]

DEVICE_CHOICES: tuple[str, ...] = get_args(DeviceChoice)
DTYPE_CHOICES: tuple[str, ...] = get_args(DTypeChoice)

SEED = 0
"""Seed set before every generation; decoding is greedy, so the seed only guards against
model code that samples internally."""


@dataclass(frozen=True)
class BenchParams:
    """What was asked of a run (the sizes) and what it resolved to (device, dtype, threads)."""

    prompt_tokens: int
    gen_tokens: int
    repeat: int
    warmup: int
    threads: int
    """CPU threads the runtime used (the requested count, or its default); 0 for a server."""
    seed: int = SEED
    trust_remote_code: bool = False
    allow_pickle: bool = False
    context: int | None = None
    """llama.cpp: the context the model was loaded with."""
    gpu_layers: int | None = None
    """llama.cpp: layers offloaded to a GPU."""


def validate(
    *,
    device: str,
    dtype: str,
    threads: int | None,
    prompt_tokens: int,
    gen_tokens: int,
    repeat: int,
    warmup: int,
) -> None:
    """Reject impossible settings before anything is loaded.

    Raises:
        UsageError: a value is out of range or not one of the choices.
    """
    if device not in DEVICE_CHOICES:
        raise UsageError(f"device must be one of {', '.join(DEVICE_CHOICES)}, not {device!r}")
    if dtype not in DTYPE_CHOICES:
        raise UsageError(f"dtype must be one of {', '.join(DTYPE_CHOICES)}, not {dtype!r}")
    if threads is not None and threads < 1:
        raise UsageError(f"threads must be at least 1, not {threads}")
    if prompt_tokens < 1:
        raise UsageError(f"prompt tokens must be at least 1, not {prompt_tokens}")
    if gen_tokens < 2:
        # Decode speed is measured between the first and the last generated token.
        raise UsageError(f"gen tokens must be at least 2, not {gen_tokens}")
    if repeat < 1:
        raise UsageError(f"repeat must be at least 1, not {repeat}")
    if warmup < 0:
        raise UsageError(f"warmup cannot be negative, not {warmup}")

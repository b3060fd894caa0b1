"""Before a model is loaded: does its memory estimate fit the device it will run on?

A config.json may claim any size: within the per-field bounds of ``catalog.estimate.bounds``
a config can still describe a model of hundreds of terabytes, and transformers allocates the
model before it reads a weight, so the machine swaps or is OOM-killed. A GGUF header can claim
as much. So the estimate for the run asked (the weights in its dtype or quantization, the KV
cache of the prompt and generated tokens, the runtime's reserve) is compared with the free
memory of the one device the weights go to (available RAM, or the free memory of the GPU torch
uses), and a model that cannot fit is refused before anything is loaded, unless forced.

Nothing here imports torch or transformers (the GPU figure comes through
``catalog.fit.hardware``, which only asks torch when a GPU driver shows).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from catalog.bench.backends.base import InProcessRuntime
from catalog.errors import BenchmarkError, EstimateError
from catalog.fit.hardware import FitResult, Hardware, detect_hardware, fit
from catalog.units import format_bytes


@dataclass(frozen=True)
class MemoryNeed:
    """What a run is estimated to take, and from what."""

    total_bytes: int
    basis: str
    """How the figure was made: ``fp32, 640 tokens, from config.json``."""


def check_fits(
    runtime: InProcessRuntime, *, tokens: int, hardware: Hardware | None = None
) -> FitResult | None:
    """Refuse a run whose memory estimate is larger than what its device has free.

    Args:
        runtime: the checked model, its device and dtype (nothing loaded yet).
        tokens: prompt plus generated tokens, what the KV cache must hold.
        hardware: the machine to judge against; by default this one, measured now.

    Returns:
        The verdict, or None when the model's size cannot be estimated (an architecture only
        its own code knows; a GGUF file split over a GPU and the CPU): it is then not judged.

    Raises:
        BenchmarkError: the estimate does not fit, or the config states implausible sizes.
    """
    found = _need(runtime, tokens)
    if found is None:
        return None
    label, device, need = found
    on_gpu = device == "cuda"
    machine = hardware or detect_hardware(probe_gpus=on_gpu)
    if on_gpu:
        # ``model.to("cuda")`` goes to torch's current device, the first one unless told otherwise.
        machine = replace(machine, gpus=tuple(g for g in machine.gpus if g.index == 0))
    verdict = fit(
        required_bytes=need.total_bytes, hardware=machine, device="gpu" if on_gpu else "cpu"
    )
    if verdict.level == "no":
        where = f"GPU 0 ({verdict.device_name})" if on_gpu else "this machine's RAM"
        raise BenchmarkError(
            f"{label} needs about {format_bytes(need.total_bytes)} ({need.basis}) but "
            f"{where} has {format_bytes(verdict.available_bytes)} free; nothing was loaded. "
            "Pass --force (force=True) to try anyway."
        )
    return verdict


def _need(runtime: InProcessRuntime, tokens: int) -> tuple[str, str, MemoryNeed] | None:
    """The model's label, the device its weights go to, and its estimate."""
    from catalog.bench.backends.llama_cpp import LlamaCppRuntime
    from catalog.bench.backends.transformers import TransformersRuntime

    if isinstance(runtime, TransformersRuntime):
        need = config_need(
            runtime.plan.config, dtype=runtime.dtype, tokens=tokens, folder=runtime.plan.path
        )
        return (str(runtime.plan.path), runtime.device, need) if need else None
    if isinstance(runtime, LlamaCppRuntime) and not runtime.settings.gpu_layers:
        from catalog.estimate.gguf_memory import estimate_gguf

        memory = estimate_gguf(runtime.info, context=runtime.settings.n_ctx).inference
        basis = f"{memory.quantization}, {memory.context} tokens, from the GGUF header"
        return str(runtime.info.path), "cpu", MemoryNeed(memory.total_bytes, basis)
    return None


def config_need(
    config: Mapping[str, Any], *, dtype: str, tokens: int, folder: Path
) -> MemoryNeed | None:
    """The inference estimate of a transformers model from its own config.json.

    The formulas answer at once; an architecture without one is counted on the meta device
    (the bounds make that finite). None when neither knows the architecture.

    Raises:
        BenchmarkError: a field of the config is past its plausible bound.
    """
    from catalog.estimate.api import inference_memory
    from catalog.estimate.bounds import check_bounds

    try:
        check_bounds(config)
    except EstimateError as exc:
        raise BenchmarkError(f"{folder / 'config.json'}: {exc}") from None
    for exact in (False, True):
        try:
            memory = inference_memory(config=config, dtype=dtype, context=tokens, exact=exact)
        except EstimateError:
            continue
        return MemoryNeed(memory.total_bytes, f"{dtype}, {tokens} tokens, from config.json")
    return None

"""Inference memory: weights + KV cache + overhead (prefill workspace and the runtime's own reserve)."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from catalog.estimate.architecture import Architecture
from catalog.estimate.dtypes import Dtype, WeightFormat
from catalog.estimate.params import ParamCount

RUNTIME_OVERHEAD_BYTES = 512 * 1024**2
"""What a runtime holds besides tensors: CUDA context, kernels, allocator reserve (llmfit adds 0.5 GB,
gpu_poor 650 MB). Not measured on CPU (the baseline already includes the imported library)."""

LOGIT_BYTES = 4
"""Logits are upcast to float32 before sampling."""


@dataclass(frozen=True)
class InferenceMemory:
    """Memory to serve a model on one device, with each part listed.

    Attributes:
        dtype: the weight format.
        context: tokens held in the KV cache per sequence.
        batch: sequences served at once.
        weights_bytes: the weights in that format.
        kv_cache_bytes: keys and values for ``context x batch`` tokens (``None`` without a config).
        activation_bytes: the largest transient buffer set of a prefill of ``context`` tokens (one layer's
            MLP or attention intermediates, plus last-token logits); ``None`` without a config.
        runtime_bytes: the runtime's fixed reserve (:data:`RUNTIME_OVERHEAD_BYTES`).
        overhead_bytes: ``activation_bytes + runtime_bytes``.
        total_bytes: the sum of the parts (a lower bound when a part is unknown).
        kv_cache_windowed_bytes: the KV cache of a runtime that honours the sliding window, when the
            model has one and ``context`` exceeds it.
        total_is_lower_bound: some part could not be estimated (no config).
    """

    dtype: Dtype
    context: int | None
    batch: int
    weights_bytes: int
    kv_cache_bytes: int | None
    activation_bytes: int | None
    runtime_bytes: int
    overhead_bytes: int
    total_bytes: int
    kv_cache_windowed_bytes: int | None = None
    total_is_lower_bound: bool = False

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready dict: every field, byte counts as integers."""
        return asdict(self)


def weights_bytes(count: ParamCount, fmt: WeightFormat) -> int:
    """Bytes of the weights of ``count`` stored as ``fmt``."""
    if fmt.family == "bitsandbytes":
        return round(count.linear_weights * fmt.linear_bytes + count.unquantised * fmt.other_bytes)
    return round(count.total * fmt.linear_bytes)


def kv_cache_bytes(arch: Architecture, *, context: int, batch: int, element_bytes: float) -> int:
    """``2 x layers x kv_heads x head_dim x context x batch x bytes`` (K and V of every layer).

    ``arch.kv_width`` is ``2 x kv_heads x head_dim``, so grouped-query attention is respected.
    """
    return round(arch.kv_width * arch.num_layers * context * batch * element_bytes)


def kv_cache_windowed_bytes(
    arch: Architecture, *, context: int, batch: int, element_bytes: float
) -> int | None:
    """The KV cache when sliding-window layers keep only their window (``None`` if that saves nothing)."""
    window = arch.sliding_window
    if window is None or arch.sliding_layers == 0 or context <= window:
        return None
    full_layers = arch.num_layers - arch.sliding_layers
    tokens = arch.sliding_layers * window + full_layers * context
    return round(arch.kv_width * tokens * batch * element_bytes)


def prefill_elements_per_token(arch: Architecture) -> int:
    """Elements alive at the peak of one layer's forward pass, per token (no autograd).

    Three hidden-size tensors are alive throughout: the embedding output (transformers keeps it
    referenced for the whole forward), the residual stream and the normed layer input. On top, the
    MLP peak holds its intermediates (gated: the activated gate, the up projection and their product;
    plain: the projection and its activation); the attention peak holds Q, K, V, K/V expanded to
    every query head for grouped-query attention, and the attention output. Scaled-dot-product
    attention is assumed, so no ``context x context`` score matrix is materialised.
    """
    h = arch.hidden_size
    q = arch.num_heads * arch.head_dim
    kv = arch.kv_width // 2
    expanded = 2 * q if arch.num_kv_heads < arch.num_heads else 0
    attention = 3 * h + q + 2 * kv + expanded + q
    width = arch.ffn_size
    if arch.is_moe:
        width = arch.expert_ffn_size * arch.experts_per_token + arch.shared_expert_ffn_size
    mlp = 3 * h + (3 if arch.gated_mlp else 2) * width
    return max(attention, mlp)


def inference_bytes(
    *,
    count: ParamCount,
    arch: Architecture | None,
    fmt: WeightFormat,
    context: int | None,
    batch: int,
    runtime_bytes: int = RUNTIME_OVERHEAD_BYTES,
) -> InferenceMemory:
    """Inference memory of a model in one format.

    Args:
        count: the parameter count.
        arch: the architecture (``None`` for a bare parameter count: KV cache and activations unknown).
        fmt: the weight format.
        context: tokens per sequence (required when ``arch`` is given).
        batch: sequences at once.
        runtime_bytes: the runtime's fixed reserve.
    """
    weights = weights_bytes(count, fmt)
    if arch is None or context is None:
        return InferenceMemory(
            dtype=fmt.name,
            context=context,
            batch=batch,
            weights_bytes=weights,
            kv_cache_bytes=None,
            activation_bytes=None,
            runtime_bytes=runtime_bytes,
            overhead_bytes=runtime_bytes,
            total_bytes=weights + runtime_bytes,
            total_is_lower_bound=True,
        )
    kv = kv_cache_bytes(arch, context=context, batch=batch, element_bytes=fmt.kv_bytes)
    activation_dtype_bytes = 4 if fmt.name == "fp32" else 2
    activations = context * batch * prefill_elements_per_token(arch) * activation_dtype_bytes
    activations += batch * arch.vocab_size * LOGIT_BYTES
    overhead = activations + runtime_bytes
    return InferenceMemory(
        dtype=fmt.name,
        context=context,
        batch=batch,
        weights_bytes=weights,
        kv_cache_bytes=kv,
        activation_bytes=activations,
        runtime_bytes=runtime_bytes,
        overhead_bytes=overhead,
        total_bytes=weights + kv + overhead,
        kv_cache_windowed_bytes=kv_cache_windowed_bytes(
            arch, context=context, batch=batch, element_bytes=fmt.kv_bytes
        ),
    )

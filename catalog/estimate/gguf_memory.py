"""Inference memory of a GGUF file as llama.cpp runs it: the weights exactly as stored (their
real quantization, tensor by tensor), the KV cache at llama.cpp's default type (f16), and the
compute buffer of one micro-batch.

The header gives everything (``catalog.local.gguf_meta``): the bytes of every tensor, the layers,
the key/value heads (per layer where the file lists them) and head sizes, the vocabulary. Nothing
is loaded.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any

from catalog.errors import UsageError
from catalog.estimate.memory import RUNTIME_OVERHEAD_BYTES

if TYPE_CHECKING:
    # The estimate is given what a header says; reading the file is catalog.local's job, a
    # layer above (an estimate never imports it at run time).
    from catalog.local.gguf_meta import GGUFInfo

KV_CACHE_TYPE = "f16"
"""llama.cpp's default ``--cache-type-k``/``--cache-type-v``."""
KV_ELEMENT_BYTES = 2
UBATCH = 512
"""llama.cpp's default micro-batch (``--ubatch-size``): the compute buffer is sized for it."""
FLOAT_BYTES = 4
DEFAULT_CONTEXT = 4096


@dataclass(frozen=True)
class GGUFMemory:
    """Memory to run a GGUF file with llama.cpp, part by part."""

    quantization: str
    context: int
    batch: int
    weights_bytes: int
    """The tensor data as stored in the file."""
    kv_cache_type: str
    kv_cache_bytes: int | None
    """None when the header lacks the layer or head counts."""
    activation_bytes: int | None
    """The compute buffer of one micro-batch (activations in f32, the logits of the batch)."""
    runtime_bytes: int
    overhead_bytes: int
    total_bytes: int
    total_is_lower_bound: bool

    def to_json(self) -> dict[str, Any]:
        """Every field; byte counts as integers."""
        return asdict(self)


@dataclass(frozen=True)
class GGUFEstimate:
    """What ``modelcat estimate --gguf`` reports."""

    info: GGUFInfo
    inference: GGUFMemory
    assumptions: tuple[str, ...]

    def to_json(self) -> dict[str, Any]:
        """``model`` (the file), ``params``, ``quantization``, ``architecture`` (the header's
        numbers), ``inference`` and ``assumptions``."""
        info = self.info
        return {
            "model": str(info.path),
            "name": info.name,
            "params": info.parameter_count,
            "params_method": "gguf header",
            "quantization": info.quantization,
            "file_size_bytes": info.file_size,
            "architecture": {
                "gguf_architecture": info.architecture,
                "num_layers": info.block_count,
                "hidden_size": info.embedding_length,
                "num_heads": info.head_count,
                "num_kv_heads": list(info.head_count_kv) if info.head_count_kv else None,
                "key_length": _key_length(info),
                "value_length": _value_length(info),
                "ffn_size": info.feed_forward_length,
                "vocab_size": info.vocab_size,
                "max_context": info.context_length,
            },
            "tensor_types": info.tensor_types,
            "inference": self.inference.to_json(),
            "assumptions": list(self.assumptions),
        }


def _key_length(info: GGUFInfo) -> int | None:
    if info.key_length:
        return info.key_length
    if info.embedding_length and info.head_count:
        return info.embedding_length // info.head_count
    return None


def _value_length(info: GGUFInfo) -> int | None:
    return info.value_length or _key_length(info)


def estimate_gguf(info: GGUFInfo, *, context: int | None = None, batch: int = 1) -> GGUFEstimate:
    """Memory to run the model in ``info`` with llama.cpp's defaults.

    Args:
        info: the file's header (``catalog.local.gguf_meta.read_gguf``).
        context: tokens per sequence; default the model's context, at most 4096.
        batch: sequences at once (``--parallel``).

    Raises:
        UsageError: ``context`` or ``batch`` below 1.
    """
    if batch < 1:
        raise UsageError(f"--batch must be at least 1, not {batch}")
    if context is not None and context < 1:
        raise UsageError(f"--context must be at least 1, not {context}")
    tokens = context or min(info.context_length or DEFAULT_CONTEXT, DEFAULT_CONTEXT)
    k_len, v_len = _key_length(info), _value_length(info)
    kv_heads = info.kv_heads_total
    kv: int | None = None
    if kv_heads is not None and k_len and v_len:
        kv = kv_heads * (k_len + v_len) * tokens * batch * KV_ELEMENT_BYTES
    activations: int | None = None
    if info.embedding_length and info.vocab_size:
        ffn = info.feed_forward_length or 4 * info.embedding_length
        width = 3 * info.embedding_length + 2 * ffn + info.vocab_size
        activations = min(UBATCH, tokens * batch) * width * FLOAT_BYTES
    overhead = (activations or 0) + RUNTIME_OVERHEAD_BYTES
    memory = GGUFMemory(
        quantization=info.quantization,
        context=tokens,
        batch=batch,
        weights_bytes=info.tensor_bytes,
        kv_cache_type=KV_CACHE_TYPE,
        kv_cache_bytes=kv,
        activation_bytes=activations,
        runtime_bytes=RUNTIME_OVERHEAD_BYTES,
        overhead_bytes=overhead,
        total_bytes=info.tensor_bytes + (kv or 0) + overhead,
        total_is_lower_bound=kv is None or activations is None,
    )
    assumptions = (
        f"weights: the {len(info.tensor_types)} tensor type(s) exactly as stored in the file "
        f"({', '.join(info.tensor_types)}); llama.cpp maps them without converting",
        f"KV cache: llama.cpp's default {KV_CACHE_TYPE} keys and values for every layer, "
        f"{tokens} tokens x {batch} sequence(s) (smaller with --cache-type-k/-v q8_0)",
        f"compute buffer: one micro-batch of {UBATCH} tokens in f32 (hidden states, the "
        "feed-forward intermediates and the batch's logits)",
        f"runtime reserve: {RUNTIME_OVERHEAD_BYTES // 2**20} MiB (backend buffers, allocator)",
    )
    return GGUFEstimate(info=info, inference=memory, assumptions=assumptions)

"""Bytes per parameter for each weight format the estimator knows."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, get_args

from catalog.errors import UsageError

Dtype = Literal[
    "fp32",
    "bf16",
    "fp16",
    "int8",
    "int4",
    "q8_0",
    "q6_k",
    "q5_k_m",
    "q5_0",
    "q4_k_m",
    "q4_0",
    "q3_k_m",
    "q2_k",
]
DTYPES: tuple[Dtype, ...] = get_args(Dtype)


@dataclass(frozen=True)
class WeightFormat:
    """How one format stores weights.

    Attributes:
        name: the dtype name users type.
        linear_bytes: bytes per element of the decoder's weight matrices.
        other_bytes: bytes per element of everything else (embeddings, head, norms, biases).
        kv_bytes: bytes per cached key/value element.
        family: ``"float"``, ``"bitsandbytes"`` (matrices quantised, the rest in bf16) or ``"gguf"``
            (the whole file at the format's average bits per weight).
        note: where the figure comes from.
    """

    name: Dtype
    linear_bytes: float
    other_bytes: float
    kv_bytes: float
    family: Literal["float", "bitsandbytes", "gguf"]
    note: str


def _gguf(name: Dtype, bits: float) -> WeightFormat:
    note = (
        f"GGUF {name.upper()}: {bits} bits per weight on average over the whole file (llama.cpp quantize "
        "figures for a 7B llama; mixes keep some tensors at higher precision), KV cache in f16"
    )
    return WeightFormat(name, bits / 8, bits / 8, 2.0, "gguf", note)


# NF4 with double quantisation: 4 bits + an 8-bit absmax per 64 weights + an fp32 constant per 256
# absmax blocks = 4.127 bits (QLoRA paper, section 3).
NF4_BITS = 4 + 8 / 64 + 32 / (64 * 256)

FORMATS: dict[Dtype, WeightFormat] = {
    "fp32": WeightFormat("fp32", 4.0, 4.0, 4.0, "float", "float32 weights and KV cache"),
    "bf16": WeightFormat("bf16", 2.0, 2.0, 2.0, "float", "bfloat16 weights and KV cache"),
    "fp16": WeightFormat("fp16", 2.0, 2.0, 2.0, "float", "float16 weights and KV cache"),
    "int8": WeightFormat(
        "int8",
        1.0 + 4 / 4096,
        2.0,
        2.0,
        "bitsandbytes",
        "int8 (LLM.int8-style): decoder matrices at 1 byte plus a per-row scale; embeddings, head, norms "
        "and biases stay bf16; KV cache bf16",
    ),
    "int4": WeightFormat(
        "int4",
        NF4_BITS / 8,
        2.0,
        2.0,
        "bitsandbytes",
        f"int4 (NF4 with double quantisation, {NF4_BITS:.3f} bits per weight incl. constants): decoder "
        "matrices only; embeddings, head, norms and biases stay bf16; KV cache bf16",
    ),
    "q8_0": _gguf("q8_0", 8.5),
    "q6_k": _gguf("q6_k", 6.5625),
    "q5_k_m": _gguf("q5_k_m", 5.69),
    "q5_0": _gguf("q5_0", 5.5),
    "q4_k_m": _gguf("q4_k_m", 4.85),
    "q4_0": _gguf("q4_0", 4.5),
    "q3_k_m": _gguf("q3_k_m", 3.91),
    "q2_k": _gguf("q2_k", 3.35),
}


def weight_format(dtype: str) -> WeightFormat:
    """The :class:`WeightFormat` for a dtype name (case-insensitive; ``float16``/``bfloat16`` accepted).

    Raises:
        UsageError: the dtype is unknown; the message lists the known ones.
    """
    aliases = {"float32": "fp32", "float16": "fp16", "bfloat16": "bf16", "nf4": "int4"}
    key = aliases.get(str(dtype).lower(), str(dtype).lower())
    if key not in FORMATS:
        raise UsageError(f"unknown dtype {dtype!r}: use one of {', '.join(DTYPES)}")
    return FORMATS[key]

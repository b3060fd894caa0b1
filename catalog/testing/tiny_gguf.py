"""Tiny Llama models written directly as GGUF with the `gguf` package, as llama.cpp loads them.

Random weights (small, so greedy decoding stays finite), a SentencePiece-style vocabulary of
byte tokens plus every printable ASCII character (so any text tokenizes), quantized with the
package's own quantizers (Q8_0, Q4_0) or stored as F16/F32.
"""

from __future__ import annotations

import string
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class TinyShape:
    """The size of a tiny Llama (every weight row a multiple of 32, the quant block)."""

    n_embd: int = 64
    n_layer: int = 2
    n_head: int = 4
    n_head_kv: int = 2
    n_ff: int = 128
    n_ctx: int = 1024


def vocabulary() -> tuple[list[str], list[float], list[int]]:
    """Tokens, scores and token types: ``<unk> <s> </s>``, 256 byte tokens, then pieces."""
    from gguf.constants import TokenType

    tokens = ["<unk>", "<s>", "</s>"]
    types = [TokenType.UNKNOWN, TokenType.CONTROL, TokenType.CONTROL]
    tokens += [f"<0x{b:02X}>" for b in range(256)]
    types += [TokenType.BYTE] * 256
    pieces = ["\u2581"] + [c for c in string.printable if c.isprintable() and c != " "]
    words = ["the", "and", "of", "to", "in", "that", "was", "he", "it", "his", "with", "had"]
    pieces += [f"\u2581{w}" for w in words]
    tokens += pieces
    types += [TokenType.NORMAL] * len(pieces)
    scores = [0.0] * 259 + [-float(i) for i in range(len(pieces))]
    return tokens, scores, [int(t) for t in types]


def write_tiny_llama(
    path: Path,
    *,
    quant: str = "Q8_0",
    shape: TinyShape | None = None,
    name: str = "Tiny Llama",
    seed: int = 0,
    extra: dict[str, str] | None = None,
) -> Path:
    """Write a tiny Llama GGUF to ``path`` and return it.

    Args:
        quant: ``Q8_0``, ``Q4_0``, ``F16`` or ``F32`` for the 2-D weights (norms stay F32).
        shape: the model's size.
        name: ``general.name``.
        seed: the random weights' seed.
        extra: more string keys (``general.source.huggingface.repository``, ...).
    """
    import numpy as np
    from gguf import GGUFWriter, LlamaFileType
    from gguf.constants import GGMLQuantizationType
    from gguf.quants import quantize

    s = shape or TinyShape()
    qtype = GGMLQuantizationType[quant]
    file_type = {
        "Q8_0": LlamaFileType.MOSTLY_Q8_0,
        "Q4_0": LlamaFileType.MOSTLY_Q4_0,
        "F16": LlamaFileType.MOSTLY_F16,
        "F32": LlamaFileType.ALL_F32,
    }[quant]
    tokens, scores, types = vocabulary()
    rng = np.random.default_rng(seed)
    head_dim = s.n_embd // s.n_head
    writer = GGUFWriter(path, "llama")
    writer.add_name(name)
    writer.add_file_type(int(file_type))
    writer.add_quantization_version(2)
    writer.add_context_length(s.n_ctx)
    writer.add_embedding_length(s.n_embd)
    writer.add_block_count(s.n_layer)
    writer.add_feed_forward_length(s.n_ff)
    writer.add_head_count(s.n_head)
    writer.add_head_count_kv(s.n_head_kv)
    writer.add_rope_dimension_count(head_dim)
    writer.add_layer_norm_rms_eps(1e-5)
    writer.add_vocab_size(len(tokens))
    writer.add_tokenizer_model("llama")
    writer.add_token_list(tokens)
    writer.add_token_scores(scores)
    writer.add_token_types(types)
    writer.add_unk_token_id(0)
    writer.add_bos_token_id(1)
    writer.add_eos_token_id(2)
    writer.add_add_bos_token(True)
    for key, value in (extra or {}).items():
        writer.add_string(key, value)

    def weight(name: str, rows: int, cols: int) -> None:
        data = rng.normal(0.0, 0.02, size=(rows, cols)).astype(np.float32)
        stored = quantize(data, qtype)
        raw = None if qtype in (GGMLQuantizationType.F16, GGMLQuantizationType.F32) else qtype
        writer.add_tensor(name, stored, raw_dtype=raw)

    def norm(name: str) -> None:
        writer.add_tensor(name, np.ones(s.n_embd, dtype=np.float32))

    weight("token_embd.weight", len(tokens), s.n_embd)
    norm("output_norm.weight")
    weight("output.weight", len(tokens), s.n_embd)
    for i in range(s.n_layer):
        norm(f"blk.{i}.attn_norm.weight")
        weight(f"blk.{i}.attn_q.weight", s.n_head * head_dim, s.n_embd)
        weight(f"blk.{i}.attn_k.weight", s.n_head_kv * head_dim, s.n_embd)
        weight(f"blk.{i}.attn_v.weight", s.n_head_kv * head_dim, s.n_embd)
        weight(f"blk.{i}.attn_output.weight", s.n_embd, s.n_head * head_dim)
        norm(f"blk.{i}.ffn_norm.weight")
        weight(f"blk.{i}.ffn_gate.weight", s.n_ff, s.n_embd)
        weight(f"blk.{i}.ffn_up.weight", s.n_ff, s.n_embd)
        weight(f"blk.{i}.ffn_down.weight", s.n_embd, s.n_ff)
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()
    return path


def parameter_count(shape: TinyShape | None = None) -> int:
    """The exact parameters of ``write_tiny_llama`` at that shape."""
    s = shape or TinyShape()
    vocab = len(vocabulary()[0])
    head_dim = s.n_embd // s.n_head
    per_layer = (
        2 * s.n_embd
        + 2 * s.n_embd * s.n_head * head_dim
        + 2 * s.n_embd * s.n_head_kv * head_dim
        + 3 * s.n_embd * s.n_ff
    )
    return 2 * vocab * s.n_embd + s.n_embd + s.n_layer * per_layer

"""The weight matrices of each model family, as transformers builds them.

A :class:`Layout` lists, for one decoder layer, every linear map with its shape and module name, plus
the small parameters around them (norms, routers). One description serves three purposes: the
parameter count (total and active), the LoRA trainable count (``rank x (in + out)`` per targeted
module), and the split between quantisable matrices and the tensors a quantiser leaves in 16 bits.

Module names follow transformers 5: routed experts are fused 3-D parameters
(``experts.gate_up_proj``, ``experts.down_proj``), not one ``nn.Linear`` per expert.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from catalog.errors import EstimateError
from catalog.estimate.architecture import Architecture


@dataclass(frozen=True)
class Linear:
    """One linear map inside a decoder layer.

    Attributes:
        name: module path inside the layer, as transformers names it (``"self_attn.q_proj"``).
        in_features: input width.
        out_features: output width.
        bias: whether the map has a bias vector.
        copies: how many copies each layer holds (the routed experts of a MoE layer).
        active: how many copies one token uses (``None``: all of them).
        covers: the unfused projections a fused module implements (``query_key_value`` covers
            ``q_proj``, ``k_proj``, ``v_proj``), so LoRA targets can name either.
        expert: a fused expert parameter rather than an ``nn.Linear`` module.
        rank_factor: LoRA rank multiplier; peft gives a fused ``gate_up_proj`` of experts twice the
            rank, so that gate and up each keep rank r as they had unfused.
    """

    name: str
    in_features: int
    out_features: int
    bias: bool = False
    copies: int = 1
    active: int | None = None
    covers: tuple[str, ...] = ()
    expert: bool = False
    rank_factor: int = 1

    @property
    def weight_params(self) -> int:
        """Elements of the weight matrices (all copies)."""
        return self.in_features * self.out_features * self.copies

    @property
    def bias_params(self) -> int:
        """Elements of the bias vectors (all copies)."""
        return self.out_features * self.copies if self.bias else 0

    @property
    def active_fraction_copies(self) -> int:
        """Copies a single token runs through."""
        return self.copies if self.active is None else self.active


@dataclass(frozen=True)
class LayerGroup:
    """``count`` identical decoder layers."""

    count: int
    linears: tuple[Linear, ...]
    other: int
    """Parameters of one layer outside its linear maps: norms, router weights."""


@dataclass(frozen=True)
class Layout:
    """Every parameter of a causal language model, grouped by role."""

    embedding: int
    """Token and position embeddings, and any norm applied right after them."""
    groups: tuple[LayerGroup, ...]
    final_norm: int
    lm_head: int
    """The output projection (0 when tied to the embedding)."""


def _lm_head(arch: Architecture, *, bias: bool = False) -> int:
    if arch.tied_embeddings:
        return 0
    return arch.vocab_size * arch.hidden_size + (arch.vocab_size if bias else 0)


def _flag(arch: Architecture, key: str, default: bool) -> bool:
    value = arch.raw.get(key, default)
    return bool(default if value is None else value)


def _qkvo(
    arch: Architecture, *, bias: bool, o_bias: bool, prefix: str = "self_attn", o: str = "o_proj"
) -> list[Linear]:
    h, q, kv = arch.hidden_size, arch.num_heads * arch.head_dim, arch.num_kv_heads * arch.head_dim
    return [
        Linear(f"{prefix}.q_proj", h, q, bias),
        Linear(f"{prefix}.k_proj", h, kv, bias),
        Linear(f"{prefix}.v_proj", h, kv, bias),
        Linear(f"{prefix}.{o}", q, h, o_bias),
    ]


def _gated(h: int, width: int, *, prefix: str = "mlp", bias: bool = False) -> list[Linear]:
    return [
        Linear(f"{prefix}.gate_proj", h, width, bias),
        Linear(f"{prefix}.up_proj", h, width, bias),
        Linear(f"{prefix}.down_proj", width, h, bias),
    ]


def _plain(h: int, width: int, up: str, down: str, *, bias: bool) -> list[Linear]:
    return [Linear(f"mlp.{up}", h, width, bias), Linear(f"mlp.{down}", width, h, bias)]


def _experts(arch: Architecture, prefix: str = "mlp") -> list[Linear]:
    h, width, count, active = (
        arch.hidden_size,
        arch.expert_ffn_size,
        arch.num_experts,
        arch.experts_per_token,
    )
    gate_up = Linear(
        f"{prefix}.experts.gate_up_proj",
        h,
        2 * width,
        copies=count,
        active=active,
        expert=True,
        rank_factor=2,
    )
    return [
        Linear(f"{prefix}.gate", h, count),  # the router
        gate_up,
        Linear(f"{prefix}.experts.down_proj", width, h, copies=count, active=active, expert=True),
    ]


def _one(
    arch: Architecture,
    linears: list[Linear],
    other: int,
    *,
    embedding: int | None = None,
    final_norm: int | None = None,
    head_bias: bool = False,
) -> Layout:
    h = arch.hidden_size
    return Layout(
        embedding=arch.vocab_size * h if embedding is None else embedding,
        groups=(LayerGroup(arch.num_layers, tuple(linears), other),),
        final_norm=h if final_norm is None else final_norm,
        lm_head=_lm_head(arch, bias=head_bias),
    )


def _llama(arch: Architecture) -> Layout:
    bias = _flag(arch, "attention_bias", False)
    norms = {"gemma2": 4}.get(arch.model_type, 2) * arch.hidden_size
    if arch.model_type == "qwen3":
        norms += 2 * arch.head_dim  # q_norm and k_norm
    mlp = _gated(arch.hidden_size, arch.ffn_size, bias=_flag(arch, "mlp_bias", False))
    return _one(arch, _qkvo(arch, bias=bias, o_bias=bias) + mlp, norms)


def _mistral(arch: Architecture) -> Layout:
    return _one(
        arch,
        _qkvo(arch, bias=False, o_bias=False) + _gated(arch.hidden_size, arch.ffn_size),
        2 * arch.hidden_size,
    )


def _qwen2(arch: Architecture) -> Layout:
    return _one(
        arch,
        _qkvo(arch, bias=True, o_bias=False) + _gated(arch.hidden_size, arch.ffn_size),
        2 * arch.hidden_size,
    )


def _olmo(arch: Architecture) -> Layout:
    # OLMo's LayerNorm has no learnable parameters
    bias = _flag(arch, "attention_bias", False)
    return _one(
        arch,
        _qkvo(arch, bias=bias, o_bias=bias) + _gated(arch.hidden_size, arch.ffn_size),
        0,
        final_norm=0,
    )


def _phi(arch: Architecture) -> Layout:
    h = arch.hidden_size
    linears = _qkvo(arch, bias=True, o_bias=True, o="dense") + _plain(
        h, arch.ffn_size, "fc1", "fc2", bias=True
    )
    other = 2 * h + (4 * arch.head_dim if _flag(arch, "qk_layernorm", False) else 0)
    return _one(arch, linears, other, final_norm=2 * h, head_bias=True)


def _phi3(arch: Architecture) -> Layout:
    h, hd = arch.hidden_size, arch.head_dim
    qkv = (arch.num_heads + 2 * arch.num_kv_heads) * hd
    linears = [
        Linear("self_attn.qkv_proj", h, qkv, covers=("q_proj", "k_proj", "v_proj")),
        Linear("self_attn.o_proj", arch.num_heads * hd, h),
        Linear("mlp.gate_up_proj", h, 2 * arch.ffn_size, covers=("gate_proj", "up_proj")),
        Linear("mlp.down_proj", arch.ffn_size, h),
    ]
    return _one(arch, linears, 2 * h)


def _starcoder2(arch: Architecture) -> Layout:
    h, bias = arch.hidden_size, _flag(arch, "use_bias", True)
    linears = _qkvo(arch, bias=bias, o_bias=bias) + _plain(
        h, arch.ffn_size, "c_fc", "c_proj", bias=bias
    )
    return _one(arch, linears, 4 * h, final_norm=2 * h)


def _fused_qkv(name: str, h: int, out: int, bias: bool) -> Linear:
    return Linear(name, h, out, bias, covers=("q_proj", "k_proj", "v_proj"))


def _gpt2(arch: Architecture) -> Layout:
    h = arch.hidden_size
    positions = arch.raw.get("n_positions") or arch.max_context or 1024
    linears = [
        _fused_qkv("attn.c_attn", h, 3 * h, True),
        Linear("attn.c_proj", h, h, True),
        *_plain(h, arch.ffn_size, "c_fc", "c_proj", bias=True),
    ]
    return _one(
        arch, linears, 4 * h, embedding=(arch.vocab_size + int(positions)) * h, final_norm=2 * h
    )


def _gpt_bigcode(arch: Architecture) -> Layout:
    h = arch.hidden_size
    positions = arch.raw.get("n_positions") or arch.max_context or 1024  # GPTBigCodeConfig default
    linears = [
        _fused_qkv("attn.c_attn", h, h + 2 * arch.num_kv_heads * arch.head_dim, True),
        Linear("attn.c_proj", h, h, True),
        *_plain(h, arch.ffn_size, "c_fc", "c_proj", bias=True),
    ]
    return _one(
        arch, linears, 4 * h, embedding=(arch.vocab_size + int(positions)) * h, final_norm=2 * h
    )


def _gpt_neo(arch: Architecture) -> Layout:
    h = arch.hidden_size
    positions = arch.max_context or 2048
    linears = _qkvo(arch, bias=False, o_bias=True, prefix="attn.attention", o="out_proj")
    linears += _plain(h, arch.ffn_size, "c_fc", "c_proj", bias=True)
    return _one(arch, linears, 4 * h, embedding=(arch.vocab_size + positions) * h, final_norm=2 * h)


def _gptj(arch: Architecture) -> Layout:
    h = arch.hidden_size
    linears = _qkvo(arch, bias=False, o_bias=False, prefix="attn", o="out_proj")
    linears += _plain(h, arch.ffn_size, "fc_in", "fc_out", bias=True)
    return _one(arch, linears, 2 * h, final_norm=2 * h, head_bias=True)


def _neox_style(arch: Architecture, prefix: str, *, bias: bool) -> list[Linear]:
    h = arch.hidden_size
    qkv = (arch.num_heads + 2 * arch.num_kv_heads) * arch.head_dim
    return [
        _fused_qkv(f"{prefix}.query_key_value", h, qkv, bias),
        Linear(f"{prefix}.dense", h, h, bias),
        *_plain(h, arch.ffn_size, "dense_h_to_4h", "dense_4h_to_h", bias=bias),
    ]


def _gpt_neox(arch: Architecture) -> Layout:
    linears = _neox_style(arch, "attention", bias=_flag(arch, "attention_bias", True))
    return _one(arch, linears, 4 * arch.hidden_size, final_norm=2 * arch.hidden_size)


def _falcon(arch: Architecture) -> Layout:
    h = arch.hidden_size
    new = _flag(arch, "new_decoder_architecture", False)
    two_norms = not _flag(arch, "parallel_attn", True) or (
        new and arch.raw.get("num_ln_in_parallel_attn") in (None, 2)
    )
    linears = _neox_style(arch, "self_attention", bias=_flag(arch, "bias", False))
    return _one(arch, linears, (4 if two_norms else 2) * h, final_norm=2 * h)


def _bloom(arch: Architecture) -> Layout:
    h = arch.hidden_size
    linears = _neox_style(arch, "self_attention", bias=True)
    return _one(arch, linears, 4 * h, embedding=arch.vocab_size * h + 2 * h, final_norm=2 * h)


def _mpt(arch: Architecture) -> Layout:
    # transformers' MPT drops LayerNorm biases and ignores expansion_ratio (always 4 x hidden)
    h = arch.hidden_size
    linears = [
        _fused_qkv("attn.Wqkv", h, 3 * h, False),
        Linear("attn.out_proj", h, h),
        Linear("ffn.up_proj", h, 4 * h),
        Linear("ffn.down_proj", 4 * h, h),
    ]
    return _one(arch, linears, 2 * h)


def _mixtral(arch: Architecture) -> Layout:
    h = arch.hidden_size
    return _one(arch, _qkvo(arch, bias=False, o_bias=False) + _experts(arch), 2 * h)


def _qwen2_moe(arch: Architecture) -> Layout:
    h, raw = arch.hidden_size, arch.raw
    bias = _flag(arch, "qkv_bias", True)
    attention = _qkvo(arch, bias=bias, o_bias=False)
    shared = int(raw.get("shared_expert_intermediate_size") or 0)
    sparse = attention + _experts(arch)
    if shared:
        sparse += _gated(h, shared, prefix="mlp.shared_expert") + [
            Linear("mlp.shared_expert_gate", h, 1)
        ]
    step = int(raw.get("decoder_sparse_step") or 1)
    dense_only = set(raw.get("mlp_only_layers") or [])
    sparse_count = sum(
        1 for i in range(arch.num_layers) if i not in dense_only and (i + 1) % step == 0
    )
    groups = [LayerGroup(sparse_count, tuple(sparse), 2 * h)]
    if arch.num_layers - sparse_count:
        dense = attention + _gated(h, arch.ffn_size)
        groups.append(LayerGroup(arch.num_layers - sparse_count, tuple(dense), 2 * h))
    return Layout(arch.vocab_size * h, tuple(groups), h, _lm_head(arch))


def _deepseek(arch: Architecture) -> Layout:
    h, raw, heads = arch.hidden_size, arch.raw, arch.num_heads
    bias = _flag(arch, "attention_bias", False)
    nope, rope, v = (int(raw[k]) for k in ("qk_nope_head_dim", "qk_rope_head_dim", "v_head_dim"))
    kv_rank = int(raw["kv_lora_rank"])
    q_rank = raw.get("q_lora_rank")
    attention: list[Linear] = []
    norms = 2 * h + kv_rank
    if q_rank:
        attention += [
            Linear("self_attn.q_a_proj", h, int(q_rank), bias, covers=("q_proj",)),
            Linear("self_attn.q_b_proj", int(q_rank), heads * (nope + rope), covers=("q_proj",)),
        ]
        norms += int(q_rank)
    else:
        attention.append(Linear("self_attn.q_proj", h, heads * (nope + rope)))
    attention += [
        Linear(
            "self_attn.kv_a_proj_with_mqa", h, kv_rank + rope, bias, covers=("k_proj", "v_proj")
        ),
        Linear("self_attn.kv_b_proj", kv_rank, heads * (nope + v), covers=("k_proj", "v_proj")),
        Linear("self_attn.o_proj", heads * v, h, bias),
    ]
    shared = arch.expert_ffn_size * int(raw.get("n_shared_experts") or 0)
    sparse = (
        attention
        + _experts(arch)
        + (_gated(h, shared, prefix="mlp.shared_experts") if shared else [])
    )
    dense_count = min(int(raw.get("first_k_dense_replace") or 0), arch.num_layers)
    groups = [LayerGroup(arch.num_layers - dense_count, tuple(sparse), norms)]
    if dense_count:
        groups.append(LayerGroup(dense_count, tuple(attention + _gated(h, arch.ffn_size)), norms))
    return Layout(arch.vocab_size * h, tuple(groups), h, _lm_head(arch))


FAMILIES: dict[str, Callable[[Architecture], Layout]] = {
    "llama": _llama,
    "gemma": _llama,
    "gemma2": _llama,
    "qwen3": _llama,
    "mistral": _mistral,
    "qwen2": _qwen2,
    "olmo": _olmo,
    "phi": _phi,
    "phi3": _phi3,
    "starcoder2": _starcoder2,
    "gpt2": _gpt2,
    "gpt_bigcode": _gpt_bigcode,
    "gpt_neo": _gpt_neo,
    "gptj": _gptj,
    "gpt_neox": _gpt_neox,
    "falcon": _falcon,
    "bloom": _bloom,
    "mpt": _mpt,
    "mixtral": _mixtral,
    "qwen2_moe": _qwen2_moe,
    "deepseek_v2": _deepseek,
    "deepseek_v3": _deepseek,
}


def layout_for(arch: Architecture) -> Layout:
    """The :class:`Layout` of ``arch``.

    Raises:
        EstimateError: no formula exists for this model family, or its config lacks a field the
            family needs.
    """
    build = FAMILIES.get(arch.model_type)
    if build is None:
        known = ", ".join(sorted(FAMILIES))
        raise EstimateError(
            f"no parameter formula for model_type {arch.model_type!r} (known: {known})"
        )
    if arch.is_moe and arch.model_type not in {
        "mixtral",
        "qwen2_moe",
        "deepseek_v2",
        "deepseek_v3",
    }:
        raise EstimateError(
            f"model_type {arch.model_type!r} has experts, but its formula is dense-only"
        )
    try:
        return build(arch)
    except KeyError as missing:
        raise EstimateError(
            f"config field {missing} is required for model_type {arch.model_type!r}"
        ) from None

"""Layouts of the mixture-of-experts families: routed experts, shared experts, dense layers between.

Mixtral, Qwen 1.5-2 MoE, Qwen 3 MoE, Phi-3.5-MoE, OLMoE, Granite MoE (and its shared-expert variant),
Llama 4, gpt-oss and DeepSeek V2/V3 (multi-head latent attention), each as transformers 5 builds it.
Every expert is counted in the total; a token runs through the router, ``experts_per_token`` routed
experts and every shared expert, which is the active count.
"""

from __future__ import annotations

from catalog.estimate.architecture import Architecture
from catalog.estimate.layouts import (
    LayerGroup,
    Layout,
    Linear,
    attention_qkvo,
    config_flag,
    gated_mlp,
    lm_head_params,
    positive_field,
    routed_experts,
)


def _layers(
    arch: Architecture,
    *,
    sparse: int,
    sparse_linears: list[Linear],
    dense_linears: list[Linear],
    other: int,
    final_norm: int | None = None,
    head_bias: bool = False,
) -> Layout:
    """A layout with ``sparse`` layers holding experts and the others dense."""
    count = min(max(sparse, 0), arch.num_layers) if arch.is_moe else 0
    groups = [LayerGroup(count, tuple(sparse_linears), other)]
    if arch.num_layers - count:
        groups.append(LayerGroup(arch.num_layers - count, tuple(dense_linears), other))
    return Layout(
        arch.vocab_size * arch.hidden_size,
        tuple(groups),
        arch.hidden_size if final_norm is None else final_norm,
        lm_head_params(arch, bias=head_bias),
    )


def _layer_indices(value: object, layers: int) -> set[int]:
    """The distinct layer indices of a config list, those that exist."""
    if not isinstance(value, list):
        return set()
    return {i for i in value if type(i) is int and 0 <= i < layers}


def _every_step(arch: Architecture) -> int:
    """Qwen MoE: layers ``i`` with ``(i + 1) % decoder_sparse_step == 0`` that
    ``mlp_only_layers`` does not make dense."""
    step = positive_field(arch, "decoder_sparse_step", default=1)
    dense = _layer_indices(arch.raw.get("mlp_only_layers"), arch.num_layers)
    return arch.num_layers // step - sum(1 for i in dense if (i + 1) % step == 0)


def mixtral(arch: Architecture) -> Layout:
    attention = attention_qkvo(arch, bias=False, o_bias=False)
    return _layers(
        arch,
        sparse=arch.num_layers,
        sparse_linears=attention + routed_experts(arch),
        dense_linears=[],
        other=2 * arch.hidden_size,
    )


def qwen2_moe(arch: Architecture) -> Layout:
    """Qwen 1.5/2 MoE: Q/K/V biases and a gated shared expert beside the routed ones."""
    h = arch.hidden_size
    attention = attention_qkvo(arch, bias=config_flag(arch, "qkv_bias", True), o_bias=False)
    sparse = attention + routed_experts(arch)
    if arch.shared_expert_ffn_size:
        sparse += gated_mlp(h, arch.shared_expert_ffn_size, prefix="mlp.shared_expert")
        sparse.append(Linear("mlp.shared_expert_gate", h, 1))
    return _layers(
        arch,
        sparse=_every_step(arch),
        sparse_linears=sparse,
        dense_linears=attention + gated_mlp(h, arch.ffn_size),
        other=2 * h,
    )


def qwen3_moe(arch: Architecture) -> Layout:
    """Qwen 3 MoE: no shared expert, per-head Q/K norms."""
    h = arch.hidden_size
    bias = config_flag(arch, "attention_bias", False)
    attention = attention_qkvo(arch, bias=bias, o_bias=bias)
    return _layers(
        arch,
        sparse=_every_step(arch),
        sparse_linears=attention + routed_experts(arch),
        dense_linears=attention + gated_mlp(h, arch.ffn_size),
        other=2 * h + 2 * arch.head_dim,
    )


def olmoe(arch: Architecture) -> Layout:
    """OLMoE: Q/K norms over all heads."""
    h = arch.hidden_size
    bias = config_flag(arch, "attention_bias", False)
    qk_norms = (arch.num_heads + arch.num_kv_heads) * arch.head_dim
    return _layers(
        arch,
        sparse=arch.num_layers,
        sparse_linears=attention_qkvo(arch, bias=bias, o_bias=bias) + routed_experts(arch),
        dense_linears=[],
        other=2 * h + qk_norms,
    )


def phimoe(arch: Architecture) -> Layout:
    """Phi-3.5-MoE: LayerNorms with biases, optional attention and head biases."""
    h = arch.hidden_size
    bias = config_flag(arch, "attention_bias", False)
    return _layers(
        arch,
        sparse=arch.num_layers,
        sparse_linears=attention_qkvo(arch, bias=bias, o_bias=bias)
        + routed_experts(arch, router="router"),
        dense_linears=[],
        other=4 * h,
        final_norm=2 * h,
        head_bias=config_flag(arch, "lm_head_bias", False),
    )


def granitemoe(arch: Architecture) -> Layout:
    """Granite MoE (and granitemoeshared: a shared MLP with fused input projection)."""
    h = arch.hidden_size
    bias = config_flag(arch, "attention_bias", False)
    sparse = attention_qkvo(arch, bias=bias, o_bias=bias)
    sparse += routed_experts(arch, "block_sparse_moe", router="router")
    shared = arch.shared_expert_ffn_size
    if shared:
        sparse += [
            Linear("shared_mlp.input_linear", h, 2 * shared, covers=("gate_proj", "up_proj")),
            Linear("shared_mlp.output_linear", shared, h, covers=("down_proj",)),
        ]
    return _layers(
        arch, sparse=arch.num_layers, sparse_linears=sparse, dense_linears=[], other=2 * h
    )


def llama4(arch: Architecture) -> Layout:
    """Llama 4 text: MoE layers (routed + one shared expert) on ``moe_layers`` or every
    ``interleave_moe_layer_step``-th layer, dense layers ``intermediate_size_mlp`` wide between;
    the L2 Q/K norm has no weights."""
    h, raw = arch.hidden_size, arch.raw
    bias = config_flag(arch, "attention_bias", False)
    attention = attention_qkvo(arch, bias=bias, o_bias=bias)
    if raw.get("moe_layers") is None:
        step = positive_field(arch, "interleave_moe_layer_step", default=1)
        moe_layers = len(range(step - 1, arch.num_layers, step))
    else:
        moe_layers = len(_layer_indices(raw["moe_layers"], arch.num_layers))
    sparse = attention + routed_experts(arch, "feed_forward", router="router")
    sparse += gated_mlp(h, arch.shared_expert_ffn_size, prefix="feed_forward.shared_expert")
    return _layers(
        arch,
        sparse=moe_layers,
        sparse_linears=sparse,
        dense_linears=attention + gated_mlp(h, arch.ffn_size, prefix="feed_forward"),
        other=2 * h,
    )


def gpt_oss(arch: Architecture) -> Layout:
    """gpt-oss: biases everywhere (attention, router, every expert) and one learned attention
    sink per head."""
    bias = config_flag(arch, "attention_bias", True)
    return _layers(
        arch,
        sparse=arch.num_layers,
        sparse_linears=attention_qkvo(arch, bias=bias, o_bias=bias)
        + routed_experts(arch, router="router", router_bias=True, bias=True),
        dense_linears=[],
        other=2 * arch.hidden_size + arch.num_heads,
    )


def _latent_attention(arch: Architecture) -> tuple[list[Linear], int]:
    """DeepSeek's multi-head latent attention: its projections and its two latent norms."""
    h, heads = arch.hidden_size, arch.num_heads
    bias = config_flag(arch, "attention_bias", False)
    nope, rope, v, kv_rank = (
        positive_field(arch, key)
        for key in ("qk_nope_head_dim", "qk_rope_head_dim", "v_head_dim", "kv_lora_rank")
    )
    q_rank = positive_field(arch, "q_lora_rank", default=0)  # 0: no low-rank query
    attention: list[Linear] = []
    norms = kv_rank
    if q_rank:
        attention += [
            Linear("self_attn.q_a_proj", h, q_rank, bias, covers=("q_proj",)),
            Linear("self_attn.q_b_proj", q_rank, heads * (nope + rope), covers=("q_proj",)),
        ]
        norms += q_rank
    else:
        attention.append(Linear("self_attn.q_proj", h, heads * (nope + rope)))
    attention += [
        Linear(
            "self_attn.kv_a_proj_with_mqa", h, kv_rank + rope, bias, covers=("k_proj", "v_proj")
        ),
        Linear("self_attn.kv_b_proj", kv_rank, heads * (nope + v), covers=("k_proj", "v_proj")),
        Linear("self_attn.o_proj", heads * v, h, bias),
    ]
    return attention, norms


def deepseek(arch: Architecture) -> Layout:
    """DeepSeek V2/V3: latent attention, shared + routed experts, the first
    ``first_k_dense_replace`` layers dense."""
    h = arch.hidden_size
    attention, norms = _latent_attention(arch)
    sparse = attention + routed_experts(arch)
    if arch.shared_expert_ffn_size:
        sparse += gated_mlp(h, arch.shared_expert_ffn_size, prefix="mlp.shared_experts")
    dense = positive_field(arch, "first_k_dense_replace", default=0)
    return _layers(
        arch,
        sparse=arch.num_layers - dense,
        sparse_linears=sparse,
        dense_linears=attention + gated_mlp(h, arch.ffn_size),
        other=2 * h + norms,
    )

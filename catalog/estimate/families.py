"""Per-family layouts: which linear maps each transformers architecture builds, and their shapes.

Each builder mirrors the modelling code of transformers 5 for one ``model_type``; the tests check
every one against the model transformers builds on the meta device.
"""

from __future__ import annotations

from collections.abc import Callable

from catalog.errors import EstimateError
from catalog.estimate.architecture import Architecture
from catalog.estimate.layouts import (
    LayerGroup,
    Layout,
    Linear,
    attention_qkvo,
    config_flag,
    fused_qkv,
    gated_mlp,
    lm_head_params,
    neox_style,
    plain_mlp,
    routed_experts,
    single_group,
)


def _llama(arch: Architecture) -> Layout:
    bias = config_flag(arch, "attention_bias", False)
    norms = {"gemma2": 4, "gemma3_text": 4}.get(arch.model_type, 2) * arch.hidden_size
    if arch.model_type in ("qwen3", "gemma3_text"):
        norms += 2 * arch.head_dim  # q_norm and k_norm
    mlp = gated_mlp(arch.hidden_size, arch.ffn_size, bias=config_flag(arch, "mlp_bias", False))
    return single_group(arch, attention_qkvo(arch, bias=bias, o_bias=bias) + mlp, norms)


def _mistral(arch: Architecture) -> Layout:
    return single_group(
        arch,
        attention_qkvo(arch, bias=False, o_bias=False) + gated_mlp(arch.hidden_size, arch.ffn_size),
        2 * arch.hidden_size,
    )


def _qwen2(arch: Architecture) -> Layout:
    return single_group(
        arch,
        attention_qkvo(arch, bias=True, o_bias=False) + gated_mlp(arch.hidden_size, arch.ffn_size),
        2 * arch.hidden_size,
    )


def _olmo(arch: Architecture) -> Layout:
    # OLMo's LayerNorm has no learnable parameters
    bias = config_flag(arch, "attention_bias", False)
    return single_group(
        arch,
        attention_qkvo(arch, bias=bias, o_bias=bias) + gated_mlp(arch.hidden_size, arch.ffn_size),
        0,
        final_norm=0,
    )


def _phi(arch: Architecture) -> Layout:
    h = arch.hidden_size
    linears = attention_qkvo(arch, bias=True, o_bias=True, o="dense") + plain_mlp(
        h, arch.ffn_size, "fc1", "fc2", bias=True
    )
    other = 2 * h + (4 * arch.head_dim if config_flag(arch, "qk_layernorm", False) else 0)
    return single_group(arch, linears, other, final_norm=2 * h, head_bias=True)


def _phi3(arch: Architecture) -> Layout:
    h, hd = arch.hidden_size, arch.head_dim
    qkv = (arch.num_heads + 2 * arch.num_kv_heads) * hd
    linears = [
        Linear("self_attn.qkv_proj", h, qkv, covers=("q_proj", "k_proj", "v_proj")),
        Linear("self_attn.o_proj", arch.num_heads * hd, h),
        Linear("mlp.gate_up_proj", h, 2 * arch.ffn_size, covers=("gate_proj", "up_proj")),
        Linear("mlp.down_proj", arch.ffn_size, h),
    ]
    return single_group(arch, linears, 2 * h)


def _starcoder2(arch: Architecture) -> Layout:
    h, bias = arch.hidden_size, config_flag(arch, "use_bias", True)
    linears = attention_qkvo(arch, bias=bias, o_bias=bias) + plain_mlp(
        h, arch.ffn_size, "c_fc", "c_proj", bias=bias
    )
    return single_group(arch, linears, 4 * h, final_norm=2 * h)


def _gpt2(arch: Architecture) -> Layout:
    h = arch.hidden_size
    positions = arch.raw.get("n_positions") or arch.max_context or 1024
    linears = [
        fused_qkv("attn.c_attn", h, 3 * h, True),
        Linear("attn.c_proj", h, h, True),
        *plain_mlp(h, arch.ffn_size, "c_fc", "c_proj", bias=True),
    ]
    return single_group(
        arch, linears, 4 * h, embedding=(arch.vocab_size + int(positions)) * h, final_norm=2 * h
    )


def _gpt_bigcode(arch: Architecture) -> Layout:
    h = arch.hidden_size
    positions = arch.raw.get("n_positions") or arch.max_context or 1024  # GPTBigCodeConfig default
    linears = [
        fused_qkv("attn.c_attn", h, h + 2 * arch.num_kv_heads * arch.head_dim, True),
        Linear("attn.c_proj", h, h, True),
        *plain_mlp(h, arch.ffn_size, "c_fc", "c_proj", bias=True),
    ]
    return single_group(
        arch, linears, 4 * h, embedding=(arch.vocab_size + int(positions)) * h, final_norm=2 * h
    )


def _gpt_neo(arch: Architecture) -> Layout:
    h = arch.hidden_size
    positions = arch.max_context or 2048
    linears = attention_qkvo(arch, bias=False, o_bias=True, prefix="attn.attention", o="out_proj")
    linears += plain_mlp(h, arch.ffn_size, "c_fc", "c_proj", bias=True)
    return single_group(
        arch, linears, 4 * h, embedding=(arch.vocab_size + positions) * h, final_norm=2 * h
    )


def _gptj(arch: Architecture) -> Layout:
    h = arch.hidden_size
    linears = attention_qkvo(arch, bias=False, o_bias=False, prefix="attn", o="out_proj")
    linears += plain_mlp(h, arch.ffn_size, "fc_in", "fc_out", bias=True)
    return single_group(arch, linears, 2 * h, final_norm=2 * h, head_bias=True)


def _gpt_neox(arch: Architecture) -> Layout:
    linears = neox_style(arch, "attention", bias=config_flag(arch, "attention_bias", True))
    return single_group(arch, linears, 4 * arch.hidden_size, final_norm=2 * arch.hidden_size)


def _falcon(arch: Architecture) -> Layout:
    h = arch.hidden_size
    new = config_flag(arch, "new_decoder_architecture", False)
    two_norms = not config_flag(arch, "parallel_attn", True) or (
        new and arch.raw.get("num_ln_in_parallel_attn") in (None, 2)
    )
    linears = neox_style(arch, "self_attention", bias=config_flag(arch, "bias", False))
    return single_group(arch, linears, (4 if two_norms else 2) * h, final_norm=2 * h)


def _bloom(arch: Architecture) -> Layout:
    h = arch.hidden_size
    linears = neox_style(arch, "self_attention", bias=True)
    return single_group(
        arch, linears, 4 * h, embedding=arch.vocab_size * h + 2 * h, final_norm=2 * h
    )


def _mpt(arch: Architecture) -> Layout:
    # transformers' MPT drops LayerNorm biases and ignores expansion_ratio (always 4 x hidden)
    h = arch.hidden_size
    linears = [
        fused_qkv("attn.Wqkv", h, 3 * h, False),
        Linear("attn.out_proj", h, h),
        Linear("ffn.up_proj", h, 4 * h),
        Linear("ffn.down_proj", 4 * h, h),
    ]
    return single_group(arch, linears, 2 * h)


def _mixtral(arch: Architecture) -> Layout:
    h = arch.hidden_size
    return single_group(
        arch, attention_qkvo(arch, bias=False, o_bias=False) + routed_experts(arch), 2 * h
    )


def _qwen2_moe(arch: Architecture) -> Layout:
    h, raw = arch.hidden_size, arch.raw
    bias = config_flag(arch, "qkv_bias", True)
    attention = attention_qkvo(arch, bias=bias, o_bias=False)
    shared = arch.shared_expert_ffn_size
    sparse = attention + routed_experts(arch)
    if shared:
        sparse += gated_mlp(h, shared, prefix="mlp.shared_expert") + [
            Linear("mlp.shared_expert_gate", h, 1)
        ]
    step = int(raw.get("decoder_sparse_step") or 1)
    dense_only = set(raw.get("mlp_only_layers") or [])
    sparse_count = sum(
        1 for i in range(arch.num_layers) if i not in dense_only and (i + 1) % step == 0
    )
    groups = [LayerGroup(sparse_count, tuple(sparse), 2 * h)]
    if arch.num_layers - sparse_count:
        dense = attention + gated_mlp(h, arch.ffn_size)
        groups.append(LayerGroup(arch.num_layers - sparse_count, tuple(dense), 2 * h))
    return Layout(arch.vocab_size * h, tuple(groups), h, lm_head_params(arch))


def _deepseek(arch: Architecture) -> Layout:
    h, raw, heads = arch.hidden_size, arch.raw, arch.num_heads
    bias = config_flag(arch, "attention_bias", False)
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
    shared = arch.shared_expert_ffn_size
    sparse = (
        attention
        + routed_experts(arch)
        + (gated_mlp(h, shared, prefix="mlp.shared_experts") if shared else [])
    )
    dense_count = min(int(raw.get("first_k_dense_replace") or 0), arch.num_layers)
    groups = [LayerGroup(arch.num_layers - dense_count, tuple(sparse), norms)]
    if dense_count:
        groups.append(
            LayerGroup(dense_count, tuple(attention + gated_mlp(h, arch.ffn_size)), norms)
        )
    return Layout(arch.vocab_size * h, tuple(groups), h, lm_head_params(arch))


FAMILIES: dict[str, Callable[[Architecture], Layout]] = {
    "llama": _llama,
    "gemma": _llama,
    "gemma2": _llama,
    "gemma3_text": _llama,
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

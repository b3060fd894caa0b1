"""Layouts of the dense Llama-like families: separate (or fused) Q/K/V and a gated MLP.

Llama 1-3 (and Yi, SmolLM2, Falcon 3), Mistral (and NeMo), Qwen 1-3, Gemma 1-3, Phi 3-4, OLMo 1-2,
Granite, Cohere (Command R, R7B) and StableLM, each as transformers 5 builds it (Qwen 1 as its own
remote code does: transformers has no ``qwen`` model).
"""

from __future__ import annotations

from catalog.estimate.architecture import Architecture
from catalog.estimate.layouts import (
    Layout,
    Linear,
    attention_qkvo,
    config_flag,
    fused_qkv,
    gated_mlp,
    single_group,
)

# Norms per layer, in units of hidden_size: Gemma 2-3 norm before and after attention and MLP.
_LAYER_NORMS = {"gemma2": 4, "gemma3_text": 4}


def _qk_norms(arch: Architecture, *, per_head: bool) -> int:
    """Q and K norms: one head wide (``per_head``) or as wide as all the query and key heads."""
    if per_head:
        return 2 * arch.head_dim
    return (arch.num_heads + arch.num_kv_heads) * arch.head_dim


def llama(arch: Architecture) -> Layout:
    """Llama and its close kin (Gemma 1-3, Qwen 3, Granite), with optional biases."""
    bias = config_flag(arch, "attention_bias", False)
    norms = _LAYER_NORMS.get(arch.model_type, 2) * arch.hidden_size
    if arch.model_type in ("qwen3", "gemma3_text"):
        norms += _qk_norms(arch, per_head=True)
    mlp = gated_mlp(arch.hidden_size, arch.ffn_size, bias=config_flag(arch, "mlp_bias", False))
    return single_group(arch, attention_qkvo(arch, bias=bias, o_bias=bias) + mlp, norms)


def mistral(arch: Architecture) -> Layout:
    return single_group(
        arch,
        attention_qkvo(arch, bias=False, o_bias=False) + gated_mlp(arch.hidden_size, arch.ffn_size),
        2 * arch.hidden_size,
    )


def qwen2(arch: Architecture) -> Layout:
    return single_group(
        arch,
        attention_qkvo(arch, bias=True, o_bias=False) + gated_mlp(arch.hidden_size, arch.ffn_size),
        2 * arch.hidden_size,
    )


def qwen(arch: Architecture) -> Layout:
    """Qwen 1 (remote code ``QWenLMHeadModel``): fused biased ``c_attn``, and ``w1``/``w2`` each half
    of ``intermediate_size`` wide (already halved in ``arch.ffn_size``)."""
    h, ffn = arch.hidden_size, arch.ffn_size
    inner = arch.num_heads * arch.head_dim
    bias = not config_flag(arch, "no_bias", True)
    linears = [
        fused_qkv("attn.c_attn", h, 3 * inner, True),
        Linear("attn.c_proj", inner, h, bias),
        Linear("mlp.w1", h, ffn, bias, covers=("up_proj",)),
        Linear("mlp.w2", h, ffn, bias, covers=("gate_proj",)),
        Linear("mlp.c_proj", ffn, h, bias, covers=("down_proj",)),
    ]
    return single_group(arch, linears, 2 * h)


def olmo(arch: Architecture) -> Layout:
    # OLMo's LayerNorm has no learnable parameters
    bias = config_flag(arch, "attention_bias", False)
    return single_group(
        arch,
        attention_qkvo(arch, bias=bias, o_bias=bias) + gated_mlp(arch.hidden_size, arch.ffn_size),
        0,
        final_norm=0,
    )


def olmo2(arch: Architecture) -> Layout:
    """OLMo 2: norms after attention and MLP, and Q/K norms over all heads."""
    bias = config_flag(arch, "attention_bias", False)
    norms = 2 * arch.hidden_size + _qk_norms(arch, per_head=False)
    return single_group(
        arch,
        attention_qkvo(arch, bias=bias, o_bias=bias) + gated_mlp(arch.hidden_size, arch.ffn_size),
        norms,
    )


def phi3(arch: Architecture) -> Layout:
    h, hd = arch.hidden_size, arch.head_dim
    qkv = (arch.num_heads + 2 * arch.num_kv_heads) * hd
    linears = [
        Linear("self_attn.qkv_proj", h, qkv, covers=("q_proj", "k_proj", "v_proj")),
        Linear("self_attn.o_proj", arch.num_heads * hd, h),
        Linear("mlp.gate_up_proj", h, 2 * arch.ffn_size, covers=("gate_proj", "up_proj")),
        Linear("mlp.down_proj", arch.ffn_size, h),
    ]
    return single_group(arch, linears, 2 * h)


def cohere(arch: Architecture) -> Layout:
    """Command R (cohere) and R7B (cohere2): one weight-only LayerNorm per layer (attention and
    MLP run in parallel); Command R+ adds Q/K norms over all heads."""
    bias = config_flag(arch, "attention_bias", False)
    norms = arch.hidden_size
    if arch.model_type == "cohere" and config_flag(arch, "use_qk_norm", False):
        norms += _qk_norms(arch, per_head=False)
    return single_group(
        arch,
        attention_qkvo(arch, bias=bias, o_bias=bias) + gated_mlp(arch.hidden_size, arch.ffn_size),
        norms,
    )


def stablelm(arch: Architecture) -> Layout:
    """StableLM: LayerNorms with biases (one per layer with a parallel residual), optional Q/K/V
    biases and bias-free per-head Q/K LayerNorms."""
    h = arch.hidden_size
    bias = config_flag(arch, "use_qkv_bias", False)
    linears = attention_qkvo(arch, bias=bias, o_bias=False)
    norms = (2 if config_flag(arch, "use_parallel_residual", False) else 4) * h
    if config_flag(arch, "qk_layernorm", False):
        norms += _qk_norms(arch, per_head=False)
    return single_group(arch, linears + gated_mlp(h, arch.ffn_size), norms, final_norm=2 * h)

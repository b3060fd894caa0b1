"""Layouts of the GPT lineage: LayerNorm with biases, a two-matrix MLP, often learned positions.

GPT-2, StarCoder (gpt_bigcode), GPT-Neo, GPT-J, GPT-NeoX/Pythia, Falcon, BLOOM, MPT, OPT, Phi 1-2
and StarCoder 2, each as transformers 5 builds it.
"""

from __future__ import annotations

from catalog.estimate.architecture import Architecture
from catalog.estimate.layouts import (
    Layout,
    Linear,
    attention_qkvo,
    config_flag,
    fused_qkv,
    neox_style,
    plain_mlp,
    positive_field,
    single_group,
)


def _positions(arch: Architecture, default: int) -> int:
    return positive_field(arch, "n_positions", default=arch.max_context or default)


def gpt2(arch: Architecture) -> Layout:
    h = arch.hidden_size
    linears = [
        fused_qkv("attn.c_attn", h, 3 * h, True),
        Linear("attn.c_proj", h, h, True),
        *plain_mlp(h, arch.ffn_size, "c_fc", "c_proj", bias=True),
    ]
    embedding = (arch.vocab_size + _positions(arch, 1024)) * h
    return single_group(arch, linears, 4 * h, embedding=embedding, final_norm=2 * h)


def gpt_bigcode(arch: Architecture) -> Layout:
    h = arch.hidden_size
    linears = [
        fused_qkv("attn.c_attn", h, h + 2 * arch.num_kv_heads * arch.head_dim, True),
        Linear("attn.c_proj", h, h, True),
        *plain_mlp(h, arch.ffn_size, "c_fc", "c_proj", bias=True),
    ]
    embedding = (arch.vocab_size + _positions(arch, 1024)) * h  # GPTBigCodeConfig default
    return single_group(arch, linears, 4 * h, embedding=embedding, final_norm=2 * h)


def gpt_neo(arch: Architecture) -> Layout:
    h = arch.hidden_size
    linears = attention_qkvo(arch, bias=False, o_bias=True, prefix="attn.attention", o="out_proj")
    linears += plain_mlp(h, arch.ffn_size, "c_fc", "c_proj", bias=True)
    embedding = (arch.vocab_size + (arch.max_context or 2048)) * h
    return single_group(arch, linears, 4 * h, embedding=embedding, final_norm=2 * h)


def gptj(arch: Architecture) -> Layout:
    h = arch.hidden_size
    linears = attention_qkvo(arch, bias=False, o_bias=False, prefix="attn", o="out_proj")
    linears += plain_mlp(h, arch.ffn_size, "fc_in", "fc_out", bias=True)
    return single_group(arch, linears, 2 * h, final_norm=2 * h, head_bias=True)


def gpt_neox(arch: Architecture) -> Layout:
    # attention_bias switches the attention biases only: the MLP always has them
    bias = config_flag(arch, "attention_bias", True)
    linears = neox_style(arch, "attention", bias=bias, mlp_bias=True)
    return single_group(arch, linears, 4 * arch.hidden_size, final_norm=2 * arch.hidden_size)


def falcon(arch: Architecture) -> Layout:
    h = arch.hidden_size
    new = config_flag(arch, "new_decoder_architecture", False)
    two_norms = not config_flag(arch, "parallel_attn", True) or (
        new and arch.raw.get("num_ln_in_parallel_attn") in (None, 2)
    )
    bias = config_flag(arch, "bias", False)
    linears = neox_style(arch, "self_attention", bias=bias, mlp_bias=bias)
    return single_group(arch, linears, (4 if two_norms else 2) * h, final_norm=2 * h)


def bloom(arch: Architecture) -> Layout:
    h = arch.hidden_size
    linears = neox_style(arch, "self_attention", bias=True, mlp_bias=True)
    return single_group(
        arch, linears, 4 * h, embedding=arch.vocab_size * h + 2 * h, final_norm=2 * h
    )


def mpt(arch: Architecture) -> Layout:
    # transformers' MPT drops LayerNorm biases and ignores expansion_ratio (always 4 x hidden)
    h = arch.hidden_size
    linears = [
        fused_qkv("attn.Wqkv", h, 3 * h, False),
        Linear("attn.out_proj", h, h),
        Linear("ffn.up_proj", h, 4 * h),
        Linear("ffn.down_proj", 4 * h, h),
    ]
    return single_group(arch, linears, 2 * h)


def opt(arch: Architecture) -> Layout:
    """OPT: learned positions offset by 2, and for some sizes (350m) a narrower word embedding
    projected in and out of the residual stream."""
    h = arch.hidden_size
    bias = config_flag(arch, "enable_bias", True)
    affine = config_flag(arch, "layer_norm_elementwise_affine", True)
    norm = 2 * h if affine else 0
    word = positive_field(arch, "word_embed_proj_dim", default=h)
    projections = 2 * word * h if word != h else 0  # project_in and project_out
    final = norm if config_flag(arch, "do_layer_norm_before", True) else 0
    if config_flag(arch, "_remove_final_layer_norm", False):
        final = 0
    linears = attention_qkvo(arch, bias=bias, o_bias=bias, o="out_proj")
    linears += [Linear("fc1", h, arch.ffn_size, bias), Linear("fc2", arch.ffn_size, h, bias)]
    positions = (arch.max_context or 2048) + 2
    return Layout(
        embedding=arch.vocab_size * word + positions * h + projections,
        groups=single_group(arch, linears, 2 * norm).groups,
        final_norm=final,
        lm_head=0 if arch.tied_embeddings else arch.vocab_size * word,
    )


def phi(arch: Architecture) -> Layout:
    h = arch.hidden_size
    linears = attention_qkvo(arch, bias=True, o_bias=True, o="dense") + plain_mlp(
        h, arch.ffn_size, "fc1", "fc2", bias=True
    )
    other = 2 * h + (4 * arch.head_dim if config_flag(arch, "qk_layernorm", False) else 0)
    return single_group(arch, linears, other, final_norm=2 * h, head_bias=True)


def starcoder2(arch: Architecture) -> Layout:
    h, bias = arch.hidden_size, config_flag(arch, "use_bias", True)
    linears = attention_qkvo(arch, bias=bias, o_bias=bias) + plain_mlp(
        h, arch.ffn_size, "c_fc", "c_proj", bias=bias
    )
    return single_group(arch, linears, 4 * h, final_norm=2 * h)

"""A transformers ``config.json`` turned into the numbers every estimate needs.

Configs spell the same quantity in many ways (``n_embd``, ``n_embed``, ``hidden_size``, ``d_model``;
``multi_query: true`` for one KV head; ``n_inner: null`` for 4 x hidden). :func:`read_architecture`
resolves every alias once, so the rest of the estimator reads one normalised :class:`Architecture`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from catalog.errors import EstimateError

HIDDEN_KEYS = ("hidden_size", "n_embd", "n_embed", "d_model")
LAYER_KEYS = ("num_hidden_layers", "n_layer", "num_layers", "n_layers")
HEAD_KEYS = ("num_attention_heads", "n_head", "num_heads", "n_heads")
KV_HEAD_KEYS = ("num_key_value_heads", "num_kv_heads", "n_head_kv")
FFN_KEYS = ("intermediate_size", "n_inner", "ffn_hidden_size", "ffn_dim")
CONTEXT_KEYS = (
    "max_position_embeddings",
    "n_positions",
    "max_sequence_length",
    "max_seq_len",
    "seq_length",
    "n_ctx",
)

# Old Falcon revisions shipped their own modelling code under these model types.
_OLD_FALCON = {"RefinedWebModel": False, "RefinedWeb": True}  # value: new decoder architecture

# ``architectures[0]`` -> model_type, for configs that lack a model_type key.
_ARCHITECTURE_TYPES = {
    "LlamaForCausalLM": "llama",
    "MistralForCausalLM": "mistral",
    "MixtralForCausalLM": "mixtral",
    "Qwen2ForCausalLM": "qwen2",
    "Qwen2MoeForCausalLM": "qwen2_moe",
    "Qwen3ForCausalLM": "qwen3",
    "GemmaForCausalLM": "gemma",
    "Gemma2ForCausalLM": "gemma2",
    "Gemma3ForCausalLM": "gemma3_text",
    "FalconForCausalLM": "falcon",
    "RWForCausalLM": "falcon",
    "GPT2LMHeadModel": "gpt2",
    "GPTNeoForCausalLM": "gpt_neo",
    "GPTJForCausalLM": "gptj",
    "GPTNeoXForCausalLM": "gpt_neox",
    "BloomForCausalLM": "bloom",
    "MptForCausalLM": "mpt",
    "MPTForCausalLM": "mpt",
    "PhiForCausalLM": "phi",
    "Phi3ForCausalLM": "phi3",
    "OlmoForCausalLM": "olmo",
    "GPTBigCodeForCausalLM": "gpt_bigcode",
    "Starcoder2ForCausalLM": "starcoder2",
    "DeepseekV2ForCausalLM": "deepseek_v2",
    "DeepseekV3ForCausalLM": "deepseek_v3",
    "OPTForCausalLM": "opt",
    "QWenLMHeadModel": "qwen",
    "Qwen3MoeForCausalLM": "qwen3_moe",
    "PhiMoEForCausalLM": "phimoe",
    "Olmo2ForCausalLM": "olmo2",
    "OlmoeForCausalLM": "olmoe",
    "GptOssForCausalLM": "gpt_oss",
    "GraniteForCausalLM": "granite",
    "GraniteMoeForCausalLM": "granitemoe",
    "GraniteMoeSharedForCausalLM": "granitemoeshared",
    "CohereForCausalLM": "cohere",
    "Cohere2ForCausalLM": "cohere2",
    "StableLmForCausalLM": "stablelm",
    "Llama4ForCausalLM": "llama4_text",
    "Llama4ForConditionalGeneration": "llama4",
    "Gemma3ForConditionalGeneration": "gemma3",
}

# Multimodal wrappers -> the model type of their text decoder, for a text_config without one.
_TEXT_TYPES = {"gemma3": "gemma3_text", "llama4": "llama4_text"}

# What ``tie_word_embeddings`` means when a config omits it: each transformers config class's default.
_TIED_BY_DEFAULT = {
    "gpt2",
    "gpt_neo",
    "falcon",
    "bloom",
    "mpt",
    "gemma",
    "gemma2",
    "gemma3_text",
    "gpt_bigcode",
    "starcoder2",
    "opt",
    "cohere",
    "cohere2",
}

# Families whose FFN is "4 x hidden" when the width key is absent or null.
_FFN_DEFAULTS_TO_4H = {"gpt2", "gpt_neo", "gptj", "falcon", "bloom", "gpt_bigcode"}

# Families with a gated (SwiGLU/GeGLU) MLP: three matrices instead of two.
_GATED_MLP = {
    "llama",
    "mistral",
    "mixtral",
    "qwen2",
    "qwen2_moe",
    "qwen3",
    "gemma",
    "gemma2",
    "gemma3_text",
    "phi3",
    "olmo",
    "deepseek_v2",
    "deepseek_v3",
    "qwen",
    "qwen3_moe",
    "phimoe",
    "olmo2",
    "olmoe",
    "gpt_oss",
    "granite",
    "granitemoe",
    "granitemoeshared",
    "cohere",
    "cohere2",
    "stablelm",
    "llama4_text",
}

# What head_dim is when a config omits it: the config class's default (otherwise hidden / heads).
_HEAD_DIM_DEFAULTS = {
    "qwen3": 128,
    "gemma": 256,
    "gemma2": 256,
    "gemma3_text": 256,
    "llama4_text": 128,
    "gpt_oss": 64,
}

# Families whose modelling code takes hidden / heads as the head width, ignoring any head_dim key.
_HEAD_DIM_DERIVED = {
    "gpt2",
    "gpt_neo",
    "gptj",
    "gpt_neox",
    "gpt_bigcode",
    "bloom",
    "mpt",
    "opt",
    "falcon",
    "stablelm",
    "cohere2",
}

# Sliding-window layers when a config lists no layer_types: every pattern-th layer attends
# globally (each transformers config class's default pattern).
_SLIDING_PATTERNS = {"gemma2": 2, "gemma3_text": 6, "cohere2": 4, "gpt_oss": 2}

# Families whose window, when switched on, applies from layer max_window_layers on.
_WINDOW_AFTER_MAX_LAYERS = {"qwen2", "qwen2_moe", "qwen3", "qwen3_moe"}

# Families with one key/value head per query head whatever the config says.
_MULTI_HEAD_ONLY = {"gpt2", "gpt_neo", "gptj", "gpt_neox", "bloom", "mpt", "opt", "qwen"}


@dataclass(frozen=True)
class Architecture:
    """The shape of a decoder-only transformer, with every config alias resolved.

    Attributes:
        model_type: transformers model type (``"llama"``; old ``RefinedWeb*`` Falcons become ``"falcon"``).
        vocab_size: rows of the input embedding.
        hidden_size: width of the residual stream.
        num_layers: decoder blocks.
        num_heads: query heads.
        num_kv_heads: key/value heads (grouped-query attention when fewer than ``num_heads``).
        head_dim: width of one head (an explicit ``head_dim`` key wins over hidden/heads).
        ffn_size: width of the dense MLP (also the dense layers of a mixture-of-experts model).
        gated_mlp: the MLP has a gate projection (SwiGLU-style, three matrices).
        tied_embeddings: the output projection shares the input embedding matrix.
        max_context: the longest context the model was configured for, if the config says.
        sliding_window: attention window of the sliding layers, if any.
        sliding_layers: how many layers use that window.
        num_experts: routed experts per MoE layer (0 for a dense model).
        experts_per_token: routed experts each token uses.
        expert_ffn_size: width of one routed expert's MLP.
        shared_expert_ffn_size: width of the always-active shared expert(s) (0 if none).
        kv_width: elements of K and V cached per token and layer (``2 x kv_heads x head_dim`` unless the
            attention is special, such as DeepSeek's multi-head latent attention).
        raw: the config the architecture was read from (family-specific flags live there).
    """

    model_type: str
    vocab_size: int
    hidden_size: int
    num_layers: int
    num_heads: int
    num_kv_heads: int
    head_dim: int
    ffn_size: int
    gated_mlp: bool
    tied_embeddings: bool
    max_context: int | None
    sliding_window: int | None
    sliding_layers: int
    num_experts: int
    experts_per_token: int
    expert_ffn_size: int
    shared_expert_ffn_size: int
    kv_width: int
    raw: Mapping[str, Any]

    @property
    def is_moe(self) -> bool:
        """Whether the model routes tokens to a subset of experts."""
        return self.num_experts > 0


def _first(config: Mapping[str, Any], keys: Sequence[str]) -> tuple[str, Any] | None:
    for key in keys:
        if key in config and config[key] is not None:
            return key, config[key]
    return None


def _positive_int(key: str, value: Any) -> int:
    whole = isinstance(value, int) or (isinstance(value, float) and value.is_integer())
    if isinstance(value, bool) or not whole:  # NaN and infinities are not integers either
        raise EstimateError(f"config field {key!r} must be an integer, got {value!r}")
    if int(value) <= 0:
        raise EstimateError(f"config field {key!r} must be positive, got {value!r}")
    return int(value)


def _required(config: Mapping[str, Any], keys: Sequence[str], what: str) -> int:
    found = _first(config, keys)
    if found is None:
        raise EstimateError(f"config has no {what}: expected one of the fields {', '.join(keys)}")
    return _positive_int(*found)


def _optional(config: Mapping[str, Any], keys: Sequence[str]) -> int | None:
    found = _first(config, keys)
    return None if found is None else _positive_int(*found)


def canonical_model_type(config: Mapping[str, Any]) -> str:
    """The transformers model type of ``config``, from ``model_type`` or else ``architectures``."""
    model_type = config.get("model_type")
    if isinstance(model_type, str) and model_type:
        return "falcon" if model_type in _OLD_FALCON else model_type
    architectures = config.get("architectures")
    if (
        isinstance(architectures, list)
        and architectures
        and architectures[0] in _ARCHITECTURE_TYPES
    ):
        return _ARCHITECTURE_TYPES[architectures[0]]
    raise EstimateError(
        "config has no 'model_type' (and no known 'architectures' entry): cannot tell the model family"
    )


def normalised_config(config: Mapping[str, Any]) -> dict[str, Any]:
    """``config`` with old Falcon ``RefinedWeb*`` keys rewritten to today's ``falcon`` spelling."""
    result = dict(config)
    old_type = result.get("model_type")
    if isinstance(old_type, str) and old_type in _OLD_FALCON:
        result["model_type"] = "falcon"
        renames = {
            "n_embed": "hidden_size",
            "n_head": "num_attention_heads",
            "n_layer": "num_hidden_layers",
        }
        renames["n_head_kv"] = "num_kv_heads"
        for old, new in renames.items():
            if old in result and new not in result:
                result[new] = result.pop(old)
        result.setdefault("new_decoder_architecture", _OLD_FALCON[old_type])
        if result["new_decoder_architecture"]:
            result.setdefault("num_kv_heads", 8)  # RefinedWeb's own default for n_head_kv
    text = result.get("text_config")
    if isinstance(text, Mapping) and _first(result, HIDDEN_KEYS) is None:
        # a multimodal checkpoint: estimates count its text decoder (the model_type said so)
        hoisted = dict(text)
        outer = result.get("model_type")
        if not hoisted.get("model_type") and isinstance(outer, str) and outer in _TEXT_TYPES:
            hoisted["model_type"] = _TEXT_TYPES[outer]
        if "tie_word_embeddings" in result:
            hoisted.setdefault("tie_word_embeddings", result["tie_word_embeddings"])
        return normalised_config(hoisted)
    return result


def _head_dim(config: Mapping[str, Any], model_type: str, hidden: int, heads: int) -> int:
    if model_type in _HEAD_DIM_DERIVED:
        return hidden // heads
    if model_type == "qwen":
        return _optional(config, ("kv_channels",)) or 128  # QWenConfig's default
    if "head_dim" in config and config["head_dim"] is None:
        return hidden // heads
    return _optional(config, ("head_dim",)) or _HEAD_DIM_DEFAULTS.get(model_type, hidden // heads)


def _kv_heads(config: Mapping[str, Any], model_type: str, heads: int) -> int:
    if model_type == "falcon":
        if config.get("new_decoder_architecture"):
            return _optional(config, ("num_kv_heads", "n_head_kv")) or heads
        return 1 if config.get("multi_query", True) else heads
    if model_type == "gpt_bigcode":
        return 1 if config.get("multi_query", True) else heads
    if model_type in _MULTI_HEAD_ONLY:
        return heads
    found = _first(config, KV_HEAD_KEYS)
    if found is None:
        return heads  # LLaMA-v1 conversions omit the key: one KV head per query head
    kv = _positive_int(*found)
    if heads % kv:
        raise EstimateError(
            f"config field {found[0]!r} ({kv}) does not divide the head count ({heads})"
        )
    return kv


def _ffn(config: Mapping[str, Any], model_type: str, hidden: int) -> int:
    if model_type == "mpt":
        ratio = config.get("expansion_ratio", 4)
        return _positive_int("expansion_ratio", ratio * hidden) if ratio else 4 * hidden
    if model_type == "llama4_text":
        # intermediate_size is one expert's width; the dense layers have their own
        return _required(config, ("intermediate_size_mlp",), "dense FFN width")
    found = _first(config, FFN_KEYS)
    if found is not None and model_type == "qwen":
        return _positive_int(*found) // 2  # Qwen 1 splits intermediate_size between w1 and w2
    if found is not None:
        return _positive_int(*found)
    if model_type in _FFN_DEFAULTS_TO_4H:
        return 4 * hidden
    raise EstimateError(
        f"config has no FFN width: expected one of the fields {', '.join(FFN_KEYS)}"
    )


def _experts(config: Mapping[str, Any], model_type: str, ffn: int) -> tuple[int, int, int]:
    found = _first(
        config, ("num_local_experts", "num_experts", "n_routed_experts", "moe_num_experts")
    )
    if found is None or found[1] == 0:
        return 0, 0, 0  # dense configs may spell "no experts" as 0 or null
    count = _positive_int(*found)
    per_token = _optional(config, ("num_experts_per_tok", "moe_top_k", "top_k")) or 2
    width_keys: tuple[str, ...] = ("moe_intermediate_size", "expert_intermediate_size")
    if model_type == "llama4_text":
        width_keys = ("intermediate_size",)
    width = _optional(config, width_keys) or ffn
    return count, per_token, width


def _gpt_neo_local_layers(attention_types: Any, layers: int) -> int:
    # gpt-neo spells its layer pattern as [[["global", "local"], repeats], ...]
    local = 0
    try:
        for kinds, repeats in attention_types:
            local += sum(1 for kind in kinds if kind == "local") * int(repeats)
    except (TypeError, ValueError):
        return layers // 2
    return min(local, layers)


def _shared_width(config: Mapping[str, Any], model_type: str, expert_width: int) -> int:
    if model_type == "llama4_text":
        return expert_width  # one shared expert as wide as a routed one
    width = _optional(config, ("shared_expert_intermediate_size", "shared_intermediate_size"))
    if width is not None:
        return width
    shared = config.get("n_shared_experts")  # DeepSeek: n copies of the routed expert's width
    return expert_width * shared if isinstance(shared, int) and shared > 0 else 0


def _sliding(config: Mapping[str, Any], model_type: str, layers: int) -> tuple[int | None, int]:
    window = config.get("sliding_window")
    if not isinstance(window, int) or isinstance(window, bool) or window <= 0:
        window = config.get("window_size") if config.get("attention_types") else None
        if not isinstance(window, int) or window <= 0:
            return None, 0
        return window, _gpt_neo_local_layers(config.get("attention_types"), layers)
    if config.get("use_sliding_window") is False:
        return None, 0
    layer_types = config.get("layer_types")
    if isinstance(layer_types, list) and layer_types:
        return window, sum(1 for kind in layer_types if kind == "sliding_attention")
    if model_type in _WINDOW_AFTER_MAX_LAYERS:
        if config.get("use_sliding_window") is not True:
            return None, 0  # the config class drops the window unless it is switched on
        first = config.get("max_window_layers")
        if type(first) is int and first >= 0:
            return window, max(layers - first, 0)
        return window, layers
    pattern = config.get("sliding_window_pattern") or _SLIDING_PATTERNS.get(model_type)
    if type(pattern) is int and pattern > 0:
        return window, layers - layers // pattern
    return window, layers


def read_architecture(config: Mapping[str, Any]) -> Architecture:
    """Read the normalised :class:`Architecture` of a transformers config.

    Args:
        config: the parsed ``config.json`` (a mapping).

    Returns:
        The architecture with every key alias resolved.

    Raises:
        EstimateError: ``config`` is not a mapping, lacks a required field, or holds a non-integer size.
    """
    if not isinstance(config, Mapping):
        raise EstimateError(
            f"config must be a mapping (a parsed config.json), got {type(config).__name__}"
        )
    config = normalised_config(config)
    model_type = canonical_model_type(config)
    hidden = _required(config, HIDDEN_KEYS, "hidden size")
    layers = _required(config, LAYER_KEYS, "layer count")
    heads = _required(config, HEAD_KEYS, "attention head count")
    vocab = _required(config, ("vocab_size", "padded_vocab_size", "n_vocab"), "vocabulary size")
    head_dim = _head_dim(config, model_type, hidden, heads)
    kv_heads = _kv_heads(config, model_type, heads)
    ffn = _ffn(config, model_type, hidden)
    tied = config.get("tie_word_embeddings")
    if not isinstance(tied, bool):
        tied = model_type in _TIED_BY_DEFAULT
    experts, per_token, expert_width = _experts(config, model_type, ffn)
    window, sliding_layers = _sliding(config, model_type, layers)
    kv_width = 2 * kv_heads * head_dim
    if model_type in {"deepseek_v2", "deepseek_v3"}:
        # transformers caches the up-projected keys and values of every head (not the latent)
        qk = _required(config, ("qk_nope_head_dim",), "qk_nope_head_dim") + _required(
            config, ("qk_rope_head_dim",), "qk_rope_head_dim"
        )
        kv_width = heads * (qk + _required(config, ("v_head_dim",), "v_head_dim"))
    return Architecture(
        model_type=model_type,
        vocab_size=vocab,
        hidden_size=hidden,
        num_layers=layers,
        num_heads=heads,
        num_kv_heads=kv_heads,
        head_dim=head_dim,
        ffn_size=ffn,
        gated_mlp=model_type in _GATED_MLP,
        tied_embeddings=tied,
        max_context=_optional(config, CONTEXT_KEYS),
        sliding_window=window,
        sliding_layers=sliding_layers,
        num_experts=experts,
        experts_per_token=per_token,
        expert_ffn_size=expert_width,
        shared_expert_ffn_size=_shared_width(config, model_type, expert_width) if experts else 0,
        kv_width=kv_width,
        raw=config,
    )

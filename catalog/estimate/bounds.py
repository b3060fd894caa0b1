"""The sizes an architecture may state, checked before anything is built from a config.

A config.json is data from a file or the Hub: ``num_hidden_layers: 1e9`` would have the
estimator build a billion layers on the meta device (and hang), and a float or a boolean is no
layer count. Each field below must be at most its bound when present (the architecture reader then checks
that it is a positive whole number); the bounds sit far above any model published so far, so
only a broken or hostile config meets them.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from catalog.errors import EstimateError
from catalog.text import shown

BOUNDS: tuple[tuple[tuple[str, ...], int], ...] = (
    (("num_hidden_layers", "n_layer", "num_layers", "n_layers"), 1_000),
    (("hidden_size", "d_model", "n_embd", "dim"), 131_072),
    (("intermediate_size", "n_inner", "ffn_hidden_size", "ffn_dim"), 1_048_576),
    (("moe_intermediate_size", "expert_intermediate_size"), 1_048_576),
    (("shared_expert_intermediate_size",), 1_048_576),
    (("num_attention_heads", "n_head", "num_heads"), 4_096),
    (("num_key_value_heads", "num_kv_heads", "n_head_kv", "multi_query_group_num"), 4_096),
    (("head_dim", "qk_nope_head_dim", "v_head_dim"), 16_384),
    (("vocab_size", "padded_vocab_size", "n_vocab"), 4_194_304),
    (("max_position_embeddings", "n_positions", "seq_length", "max_seq_len"), 100_000_000),
    (("num_local_experts", "num_experts", "n_routed_experts", "moe_num_experts"), 4_096),
    (("num_experts_per_tok", "moe_top_k", "top_k"), 4_096),
    (("sliding_window",), 100_000_000),
)
"""(keys that name one architecture field, the largest value accepted)."""
NESTED = ("text_config", "llm_config", "language_config")
"""Sub-configs of multimodal models, checked the same way."""


def check_bounds(config: Mapping[str, Any]) -> None:
    """Refuse a config whose architecture numbers are not plausible.

    Raises:
        EstimateError: the first field above its bound (exit 2).
    """
    _check(config, "")
    for key in NESTED:
        nested = config.get(key)
        if isinstance(nested, Mapping):
            _check(nested, f"{key}.")


def _check(config: Mapping[str, Any], prefix: str) -> None:
    for keys, bound in BOUNDS:
        for key in keys:
            if key not in config or config[key] is None:
                continue
            value = config[key]
            # Types and signs are the architecture reader's to judge; sizes are judged here.
            if isinstance(value, int | float) and not isinstance(value, bool) and value > bound:
                raise EstimateError(
                    f"implausible config: {prefix}{key} is {shown(value, 40)}; at most "
                    f"{bound:,} is accepted (nothing was built)"
                )

"""Properties of the config reader and the formulas, over generated configs.

Any mapping gives an estimate or one located ``EstimateError``, never another exception; and for
every family with a formula, any config transformers accepts counts the same with the formula as on
the meta device (total and active parameters).
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from catalog.errors import EstimateError
from catalog.estimate import resolve
from catalog.estimate.families import FAMILIES
from tests.estimate.family_configs import FAMILY_CONFIGS
from tests.estimate.meta_counts import meta_counts, needs_transformers

_KEYS = sorted({key for config in FAMILY_CONFIGS.values() for key in config})
_SCALARS = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=8)
)
_VALUES = st.recursive(
    _SCALARS,
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3)
    ),
    max_leaves=6,
)


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(
    base=st.sampled_from(sorted(FAMILY_CONFIGS)),
    changes=st.dictionaries(st.sampled_from(_KEYS), _VALUES, max_size=4),
)
def test_any_config_gives_an_estimate_or_a_clear_error(base: str, changes: dict[str, Any]) -> None:
    config = {**FAMILY_CONFIGS[base], **changes}
    try:
        count = resolve(config=config, exact=False).count
    except EstimateError as error:
        assert str(error) and "\n" not in str(error)
        return
    assert 0 < count.active <= count.total


# What a generated config may change in each family: sizes always, and the flags each family's
# modelling code reads. Hidden size and head count stay fixed so every config stays buildable.
_FLAGS: dict[str, tuple[str, ...]] = {
    "llama": ("attention_bias", "mlp_bias"),
    "granite": ("attention_bias", "mlp_bias"),
    "gemma": ("attention_bias",),
    "gemma2": ("attention_bias",),
    "gemma3_text": ("attention_bias",),
    "qwen3": ("attention_bias",),
    "olmo": ("attention_bias",),
    "olmo2": ("attention_bias",),
    "cohere": ("attention_bias", "use_qk_norm"),
    "cohere2": ("attention_bias",),
    "stablelm": ("use_qkv_bias", "qk_layernorm", "use_parallel_residual"),
    "opt": ("enable_bias", "layer_norm_elementwise_affine", "do_layer_norm_before"),
    "phi": ("qk_layernorm",),
    "starcoder2": ("use_bias",),
    "gpt_bigcode": ("multi_query",),
    "gpt_neox": ("attention_bias",),
    "falcon": ("multi_query", "parallel_attn", "bias", "new_decoder_architecture"),
    "qwen2_moe": ("qkv_bias",),
    "qwen3_moe": ("attention_bias",),
    "phimoe": ("attention_bias", "lm_head_bias"),
    "olmoe": ("attention_bias",),
    "granitemoe": ("attention_bias",),
    "granitemoeshared": ("attention_bias",),
    "llama4_text": ("attention_bias",),
    "gpt_oss": ("attention_bias",),
    "deepseek_v2": ("attention_bias",),
    "deepseek_v3": ("attention_bias",),
}
_WIDTHS = (
    "intermediate_size",
    "ffn_dim",
    "moe_intermediate_size",
    "shared_expert_intermediate_size",
    "shared_intermediate_size",
    "intermediate_size_mlp",
)
_EXPERTS = ("num_local_experts", "num_experts", "n_routed_experts")
_LAYERS = ("num_hidden_layers", "n_layer", "n_layers")


@st.composite
def _variant(draw: st.DrawFn, name: str) -> dict[str, Any]:
    config = dict(FAMILY_CONFIGS[name])
    family = config["model_type"]
    config["vocab_size"] = draw(st.integers(8, 600))
    config["pad_token_id"] = None  # default pad ids lie beyond a small vocabulary
    config["tie_word_embeddings"] = draw(st.booleans())
    layers = draw(st.integers(1, 5))
    for key in _LAYERS:
        if key in config:
            config[key] = layers
    for key in _WIDTHS:
        if key in config:
            config[key] = draw(st.integers(1, 80))
    if "num_key_value_heads" in config and family not in {"deepseek_v2", "deepseek_v3"}:
        config["num_key_value_heads"] = draw(st.sampled_from([1, 2, 4]))
    if "num_kv_heads" in config:
        config["num_kv_heads"] = draw(st.sampled_from([1, 2, 4]))
    if "head_dim" in config:
        config["head_dim"] = draw(st.sampled_from([8, 16, 24, 32]))
    for key in _FLAGS.get(family, ()):
        config[key] = draw(st.booleans())
    experts = next((key for key in _EXPERTS if key in config), None)
    if experts is not None:
        count = draw(st.integers(1, 6))
        config[experts] = count
        config["num_experts_per_tok"] = draw(st.integers(1, count))
    if "first_k_dense_replace" in config:
        config["first_k_dense_replace"] = draw(st.integers(0, layers))
    if "mlp_only_layers" in config or family in {"qwen2_moe", "qwen3_moe"}:
        config["mlp_only_layers"] = draw(st.lists(st.integers(0, layers - 1), unique=True))
        config["decoder_sparse_step"] = draw(st.integers(1, 3))
    if family == "llama4_text":
        config.pop("moe_layers", None)
        config["interleave_moe_layer_step"] = draw(st.integers(1, 3))
    if family == "deepseek_v2" or family == "deepseek_v3":
        config["q_lora_rank"] = draw(st.sampled_from([None, 8, 16]))
    if family == "gpt_neo":
        config["num_layers"] = 2 * layers
        config["attention_types"] = [[["global", "local"], layers]]
    return config


_BUILDABLE = sorted(name for name in FAMILY_CONFIGS)


@needs_transformers
@pytest.mark.parametrize("name", _BUILDABLE)
@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_any_buildable_config_counts_as_transformers_builds_it(
    name: str, data: st.DataObject
) -> None:
    config = data.draw(_variant(name))
    count = resolve(config=config, exact=False).count
    assert (count.total, count.active) == meta_counts(config), config


def test_the_generated_variants_cover_every_family() -> None:
    assert {c["model_type"] for c in FAMILY_CONFIGS.values()} == set(FAMILIES) - {"qwen"}

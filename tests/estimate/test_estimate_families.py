"""Every decoder family the catalog and transformers users meet is counted exactly by the formulas,
with no torch: each formula against a published config's count, and against what transformers
builds on the meta device for published configs and for small configs of every layout variant."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from catalog.estimate import read_architecture, resolve
from catalog.estimate.families import FAMILIES, MOE_FAMILIES
from tests.estimate.family_configs import FAMILY_CONFIGS
from tests.estimate.meta_counts import (
    config_class_sliding_layers,
    meta_counts,
    needs_transformers,
)
from tests.estimate.reference import reference_models

PUBLISHED = yaml.safe_load(
    (Path(__file__).parent / "published-configs.yaml").read_text(encoding="utf-8")
)["models"]
PUBLISHED_IDS = [pytest.param(m, id=m["repo_id"]) for m in PUBLISHED]

ISSUE_FAMILIES = {
    "opt": "OPT",
    "gpt2": "GPT-2",
    "gpt_neo": "GPT-Neo",
    "gpt_neox": "GPT-NeoX / Pythia",
    "gptj": "GPT-J",
    "bloom": "BLOOM",
    "falcon": "Falcon 1-2",
    "mpt": "MPT",
    "llama": "Llama 1-3, Falcon 3, Yi, SmolLM2",
    "llama4_text": "Llama 4",
    "mistral": "Mistral, Mistral NeMo",
    "mixtral": "Mixtral",
    "qwen": "Qwen 1",
    "qwen2": "Qwen 1.5-2.5",
    "qwen2_moe": "Qwen 1.5/2 MoE",
    "qwen3": "Qwen 3",
    "qwen3_moe": "Qwen 3 MoE",
    "gemma": "Gemma 1",
    "gemma2": "Gemma 2",
    "gemma3_text": "Gemma 3",
    "phi": "Phi 1-2",
    "phi3": "Phi 3-4",
    "phimoe": "Phi-3.5-MoE",
    "olmo": "OLMo 1",
    "olmo2": "OLMo 2",
    "starcoder2": "StarCoder 2",
    "deepseek_v2": "DeepSeek V2",
    "deepseek_v3": "DeepSeek V3",
    "gpt_oss": "gpt-oss",
    "granite": "Granite",
    "granitemoe": "Granite MoE",
    "cohere": "Command R",
    "stablelm": "StableLM",
}
"""The families issue 18 names, by model_type."""


def _model_type(config: dict[str, Any]) -> str:
    text = config.get("text_config")
    return str((text if isinstance(text, dict) else config)["model_type"])


def test_every_family_the_issue_names_has_a_formula() -> None:
    assert set(ISSUE_FAMILIES) <= set(FAMILIES)


def test_every_family_has_a_published_config_and_a_small_case() -> None:
    published = {_model_type(m["config"]) for m in PUBLISHED + reference_models()}
    small = {config["model_type"] for config in FAMILY_CONFIGS.values()}
    assert set(ISSUE_FAMILIES) <= published
    assert small == set(FAMILIES) - {"qwen"}  # transformers cannot build Qwen 1


@pytest.mark.parametrize("model", PUBLISHED_IDS)
def test_formula_gives_the_published_count(model: dict[str, Any]) -> None:
    count = resolve(config=model["config"], exact=False).count
    assert count.method == "formula"
    assert count.total == model["params"]
    assert count.active == model.get("active_params", model["params"])


@needs_transformers
@pytest.mark.parametrize("model", PUBLISHED_IDS)
def test_meta_device_agrees_with_the_published_count(model: dict[str, Any]) -> None:
    if _model_type(model["config"]) == "qwen":
        pytest.skip("transformers has no Qwen 1 (remote code only)")
    total, active = meta_counts(model["config"])
    assert (total, active) == (model["params"], model.get("active_params", model["params"]))


@needs_transformers
@pytest.mark.parametrize("name", sorted(FAMILY_CONFIGS))
def test_formula_matches_the_meta_device_for_every_variant(name: str) -> None:
    config = FAMILY_CONFIGS[name]
    count = resolve(config=config, exact=False).count
    assert (count.total, count.active) == meta_counts(config)


def test_mixture_of_experts_families_split_total_and_active() -> None:
    for name, config in FAMILY_CONFIGS.items():
        count = resolve(config=config, exact=False).count
        if config["model_type"] in MOE_FAMILIES:
            assert count.active < count.total, name
        else:
            assert count.active == count.total, name


def test_qwen1_counts_its_half_width_mlp_and_biased_attention() -> None:
    qwen_7b = next(m for m in PUBLISHED if m["repo_id"] == "Qwen/Qwen-7B")
    qwen15_7b = next(m for m in PUBLISHED if m["repo_id"] == "Qwen/Qwen1.5-7B")
    # Qwen 1.5 is Qwen 1 rewritten for transformers: the same shapes, the same count
    assert resolve(config=qwen_7b["config"], exact=False).count.total == qwen15_7b["params"]
    with_biases = {**qwen_7b["config"], "no_bias": False}
    extra = resolve(config=with_biases, exact=False).count.total - qwen_7b["params"]
    assert extra == 32 * (4096 + 2 * 11008 + 4096)  # c_proj, w1, w2 and mlp.c_proj biases


_WINDOWED = {
    "gemma2": {**FAMILY_CONFIGS["gemma2"], "num_hidden_layers": 7, "sliding_window": 8},
    "gemma3_text": {**FAMILY_CONFIGS["gemma3_text"], "num_hidden_layers": 13, "sliding_window": 8},
    "gemma3_text-pattern": {
        **FAMILY_CONFIGS["gemma3_text"],
        "num_hidden_layers": 13,
        "sliding_window": 8,
        "sliding_window_pattern": 3,
    },
    "cohere2": {**FAMILY_CONFIGS["cohere2"], "num_hidden_layers": 9, "sliding_window": 8},
    "gpt_oss": {**FAMILY_CONFIGS["gpt_oss"], "num_hidden_layers": 5, "sliding_window": 8},
    "qwen2-on": {
        **FAMILY_CONFIGS["qwen2"],
        "num_hidden_layers": 6,
        "sliding_window": 8,
        "use_sliding_window": True,
        "max_window_layers": 4,
    },
    "qwen2-off": {**FAMILY_CONFIGS["qwen2"], "sliding_window": 8},
    "mistral": {**FAMILY_CONFIGS["mistral"], "sliding_window": 8},
}


@needs_transformers
@pytest.mark.parametrize("name", sorted(_WINDOWED))
def test_sliding_window_layers_are_those_of_the_config_class(name: str) -> None:
    arch = read_architecture(_WINDOWED[name])
    expected = config_class_sliding_layers(_WINDOWED[name])
    assert arch.sliding_layers == expected
    assert (arch.sliding_window is not None) == bool(expected)

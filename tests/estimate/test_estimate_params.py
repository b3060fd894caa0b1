"""Parameter counts: formulas and the exact meta-device count agree with the reference figures."""

from __future__ import annotations

import importlib.util
from typing import Any

import pytest

from catalog.errors import EstimateError
from catalog.estimate import read_architecture, resolve
from tests.estimate.reference import MIXTRAL_8X7B, reference_config, reference_models

HAS_TRANSFORMERS = all(importlib.util.find_spec(m) is not None for m in ("torch", "transformers"))
needs_transformers = pytest.mark.skipif(not HAS_TRANSFORMERS, reason="needs torch and transformers")

REFERENCE = [pytest.param(m, id=m["repo_id"]) for m in reference_models()]


@pytest.mark.parametrize("model", REFERENCE)
def test_formula_gives_the_reference_count(model: dict[str, Any]) -> None:
    count = resolve(config=model["config"], exact=False).count
    assert count.method == "formula"
    assert count.total == model["hf_num_parameters"]


@needs_transformers
@pytest.mark.parametrize("model", REFERENCE)
def test_meta_device_count_gives_the_reference_count(model: dict[str, Any]) -> None:
    count = resolve(config=model["config"], exact=True).count
    assert count.method == "exact"
    assert count.total == model["hf_num_parameters"]


def test_grouped_query_attention_uses_kv_heads_for_k_and_v() -> None:
    config = reference_config("meta-llama/Llama-2-70b-hf")
    assert resolve(config=config, exact=False).count.total == 68_976_648_192
    # the classic mistake (K/V as wide as Q) is what the same shape with 64 KV heads gives
    mistaken = {**config, "num_key_value_heads": 64}
    assert resolve(config=mistaken, exact=False).count.total == 78_371_889_152


def test_mixtral_counts_total_and_active_parameters() -> None:
    count = resolve(config=MIXTRAL_8X7B, exact=False).count
    assert count.total == 46_702_792_704
    # 2 of 8 experts per token: 6 experts x 32 layers x 3 x 4096 x 14336 parameters sit idle
    assert count.active == 46_702_792_704 - 6 * 32 * 3 * 4096 * 14336
    assert 12.8e9 < count.active < 13.0e9


@needs_transformers
def test_mixtral_exact_count_keeps_the_active_split() -> None:
    count = resolve(config=MIXTRAL_8X7B, exact=True).count
    assert (count.method, count.total) == ("exact", 46_702_792_704)
    assert count.active == resolve(config=MIXTRAL_8X7B, exact=False).count.active


def test_tied_embeddings_are_counted_once() -> None:
    gpt2 = reference_config("openai-community/gpt2")
    untied = {**gpt2, "tie_word_embeddings": False}
    tied_total = resolve(config=gpt2, exact=False).count.total
    assert resolve(config=untied, exact=False).count.total - tied_total == 50257 * 768


def test_old_falcon_keys_give_the_same_count() -> None:
    falcon_7b = {
        "model_type": "RefinedWebModel",
        "vocab_size": 65024,
        "n_embed": 4544,
        "n_layer": 32,
        "n_head": 71,
        "multi_query": True,
        "parallel_attn": True,
        "bias": False,
    }
    falcon_40b = {
        "model_type": "RefinedWeb",
        "vocab_size": 65024,
        "n_embed": 8192,
        "n_layer": 60,
        "n_head": 128,
        "n_head_kv": 8,
        "parallel_attn": True,
        "bias": False,
    }
    assert resolve(config=falcon_7b, exact=False).count.total == 6_921_720_704
    assert resolve(config=falcon_40b, exact=False).count.total == 41_303_293_952
    arch = read_architecture(falcon_40b)
    assert (arch.model_type, arch.num_kv_heads, arch.head_dim) == ("falcon", 8, 64)


@needs_transformers
def test_old_falcon_keys_build_exactly() -> None:
    old = {"model_type": "RefinedWebModel", "vocab_size": 65024, "n_embed": 4544, "n_layer": 32}
    old |= {"n_head": 71, "multi_query": True, "parallel_attn": True, "bias": False}
    assert resolve(config=old, exact=True).count.total == 6_921_720_704


def test_null_ffn_widths_mean_four_times_hidden() -> None:
    assert read_architecture(reference_config("EleutherAI/gpt-neo-125m")).ffn_size == 3072
    assert read_architecture(reference_config("EleutherAI/gpt-j-6b")).ffn_size == 16384
    assert read_architecture(reference_config("openai-community/gpt2")).ffn_size == 3072
    assert read_architecture(reference_config("tiiuae/falcon-7b")).ffn_size == 18176


def test_model_type_is_inferred_from_architectures() -> None:
    config = reference_config("meta-llama/Llama-2-7b-hf")
    del config["model_type"]
    config["architectures"] = ["LlamaForCausalLM"]
    assert resolve(config=config, exact=False).count.total == 6_738_415_616


def test_llama_v1_without_kv_heads_means_one_kv_head_per_head() -> None:
    arch = read_architecture(reference_config("huggyllama/llama-7b"))
    assert arch.num_kv_heads == arch.num_heads == 32


def test_unknown_family_without_transformers_is_a_clear_error() -> None:
    config = {"model_type": "no-such-family", "hidden_size": 64, "num_hidden_layers": 2}
    config |= {"num_attention_heads": 4, "vocab_size": 100, "intermediate_size": 96}
    with pytest.raises(EstimateError, match="no parameter formula for model_type 'no-such-family'"):
        resolve(config=config, exact=False)


@needs_transformers
def test_family_without_formula_is_read_from_the_meta_model() -> None:
    config = {
        "model_type": "helium",
        "hidden_size": 64,
        "num_hidden_layers": 2,
        "num_attention_heads": 4,
    }
    config |= {"num_key_value_heads": 2, "vocab_size": 40000, "intermediate_size": 96}
    resolved = resolve(config=config)
    assert resolved.count.method == "exact"
    assert resolved.layout is not None
    assert any("meta-device model" in note for note in resolved.notes)
    assert sum(lin.weight_params for g in resolved.layout.groups for lin in g.linears) > 0


@needs_transformers
def test_the_formulas_are_the_default_even_with_transformers(llama_7b: dict[str, Any]) -> None:
    assert resolve(config=llama_7b).count.method == "formula"
    assert resolve(config=llama_7b, exact=True).count.method == "exact"

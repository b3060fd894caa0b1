"""LoRA trainable parameters equal what peft creates, computed here from the real module shapes.

How targets map (the rule the estimator documents):
- a name selects every module whose name equals it or ends with ``"." + name`` (peft's rule);
- an unfused attention name also selects the fused module that implements it: ``q_proj``/``v_proj``
  select Falcon/GPT-NeoX ``query_key_value``, GPT-2 ``c_attn`` (a Conv1D) and Phi-3 ``qkv_proj``,
  once each, which is what peft's per-family default targets adapt;
- ``all-linear`` selects every ``nn.Linear``/``Conv1D`` except the output head, plus, for mixtures of
  experts, the router and the fused expert weights (``gate_up_proj`` at twice the rank, as peft
  converts the unfused gate and up projections of transformers 4).
"""

from __future__ import annotations

import importlib.util
import warnings
from typing import Any

import pytest

from catalog.errors import UsageError
from catalog.estimate import estimate
from tests.estimate.reference import MIXTRAL_8X7B, reference_config

HAS_TRANSFORMERS = all(importlib.util.find_spec(m) is not None for m in ("torch", "transformers"))
needs_transformers = pytest.mark.skipif(not HAS_TRANSFORMERS, reason="needs torch and transformers")

LLAMA = {
    "model_type": "llama",
    "hidden_size": 256,
    "intermediate_size": 688,
    "num_hidden_layers": 3,
}
LLAMA |= {"num_attention_heads": 8, "num_key_value_heads": 2, "vocab_size": 1000}
FALCON = {
    "model_type": "falcon",
    "hidden_size": 256,
    "num_hidden_layers": 3,
    "num_attention_heads": 8,
}
FALCON |= {"multi_query": True, "vocab_size": 1000}
FALCON_40B_STYLE = {**FALCON, "new_decoder_architecture": True, "num_kv_heads": 2}
GPT2 = {
    "model_type": "gpt2",
    "n_embd": 256,
    "n_layer": 3,
    "n_head": 8,
    "vocab_size": 1000,
    "n_positions": 128,
}
MIXTRAL = {**LLAMA, "model_type": "mixtral", "num_local_experts": 4, "num_experts_per_tok": 2}

# model, the targets a user gives, the module names those select in the real model
CASES: list[tuple[str, dict[str, Any], str | list[str], str | list[str]]] = [
    ("llama", LLAMA, ["q_proj", "v_proj"], ["q_proj", "v_proj"]),
    ("llama", LLAMA, "all-linear", "all-linear"),
    ("falcon", FALCON, ["q_proj", "v_proj"], ["query_key_value"]),
    ("falcon", FALCON, ["query_key_value"], ["query_key_value"]),
    ("falcon", FALCON, "all-linear", "all-linear"),
    ("falcon-gqa", FALCON_40B_STYLE, ["q_proj", "v_proj"], ["query_key_value"]),
    ("gpt2", GPT2, ["q_proj", "v_proj"], ["c_attn"]),
    ("gpt2", GPT2, ["c_attn", "c_proj"], ["c_attn", "c_proj"]),
    ("gpt2", GPT2, "all-linear", "all-linear"),
    ("mixtral", MIXTRAL, ["q_proj", "v_proj"], ["q_proj", "v_proj"]),
    ("mixtral", MIXTRAL, "all-linear", "all-linear"),
]


def build_meta_model(config: dict[str, Any]) -> Any:
    import torch
    from transformers import AutoConfig, AutoModelForCausalLM

    settings = dict(config)
    hf_config = AutoConfig.for_model(settings.pop("model_type"), **settings)
    with torch.device("meta"):
        return AutoModelForCausalLM.from_config(hf_config)


def lora_from_shapes(model: Any, rank: int, targets: str | list[str]) -> int:
    """rank x (in + out) for every module peft would wrap, read from the model's own shapes."""
    from torch import nn
    from transformers.pytorch_utils import Conv1D

    head = model.get_output_embeddings()
    total = 0
    for name, module in model.named_modules():
        if module is head:
            continue
        selected = targets == "all-linear" or any(
            name == t or name.endswith("." + t) for t in targets
        )
        if not selected:
            continue
        if isinstance(module, Conv1D):  # GPT-2 stores its weights as (in, out)
            in_f, out_f = module.weight.shape
            total += rank * (in_f + out_f)
        elif isinstance(module, nn.Linear):
            out_f, in_f = module.weight.shape
            total += rank * (in_f + out_f)
        elif targets == "all-linear" and type(module).__name__.endswith("Router"):
            out_f, in_f = module.weight.shape
            total += rank * (in_f + out_f)
        elif targets == "all-linear" and name.endswith(".experts"):
            for pname, parameter in module.named_parameters(recurse=False):
                experts, out_f, in_f = parameter.shape
                factor = 2 if pname == "gate_up_proj" else 1
                total += experts * rank * factor * (in_f + out_f)
    return total


@needs_transformers
@pytest.mark.parametrize("rank", [8, 16])
@pytest.mark.parametrize(
    ("name", "config", "targets", "modules"), CASES, ids=[f"{c[0]}-{c[2]}" for c in CASES]
)
def test_lora_params_equal_the_module_shapes(
    name: str, config: dict[str, Any], targets: str | list[str], modules: str | list[str], rank: int
) -> None:
    expected = lora_from_shapes(build_meta_model(config), rank, modules)
    result = estimate(config=config, lora_rank=rank, lora_targets=targets, exact=False)
    assert result.training["lora"].trainable_params == expected
    assert result.training["qlora"].trainable_params == expected


@needs_transformers
@pytest.mark.skipif(importlib.util.find_spec("peft") is None, reason="needs peft")
@pytest.mark.parametrize(
    ("name", "config", "targets", "modules"), CASES, ids=[f"{c[0]}-{c[2]}" for c in CASES]
)
def test_lora_params_equal_peft(
    name: str, config: dict[str, Any], targets: Any, modules: Any
) -> None:
    from peft import LoraConfig, get_peft_model

    model = build_meta_model(config)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # peft notes that it switches Conv1D to fan_in_fan_out
        peft_model = get_peft_model(model, LoraConfig(r=8, target_modules=modules))
    created = sum(p.numel() for p in peft_model.parameters() if p.requires_grad)
    assert (
        estimate(config=config, lora_rank=8, lora_targets=targets, exact=False)
        .training["lora"]
        .trainable_params
        == created
    )


def test_llama_2_7b_rank_8_on_q_and_v() -> None:
    # the figure peft prints for this setup: 32 layers x 2 modules x 8 x (4096 + 4096)
    result = estimate(config=reference_config("meta-llama/Llama-2-7b-hf"), lora_rank=8, exact=False)
    assert result.training["lora"].trainable_params == 4_194_304


def test_gqa_shapes_shrink_k_and_v_adapters() -> None:
    config = reference_config("meta-llama/Llama-2-70b-hf")
    result = estimate(config=config, lora_rank=8, lora_targets="k_proj,v_proj", exact=False)
    assert result.training["lora"].trainable_params == 80 * 2 * 8 * (8192 + 1024)


def test_mixtral_all_linear_adapts_every_expert() -> None:
    result = estimate(config=MIXTRAL_8X7B, lora_rank=8, lora_targets="all-linear", exact=False)
    h, ffn, kv, experts, layers = 4096, 14336, 1024, 8, 32
    attention = 8 * ((h + h) + (h + kv) + (h + kv) + (h + h))
    router = 8 * (h + experts)
    gate_up = experts * 16 * (h + 2 * ffn)
    down = experts * 8 * (ffn + h)
    assert result.training["lora"].trainable_params == layers * (
        attention + router + gate_up + down
    )


def test_targets_that_match_nothing_are_a_usage_error() -> None:
    with pytest.raises(UsageError, match=r"lora_targets 'w_nothing' match no module.*q_proj"):
        estimate(config=LLAMA, lora_targets="w_nothing", exact=False)


def test_prompt_tuning_trains_virtual_tokens_times_hidden() -> None:
    result = estimate(config=reference_config("meta-llama/Llama-2-7b-hf"), exact=False)
    assert result.training["prompt_tuning"].trainable_params == 20 * 4096 == 81_920
    result = estimate(
        config=reference_config("meta-llama/Llama-2-7b-hf"), virtual_tokens=100, exact=False
    )
    assert result.training["prompt_tuning"].trainable_params == 409_600

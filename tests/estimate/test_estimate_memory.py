"""Inference and training memory: the arithmetic by hand, the parts, the JSON shape, bad input."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from catalog.errors import EstimateError, UsageError
from catalog.estimate import estimate, inference_memory, read_config_file
from catalog.estimate.dtypes import NF4_BITS
from catalog.estimate.memory import RUNTIME_OVERHEAD_BYTES
from tests.estimate.reference import MIXTRAL_8X7B, reference_config

LLAMA_7B_PARAMS = 6_738_415_616


def test_kv_cache_of_llama_2_7b_by_hand(llama_7b: dict[str, Any]) -> None:
    memory = inference_memory(config=llama_7b, dtype="bf16", context=4096, batch=1, exact=False)
    # 2 (K and V) x 32 layers x 32 KV heads x 128 head dim x 4096 tokens x 1 sequence x 2 bytes
    assert memory.kv_cache_bytes == 2 * 32 * 32 * 128 * 4096 * 1 * 2 == 2_147_483_648
    batched = inference_memory(config=llama_7b, dtype="bf16", context=1024, batch=8, exact=False)
    assert batched.kv_cache_bytes == 2 * 32 * 32 * 128 * 1024 * 8 * 2


def test_kv_cache_of_llama_2_70b_respects_grouped_query_attention(
    llama_70b: dict[str, Any],
) -> None:
    memory = inference_memory(config=llama_70b, dtype="fp16", context=4096, exact=False)
    # 8 KV heads, not 64: 2 x 80 x 8 x 128 x 4096 x 2 bytes = 1.34 GB (8x less than full attention)
    assert memory.kv_cache_bytes == 2 * 80 * 8 * 128 * 4096 * 2 == 1_342_177_280


def test_weights_per_dtype(llama_7b: dict[str, Any]) -> None:
    n = LLAMA_7B_PARAMS
    weights = {
        dtype: inference_memory(config=llama_7b, dtype=dtype, exact=False).weights_bytes
        for dtype in ("fp32", "bf16", "fp16", "int8", "int4", "q8_0", "q4_k_m")
    }
    assert weights["fp32"] == 4 * n
    assert weights["bf16"] == weights["fp16"] == 2 * n
    assert weights["q8_0"] == round(n * 8.5 / 8)
    assert weights["q4_k_m"] == round(n * 4.85 / 8)
    # bitsandbytes-style: the decoder matrices shrink, embeddings and head stay bf16
    embeddings_and_head = 2 * 32000 * 4096
    matrices = 32 * (4 * 4096 * 4096 + 3 * 4096 * 11008)
    norms = 32 * 2 * 4096 + 4096
    assert matrices + embeddings_and_head + norms == n
    assert weights["int4"] == round(matrices * NF4_BITS / 8 + (embeddings_and_head + norms) * 2)
    assert weights["bf16"] > weights["int8"] > weights["q4_k_m"] > weights["int4"] * 0.9


def test_inference_parts_add_up(llama_7b: dict[str, Any]) -> None:
    memory = inference_memory(config=llama_7b, dtype="bf16", context=2048, exact=False)
    assert memory.overhead_bytes == memory.activation_bytes + RUNTIME_OVERHEAD_BYTES  # type: ignore[operator]
    assert (
        memory.total_bytes == memory.weights_bytes + memory.kv_cache_bytes + memory.overhead_bytes
    )  # type: ignore[operator]
    assert not memory.total_is_lower_bound


def test_sliding_window_is_noted_with_the_smaller_cache() -> None:
    mistral = reference_config("mistralai/Mistral-7B-v0.1")
    memory = inference_memory(config=mistral, dtype="bf16", context=16384, exact=False)
    assert memory.kv_cache_bytes == 2 * 32 * 8 * 128 * 16384 * 2
    assert memory.kv_cache_windowed_bytes == 2 * 32 * 8 * 128 * 4096 * 2
    result = estimate(config=mistral, context=16384, exact=False)
    assert any("4096-token sliding window" in line for line in result.assumptions)


def test_default_context_is_capped_by_the_model() -> None:
    gpt2 = reference_config("openai-community/gpt2")
    assert inference_memory(config=gpt2, exact=False).context == 1024
    result = estimate(config=reference_config("meta-llama/Llama-2-7b-hf"), exact=False)
    assert result.inference.context == 4096
    assert any("4096 tokens assumed" in line for line in result.assumptions)


def test_training_full_costs_sixteen_bytes_per_parameter(llama_7b: dict[str, Any]) -> None:
    full = estimate(config=llama_7b, exact=False).training["full"]
    assert full.trainable_params == LLAMA_7B_PARAMS
    states = full.weights_bytes + full.gradients_bytes + full.optimizer_bytes  # type: ignore[operator]
    assert states == 16 * LLAMA_7B_PARAMS
    assert full.total_bytes == states + full.activations_bytes + full.overhead_bytes  # type: ignore[operator]
    assert full.storage_per_task_bytes == 2 * LLAMA_7B_PARAMS


def test_gradient_checkpointing_shrinks_activations(llama_7b: dict[str, Any]) -> None:
    on = estimate(config=llama_7b, gradient_checkpointing=True, exact=False).training["full"]
    off = estimate(config=llama_7b, gradient_checkpointing=False, exact=False).training["full"]
    assert (
        on.activations_bytes
        == on.activations_checkpointed_bytes
        == off.activations_checkpointed_bytes
    )
    assert off.activations_bytes == off.activations_without_checkpointing_bytes
    assert off.activations_bytes > 5 * on.activations_bytes  # type: ignore[operator]
    longer = estimate(config=llama_7b, seq_len=4096, micro_batch=2, exact=False).training["full"]
    assert longer.activations_bytes == pytest.approx(4 * on.activations_bytes, rel=0.01)  # type: ignore[operator]


def test_methods_rank_as_expected_and_store_what_they_train(llama_7b: dict[str, Any]) -> None:
    training = estimate(config=llama_7b, exact=False).training
    totals = {method: memory.total_bytes for method, memory in training.items()}
    assert totals["full"] > totals["lora"] > totals["qlora"]  # type: ignore[operator]
    assert 15e9 < totals["lora"] < 18e9  # type: ignore[operator]  # LLaMA-Factory: ~2x params in GB
    assert 4e9 < totals["qlora"] < 8e9  # type: ignore[operator]
    lora = training["lora"]
    assert lora.storage_per_task_bytes == 4 * lora.trainable_params  # type: ignore[operator]
    assert training["qlora"].optimizer_bytes == lora.optimizer_bytes == 8 * lora.trainable_params  # type: ignore[operator]
    assert training["prompt_tuning"].storage_per_task_bytes == 4 * 81_920
    nothing = training["prompt_engineering"]
    assert (nothing.trainable_params, nothing.storage_per_task_bytes, nothing.optimizer_bytes) == (
        0,
        0,
        0,
    )


def test_prompt_engineering_costs_the_inference_estimate(llama_7b: dict[str, Any]) -> None:
    result = estimate(config=llama_7b, dtype="int4", context=2048, exact=False)
    assert result.training["prompt_engineering"].total_bytes == result.inference.total_bytes


def test_json_shape(llama_7b: dict[str, Any]) -> None:
    data = estimate(config=llama_7b, model="llama-2-7b", exact=False).to_json()
    assert {
        "model",
        "params",
        "active_params",
        "inference",
        "training",
        "assumptions",
    } <= data.keys()
    assert data["model"] == "llama-2-7b"
    assert data["params"] == data["active_params"] == LLAMA_7B_PARAMS
    assert {"dtype", "weights_bytes", "kv_cache_bytes", "overhead_bytes", "total_bytes"} <= data[
        "inference"
    ].keys()
    assert set(data["training"]) == {"full", "lora", "qlora", "prompt_tuning", "prompt_engineering"}
    for method in data["training"].values():
        assert {"trainable_params", "total_bytes", "storage_per_task_bytes"} <= method.keys()
    assert all(isinstance(line, str) for line in data["assumptions"])
    json.dumps(data)  # serialisable as is


def test_mixture_of_experts_holds_every_expert() -> None:
    result = estimate(config=MIXTRAL_8X7B, dtype="bf16", context=4096, exact=False)
    assert result.inference.weights_bytes == 2 * 46_702_792_704
    assert result.to_json()["active_params"] < result.to_json()["params"] / 3
    assert any("all 8 experts per layer are held in memory" in line for line in result.assumptions)


def test_a_bare_parameter_count_is_approximate() -> None:
    result = estimate(params="7B", dtype="bf16")
    assert result.params.method == "given" and result.params.total == 7_000_000_000
    assert result.inference.weights_bytes == 14_000_000_000
    assert result.inference.kv_cache_bytes is None
    assert result.inference.total_is_lower_bound
    assert result.training["lora"].trainable_params is None
    assert result.training["full"].total_is_lower_bound
    assert any(line.startswith("approximate") for line in result.assumptions)


def test_api_models_cannot_be_estimated() -> None:
    with pytest.raises(EstimateError, match="API-only models"):
        estimate()


@pytest.mark.parametrize(
    ("options", "field"),
    [
        ({"context": -1}, "context"),
        ({"context": 0}, "context"),
        ({"batch": 0}, "batch"),
        ({"seq_len": -5}, "seq_len"),
        ({"micro_batch": 0}, "micro_batch"),
        ({"lora_rank": 0}, "lora_rank"),
        ({"virtual_tokens": -20}, "virtual_tokens"),
        ({"dtype": "int3"}, "dtype"),
    ],
)
def test_bad_options_name_the_field(
    llama_7b: dict[str, Any], options: dict[str, Any], field: str
) -> None:
    with pytest.raises(UsageError, match=field):
        estimate(config=llama_7b, exact=False, **options)


def test_unknown_dtype_lists_the_known_ones(llama_7b: dict[str, Any]) -> None:
    with pytest.raises(
        UsageError, match="unknown dtype 'int3': use one of fp32, bf16, fp16, int8, int4, q8_0"
    ):
        inference_memory(config=llama_7b, dtype="int3")


@pytest.mark.parametrize(
    ("config", "message"),
    [
        (["not", "a", "mapping"], "config must be a mapping"),
        ({"model_type": "llama"}, "no hidden size: expected one of the fields hidden_size, n_embd"),
        ({"hidden_size": 64}, "no 'model_type'"),
        (
            {
                "model_type": "llama",
                "hidden_size": 64,
                "num_hidden_layers": 2,
                "num_attention_heads": 4,
            },
            "vocabulary size",
        ),
        (
            {"model_type": "llama", "hidden_size": "big", "num_hidden_layers": 2},
            "'hidden_size' must be an integer",
        ),
        (
            {"model_type": "llama", "hidden_size": -64, "num_hidden_layers": 2},
            "'hidden_size' must be positive",
        ),
    ],
)
def test_bad_configs_name_the_problem(config: Any, message: str) -> None:
    with pytest.raises(EstimateError, match=message):
        estimate(config=config, exact=False)


def test_config_files_that_are_not_json_are_rejected(tmp_path: Path) -> None:
    broken = tmp_path / "config.json"
    broken.write_text("{'model_type': llama", encoding="utf-8")
    with pytest.raises(EstimateError, match="is not JSON"):
        read_config_file(broken)
    listed = tmp_path / "list.json"
    listed.write_text("[1, 2]", encoding="utf-8")
    with pytest.raises(EstimateError, match="must be a JSON object"):
        read_config_file(listed)
    with pytest.raises(EstimateError, match="cannot read config"):
        read_config_file(tmp_path / "missing.json")


def test_config_file_round_trip(tmp_path: Path, llama_7b: dict[str, Any]) -> None:
    path = tmp_path / "config.json"
    path.write_text(json.dumps(llama_7b), encoding="utf-8")
    assert estimate(config=read_config_file(path), exact=False).params.total == LLAMA_7B_PARAMS

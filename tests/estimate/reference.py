"""Reference configs for the estimator tests (the fake Hub's model-configs.yaml, copied from the
project's reference notes so CI needs nothing outside the repository)."""

from __future__ import annotations

from typing import Any

import yaml

from catalog.testing.fake_hub import REFERENCE_CONFIGS as FIXTURE


def reference_models() -> list[dict[str, Any]]:
    """Every model of model-configs.yaml, its config carrying its model_type."""
    models = yaml.safe_load(FIXTURE.read_text(encoding="utf-8"))["models"]
    for model in models:
        model["config"] = {**model["config"], "model_type": model["model_type"]}
    return list(models)


def reference_config(repo_id: str) -> dict[str, Any]:
    """The config of one reference model, by Hub id."""
    for model in reference_models():
        if model["repo_id"] == repo_id:
            return dict(model["config"])
    raise KeyError(repo_id)


MIXTRAL_8X7B: dict[str, Any] = {
    "model_type": "mixtral",
    "architectures": ["MixtralForCausalLM"],
    "vocab_size": 32000,
    "hidden_size": 4096,
    "intermediate_size": 14336,
    "num_hidden_layers": 32,
    "num_attention_heads": 32,
    "num_key_value_heads": 8,
    "num_local_experts": 8,
    "num_experts_per_tok": 2,
    "max_position_embeddings": 32768,
    "rms_norm_eps": 1e-05,
    "rope_theta": 1000000.0,
    "sliding_window": None,
    "tie_word_embeddings": False,
}
"""mistralai/Mixtral-8x7B-v0.1's architecture numbers (46,702,792,704 parameters)."""

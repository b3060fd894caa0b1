"""What transformers builds on the meta device, counted here (not through catalog.estimate.meta),
so the tests compare the formulas with an independent count: the total, and the parameters one
token runs through in a mixture of experts."""

from __future__ import annotations

import importlib.util
import json
import warnings
from collections.abc import Mapping
from functools import cache
from typing import Any

import pytest

HAS_TRANSFORMERS = all(importlib.util.find_spec(m) is not None for m in ("torch", "transformers"))
needs_transformers = pytest.mark.skipif(not HAS_TRANSFORMERS, reason="needs torch and transformers")

_EXPERT_KEYS = ("num_local_experts", "num_experts", "n_routed_experts")


def _text_config(config: Mapping[str, Any]) -> dict[str, Any]:
    """A multimodal wrapper's text decoder config (what the estimator counts), else ``config``."""
    text = config.get("text_config")
    if not isinstance(text, Mapping):
        return dict(config)
    result = dict(text)
    if "tie_word_embeddings" in config:
        result.setdefault("tie_word_embeddings", config["tie_word_embeddings"])
    return result


@cache
def _counts(config_json: str) -> tuple[int, int]:
    import torch
    from transformers import AutoConfig, AutoModelForCausalLM
    from transformers.utils import logging

    config = json.loads(config_json)
    model_type = config.pop("model_type")
    logging.set_verbosity_error()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        hf_config = AutoConfig.for_model(model_type, **config)
        with torch.device("meta"):
            model = AutoModelForCausalLM.from_config(hf_config)
    total = sum(p.numel() for p in model.parameters())
    experts = next((getattr(hf_config, k) for k in _EXPERT_KEYS if getattr(hf_config, k, 0)), 0)
    if not experts:
        return total, total
    idle_share = (experts - hf_config.num_experts_per_tok) / experts
    idle = sum(
        round(p.numel() * idle_share)
        for name, p in model.named_parameters()
        if ".experts." in name and p.shape[0] == experts
    )
    return total, total - idle


def meta_counts(config: Mapping[str, Any]) -> tuple[int, int]:
    """``(total, active)`` parameters of the model transformers builds from ``config``.

    Active: the total less the routed experts a token does not use (``num_experts_per_tok`` of
    every expert tensor's copies run).
    """
    return _counts(json.dumps(_text_config(config), sort_keys=True))

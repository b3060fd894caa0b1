"""What transformers builds on the meta device, counted here (not through catalog.estimate.meta),
so the tests compare the formulas with an independent count: the total, and the parameters one
token runs through in a mixture of experts.

The models are built in one worker process kept for the session, so the test process never
imports torch and the modelling code of every family (hundreds of MB that every later child
process forked from the test process would start with).
"""

from __future__ import annotations

import atexit
import importlib.util
import json
import subprocess
import sys
from collections.abc import Mapping
from functools import cache
from typing import Any

import pytest

HAS_TRANSFORMERS = all(importlib.util.find_spec(m) is not None for m in ("torch", "transformers"))
needs_transformers = pytest.mark.skipif(not HAS_TRANSFORMERS, reason="needs torch and transformers")

_WORKER = r"""
import json, sys, warnings
import torch
from transformers import AutoConfig, AutoModelForCausalLM
from transformers.utils import logging

logging.set_verbosity_error()
warnings.simplefilter("ignore")
EXPERT_KEYS = ("num_local_experts", "num_experts", "n_routed_experts")


def hf_config(config):
    config = dict(config)
    return AutoConfig.for_model(config.pop("model_type"), **config)


def counts(config):
    hf = hf_config(config)
    with torch.device("meta"):
        model = AutoModelForCausalLM.from_config(hf)
    total = sum(p.numel() for p in model.parameters())
    experts = next((getattr(hf, k) for k in EXPERT_KEYS if getattr(hf, k, 0)), 0)
    if not experts:
        return [total, total]
    idle_share = (experts - hf.num_experts_per_tok) / experts
    idle = sum(
        round(p.numel() * idle_share)
        for name, p in model.named_parameters()
        if ".experts." in name and p.shape[0] == experts
    )
    return [total, total - idle]


def sliding_layers(config):
    hf = hf_config(config)
    types = getattr(hf, "layer_types", None)
    if types is None:  # one window for every layer, or none
        return hf.num_hidden_layers if getattr(hf, "sliding_window", None) else 0
    return sum(1 for kind in types if kind == "sliding_attention")


for line in sys.stdin:
    op, config = json.loads(line)
    try:
        answer = {"ok": (counts if op == "counts" else sliding_layers)(config)}
    except Exception as error:
        answer = {"error": f"{type(error).__name__}: {error}"}
    print(json.dumps(answer), flush=True)
"""


@cache
def _worker() -> subprocess.Popen[str]:
    worker = subprocess.Popen(
        [sys.executable, "-c", _WORKER],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    atexit.register(worker.kill)
    return worker


@cache
def _ask(op: str, config_json: str) -> Any:
    worker = _worker()
    assert worker.stdin is not None and worker.stdout is not None
    worker.stdin.write(json.dumps([op, json.loads(config_json)]) + "\n")
    worker.stdin.flush()
    answer = json.loads(worker.stdout.readline())
    if "error" in answer:
        raise AssertionError(f"transformers cannot build this config: {answer['error']}")
    return answer["ok"]


def _text_config(config: Mapping[str, Any]) -> dict[str, Any]:
    """A multimodal wrapper's text decoder config (what the estimator counts), else ``config``."""
    text = config.get("text_config")
    if not isinstance(text, Mapping):
        return dict(config)
    result = dict(text)
    if "tie_word_embeddings" in config:
        result.setdefault("tie_word_embeddings", config["tie_word_embeddings"])
    return result


def meta_counts(config: Mapping[str, Any]) -> tuple[int, int]:
    """``(total, active)`` parameters of the model transformers builds from ``config``.

    Active: the total less the routed experts a token does not use (``num_experts_per_tok`` of
    every expert tensor's copies run).
    """
    total, active = _ask("counts", json.dumps(_text_config(config), sort_keys=True))
    return int(total), int(active)


def config_class_sliding_layers(config: Mapping[str, Any]) -> int:
    """How many layers transformers' config class makes sliding-window layers."""
    return int(_ask("sliding", json.dumps(dict(config), sort_keys=True)))

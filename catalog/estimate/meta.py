"""Exact parameter counts from transformers, with no weights: the model is built on the meta device.

The fallback for an architecture the formulas do not know (and the check of ``--exact``): importing
torch and transformers costs seconds, so nothing here runs for a family with a formula.

This is what ``accelerate estimate-memory`` does: ``AutoModelForCausalLM.from_config`` under
``torch.device("meta")`` allocates no memory and downloads nothing. Remote code is never trusted:
a ``model_type`` transformers does not know is reported, not fetched.
"""

from __future__ import annotations

import importlib.util
import json
import re
import warnings
from collections.abc import Mapping
from dataclasses import replace
from functools import lru_cache
from typing import Any

from catalog.errors import EstimateError
from catalog.estimate.architecture import Architecture, canonical_model_type, normalised_config
from catalog.estimate.layouts import LayerGroup, Layout, Linear

# Keys that would make transformers quantise, fetch code or attach adapters; none change the shapes.
_DROPPED_KEYS = ("quantization_config", "auto_map", "_name_or_path", "adapter_config")
_LAYER_PATH = re.compile(r"^(?:.*?\.)?(?:layers|h|blocks|layer)\.(\d+)\.(.+)$")


def transformers_available() -> bool:
    """Whether torch and transformers can be imported (without importing them)."""
    return all(importlib.util.find_spec(name) is not None for name in ("torch", "transformers"))


def _build(config_json: str) -> Any:
    import torch
    import transformers
    from transformers import AutoConfig, AutoModelForCausalLM

    config = json.loads(config_json)
    model_type = config.pop("model_type")
    logger = transformers.utils.logging
    verbosity = logger.get_verbosity()
    logger.set_verbosity_error()  # type: ignore[no-untyped-call]
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            hf_config = AutoConfig.for_model(model_type, **config)
            with torch.device("meta"):
                return AutoModelForCausalLM.from_config(  # type: ignore[no-untyped-call]
                    hf_config, trust_remote_code=False
                )
    except Exception as error:  # transformers validates configs with many exception types
        raise EstimateError(
            f"transformers cannot build this {model_type!r} config: {error}"
        ) from None
    finally:
        logger.set_verbosity(verbosity)


def _config_json(config: Mapping[str, Any]) -> str:
    normalised = normalised_config(config)
    cleaned = {k: v for k, v in normalised.items() if k not in _DROPPED_KEYS}
    cleaned["model_type"] = canonical_model_type(normalised)
    try:
        return json.dumps(cleaned, sort_keys=True)
    except (TypeError, ValueError) as error:
        raise EstimateError(f"config is not JSON-serialisable: {error}") from None


@lru_cache(maxsize=256)
def _exact(config_json: str) -> tuple[int, Layout]:
    model = _build(config_json)
    total = sum(parameter.numel() for parameter in model.parameters())
    return total, _layout_of(model)


def exact_count(config: Mapping[str, Any]) -> int:
    """The number of parameters transformers instantiates for ``config`` (tied weights once).

    Raises:
        EstimateError: transformers is not installed, or cannot build this config.
    """
    if not transformers_available():
        raise EstimateError(
            "an exact count needs torch and transformers (pip install 'modelcat[bench]')"
        )
    return _exact(_config_json(config))[0]


def exact_layout(config: Mapping[str, Any], arch: Architecture) -> Layout:
    """A :class:`Layout` read from the modules of the meta-device model (for families without a formula).

    Raises:
        EstimateError: transformers is not installed, or cannot build this config.
    """
    if not transformers_available():
        raise EstimateError("reading an unknown architecture needs torch and transformers")
    layout = _exact(_config_json(config))[1]
    if not arch.is_moe:
        return layout
    groups = tuple(
        LayerGroup(
            g.count,
            tuple(
                replace(lin, active=arch.experts_per_token) if lin.expert else lin
                for lin in g.linears
            ),
            g.other,
        )
        for g in layout.groups
    )
    return Layout(layout.embedding, groups, layout.final_norm, layout.lm_head)


def _layout_of(model: Any) -> Layout:
    from torch import nn
    from transformers.pytorch_utils import Conv1D

    head = model.get_output_embeddings()
    tied = head is not None and head.weight is model.get_input_embeddings().weight
    layers: dict[int, tuple[list[Linear], list[int]]] = {}
    embedding = final = lm_head = 0
    seen: set[int] = set()
    for name, module in model.named_modules():
        own = [p for p in module.parameters(recurse=False) if id(p) not in seen]
        seen.update(id(p) for p in own)
        if not own:
            continue
        count = sum(p.numel() for p in own)
        match = _LAYER_PATH.match(name)
        if module is head:
            lm_head = 0 if tied else count
        elif isinstance(module, nn.Embedding):
            embedding += count
        elif match is None:
            final += count
        else:
            linears, other = layers.setdefault(int(match.group(1)), ([], [0]))
            path = match.group(2)
            if isinstance(module, nn.Linear | Conv1D):
                out_f, in_f = (
                    (module.weight.shape[1], module.weight.shape[0])
                    if isinstance(module, Conv1D)
                    else module.weight.shape
                )
                linears.append(Linear(path, int(in_f), int(out_f), module.bias is not None))
                continue
            router = type(module).__name__.endswith("Router")
            for pname, parameter in module.named_parameters(recurse=False):
                if parameter.dim() == 3 and "experts" in path:
                    copies, out_f, in_f = (int(d) for d in parameter.shape)
                    factor = 2 if pname == "gate_up_proj" else 1  # peft doubles the fused rank
                    linears.append(
                        Linear(
                            f"{path}.{pname}",
                            in_f,
                            out_f,
                            copies=copies,
                            expert=True,
                            rank_factor=factor,
                        )
                    )
                elif router and pname == "weight" and parameter.dim() == 2:
                    linears.append(Linear(path, int(parameter.shape[1]), int(parameter.shape[0])))
                else:
                    other[0] += parameter.numel()
    groups = tuple(
        LayerGroup(1, tuple(linears), other[0]) for _, (linears, other) in sorted(layers.items())
    )
    return Layout(embedding, groups, final, lm_head)

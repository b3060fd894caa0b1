"""Which catalog entry a GGUF file is, from what its header says.

In order, the first that gives exactly one entry wins:

1. the Hub repository it was converted from (``general.source.*``), by Hub id;
2. its name (``general.name``; basename + size label + finetune; the file name without the
   quantization suffix) against each entry's id, name and Hub repository name, normalised to
   letters and digits, confirmed by a compatible architecture and a parameter count within
   25% (a quantized file stores the same number of weights);
3. its shape (architecture, width, layers, heads, vocabulary) against the entries' configs.

Two candidates (a base model and its chat variant share a shape) link to neither.
``general.base_model`` is not used: it names the model a fine-tune started from, not the model
in the file.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from catalog.local.gguf_meta import GGUFInfo
from catalog.local.link import ArchitectureNumbers, LinkTarget, numbers_from_config

PARAMS_TOLERANCE = 0.25

MODEL_TYPES: dict[str, frozenset[str]] = {
    "llama": frozenset({"llama", "mistral", "mixtral"}),
    "gptneox": frozenset({"gpt_neox"}),
    "gptj": frozenset({"gptj"}),
    "gpt2": frozenset({"gpt2"}),
    "starcoder": frozenset({"gpt_bigcode"}),
    "phi2": frozenset({"phi"}),
    "command-r": frozenset({"cohere"}),
    "cohere2": frozenset({"cohere2"}),
    "deepseek2": frozenset({"deepseek_v2", "deepseek_v3"}),
    "gemma3": frozenset({"gemma3", "gemma3_text"}),
    "qwen2moe": frozenset({"qwen2_moe"}),
    "qwen3moe": frozenset({"qwen3_moe"}),
}
"""llama.cpp's architecture names where they differ from transformers' ``model_type``
(elsewhere they are the same)."""

_QUANT_SUFFIX = re.compile(
    r"[-_.](?:i?q\d[a-z0-9_]*|f16|f32|bf16|fp16|fp32|mxfp4[a-z0-9_]*)$", re.IGNORECASE
)


def model_types(architecture: str | None) -> frozenset[str]:
    """The transformers ``model_type`` values a llama.cpp architecture stands for."""
    if not architecture:
        return frozenset()
    return MODEL_TYPES.get(architecture, frozenset({architecture.replace("-", "_")}))


def normalise(text: str) -> str:
    """Letters and digits only, lower case: ``Llama-3.2 1B`` -> ``llama321b``."""
    return re.sub(r"[^a-z0-9]", "", text.lower())


def gguf_names(info: GGUFInfo) -> set[str]:
    """The normalised names a GGUF file goes by."""
    names = set()
    if info.name:
        names.add(info.name)
    base, size, tune = (info.text(f"general.{k}") for k in ("basename", "size_label", "finetune"))
    if base:
        names.add(" ".join(p for p in (base, size, tune) if p))
    stem = info.path.name.removesuffix(".gguf").removesuffix(".GGUF")
    stem = re.sub(r"-\d{5}-of-\d{5}$", "", stem)
    while (shorter := _QUANT_SUFFIX.sub("", stem)) != stem:
        stem = shorter
    names.add(stem)
    return {n for n in (normalise(x) for x in names) if n}


def _target_names(target: LinkTarget) -> set[str]:
    names = {target.id}
    name = getattr(target, "name", None)
    if isinstance(name, str):
        names.add(name)
    if target.hub_id:
        names.add(target.hub_id.split("/")[-1])
    return {normalise(n) for n in names if normalise(n)}


def gguf_numbers(info: GGUFInfo) -> list[ArchitectureNumbers]:
    """The shape of the model in the file, once per ``model_type`` its architecture may be."""
    return [
        ArchitectureNumbers(
            model_type=kind,
            hidden_size=info.embedding_length,
            num_layers=info.block_count,
            num_heads=info.head_count,
            vocab_size=info.vocab_size,
            intermediate_size=info.feed_forward_length,
        )
        for kind in sorted(model_types(info.architecture))
    ]


def _compatible(info: GGUFInfo, target: LinkTarget) -> bool:
    kinds = model_types(info.architecture)
    if target.architecture and kinds and target.architecture not in kinds:
        return False
    params = getattr(target, "params", None)
    if isinstance(params, int) and params > 0 and info.parameter_count > 0:
        return abs(info.parameter_count - params) <= PARAMS_TOLERANCE * params
    return True


def _shape(target: LinkTarget) -> ArchitectureNumbers:
    config = getattr(target, "config", None)
    body: Mapping[str, Any] | None = config if isinstance(config, Mapping) else None
    return numbers_from_config(body, model_type=target.architecture)


def link_gguf(info: GGUFInfo, targets: Iterable[LinkTarget]) -> str | None:
    """The catalog id of the model in ``info``, or None when nothing (or more than one) fits."""
    entries = list(targets)
    source = info.source_hub_id
    if source:
        by_hub = {t.id for t in entries if t.hub_id and t.hub_id.casefold() == source.casefold()}
        if len(by_hub) == 1:
            return by_hub.pop()
    names = gguf_names(info)
    named = {t.id for t in entries if names & _target_names(t) and _compatible(info, t)}
    if len(named) == 1:
        return named.pop()
    if named:
        return None
    shapes = gguf_numbers(info)
    shaped = {t.id for t in entries if any(n.matches(_shape(t)) for n in shapes)}
    return shaped.pop() if len(shaped) == 1 else None

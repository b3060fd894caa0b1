"""Which layout builder counts each transformers ``model_type``.

Each builder mirrors the modelling code of transformers 5 for its family (Qwen 1: its own remote
code); the tests check every one against the model transformers builds on the meta device.
"""

from __future__ import annotations

from collections.abc import Callable

from catalog.errors import EstimateError
from catalog.estimate import families_gpt, families_llama, families_moe
from catalog.estimate.architecture import Architecture
from catalog.estimate.layouts import Layout

FAMILIES: dict[str, Callable[[Architecture], Layout]] = {
    "bloom": families_gpt.bloom,
    "falcon": families_gpt.falcon,
    "gpt2": families_gpt.gpt2,
    "gpt_bigcode": families_gpt.gpt_bigcode,
    "gpt_neo": families_gpt.gpt_neo,
    "gpt_neox": families_gpt.gpt_neox,
    "gptj": families_gpt.gptj,
    "mpt": families_gpt.mpt,
    "opt": families_gpt.opt,
    "phi": families_gpt.phi,
    "starcoder2": families_gpt.starcoder2,
    "cohere": families_llama.cohere,
    "cohere2": families_llama.cohere,
    "gemma": families_llama.llama,
    "gemma2": families_llama.llama,
    "gemma3_text": families_llama.llama,
    "granite": families_llama.llama,
    "llama": families_llama.llama,
    "mistral": families_llama.mistral,
    "olmo": families_llama.olmo,
    "olmo2": families_llama.olmo2,
    "phi3": families_llama.phi3,
    "qwen": families_llama.qwen,
    "qwen2": families_llama.qwen2,
    "qwen3": families_llama.llama,
    "stablelm": families_llama.stablelm,
    "deepseek_v2": families_moe.deepseek,
    "deepseek_v3": families_moe.deepseek,
    "gpt_oss": families_moe.gpt_oss,
    "granitemoe": families_moe.granitemoe,
    "granitemoeshared": families_moe.granitemoe,
    "llama4_text": families_moe.llama4,
    "mixtral": families_moe.mixtral,
    "olmoe": families_moe.olmoe,
    "phimoe": families_moe.phimoe,
    "qwen2_moe": families_moe.qwen2_moe,
    "qwen3_moe": families_moe.qwen3_moe,
}
"""Every ``model_type`` the formulas count, to its layout builder."""

MOE_FAMILIES = frozenset(
    {
        "deepseek_v2",
        "deepseek_v3",
        "gpt_oss",
        "granitemoe",
        "granitemoeshared",
        "llama4_text",
        "mixtral",
        "olmoe",
        "phimoe",
        "qwen2_moe",
        "qwen3_moe",
    }
)
"""Families whose builders place routed experts (the others are dense-only)."""


def layout_for(arch: Architecture) -> Layout:
    """The :class:`Layout` of ``arch``.

    Raises:
        EstimateError: no formula exists for this model family, or its config lacks a field the
            family needs or holds one of the wrong type.
    """
    build = FAMILIES.get(arch.model_type)
    if build is None:
        known = ", ".join(sorted(FAMILIES))
        raise EstimateError(
            f"no parameter formula for model_type {arch.model_type!r} (known: {known})"
        )
    if arch.is_moe and arch.model_type not in MOE_FAMILIES:
        raise EstimateError(
            f"model_type {arch.model_type!r} has experts, but its formula is dense-only"
        )
    try:
        return build(arch)
    except KeyError as missing:
        raise EstimateError(
            f"config field {missing} is required for model_type {arch.model_type!r}"
        ) from None
    except (TypeError, ValueError) as error:
        raise EstimateError(
            f"config of model_type {arch.model_type!r} holds a field of the wrong type: {error}"
        ) from None

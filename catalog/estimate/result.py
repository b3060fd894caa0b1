"""The estimate of one model: parameters, inference memory, training memory per method, assumptions."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from catalog.estimate.architecture import Architecture
from catalog.estimate.memory import InferenceMemory
from catalog.estimate.params import ParamCount
from catalog.estimate.training import Method, TrainingMemory


def architecture_json(arch: Architecture) -> dict[str, Any]:
    """The architecture numbers an estimate used (no raw config)."""
    return {
        "model_type": arch.model_type,
        "vocab_size": arch.vocab_size,
        "hidden_size": arch.hidden_size,
        "num_layers": arch.num_layers,
        "num_heads": arch.num_heads,
        "num_kv_heads": arch.num_kv_heads,
        "head_dim": arch.head_dim,
        "ffn_size": arch.ffn_size,
        "tied_embeddings": arch.tied_embeddings,
        "max_context": arch.max_context,
        "sliding_window": arch.sliding_window,
        "num_experts": arch.num_experts,
        "experts_per_token": arch.experts_per_token,
    }


@dataclass(frozen=True)
class Estimate:
    """Everything modelcat can say about running and tuning one model, with its working shown.

    Attributes:
        model: the name the caller gave (``None`` for an anonymous config).
        params: the parameter count and its split.
        architecture: the normalised architecture (``None`` for a bare parameter count).
        inference: memory to serve the model in the requested dtype.
        training: memory and trainable parameters for each method.
        assumptions: every assumption and approximation behind the numbers, in words.
    """

    model: str | None
    params: ParamCount
    architecture: Architecture | None
    inference: InferenceMemory
    training: dict[Method, TrainingMemory]
    assumptions: tuple[str, ...]

    def to_json(self) -> dict[str, Any]:
        """The JSON shape of ``modelcat estimate --format json``.

        Keys: ``model``, ``params``, ``active_params``, ``params_method``, ``architecture``,
        ``inference`` (``dtype``, ``weights_bytes``, ``kv_cache_bytes``, ``overhead_bytes``,
        ``total_bytes`` and the finer parts), ``training`` (``full``, ``lora``, ``qlora``,
        ``prompt_tuning``, ``prompt_engineering``; each with ``trainable_params``, ``total_bytes``,
        the parts and ``storage_per_task_bytes``) and ``assumptions``.
        """
        return {
            "model": self.model,
            "params": self.params.total,
            "active_params": self.params.active,
            "params_method": self.params.method,
            "architecture": None
            if self.architecture is None
            else architecture_json(self.architecture),
            "inference": self.inference.to_json(),
            "training": {method: memory.to_json() for method, memory in self.training.items()},
            "assumptions": list(self.assumptions),
        }

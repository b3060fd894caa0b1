"""What one approach costs on one model: trainable parameters, memory, storage per task, fit, prices.

Local approaches take their numbers from the estimator (``catalog.fit.verdict.estimate_for``, the fast
formulas): prompting and retrieval cost the inference estimate at the most precise dtype that fits;
prompt tuning, LoRA, QLoRA and full fine-tuning cost their training estimate (rank 16 on
``q_proj,v_proj``, 2048 tokens, micro-batch 1, gradient checkpointing: ``modelcat estimate``'s
defaults, so ``modelcat estimate MODEL`` reproduces them). Training is judged on a GPU only: training
on CPU RAM is impractical. Vendor fine-tuning costs money, not memory: its training price times an
assumed data volume.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from catalog.errors import EstimateError
from catalog.fit.verdict import ModelFit, estimate_for, model_fit

if TYPE_CHECKING:
    from catalog.advisor.approaches import ApproachInfo
    from catalog.api import Catalog
    from catalog.domain import Model
    from catalog.fit.hardware import Hardware

TOKENS_PER_EXAMPLE = 500
"""Assumed tokens per labelled example (prompt + answer) for vendor training prices."""
EPOCHS = 3
"""Assumed training epochs for vendor training prices (a common vendor default)."""
PROMPT_CONTEXT = 4096
"""Tokens per request for prompt engineering and few-shot estimates."""
RAG_CONTEXT = 8192
"""Tokens per request with retrieved passages."""


_SHORT = {
    "full": "full fine-tuning",
    "lora": "LoRA",
    "qlora": "QLoRA",
    "prompt_tuning": "prompt tuning",
}


@dataclass(frozen=True)
class Cost:
    """One approach on one model.

    Attributes:
        trainable_params: parameters trained (0 for prompting; ``None`` when unknown or at a vendor).
        memory_bytes: training memory (tuning) or inference memory (prompting, retrieval).
        memory_what: what ``memory_bytes`` covers.
        approximate: the memory is a lower bound (parameter count only, no config).
        storage_per_task_bytes: what one more task costs to store.
        fit: the verdict on this machine (``n/a`` at a vendor).
        vendor: the vendor route and prices, for API models and vendor fine-tuning.
        command: the ``modelcat estimate`` command that shows the working.
    """

    trainable_params: int | None
    memory_bytes: int | None
    memory_what: str
    approximate: bool
    storage_per_task_bytes: int | None
    fit: ModelFit
    vendor: dict[str, Any] | None = None
    command: str | None = None


def needed_context(approach: str, wanted: int | None) -> int:
    """Tokens per request the approach needs: the caller's, else its default (8192 for RAG,
    whose prompts carry retrieved passages; 4096 for prompting and few-shot)."""
    return wanted or (RAG_CONTEXT if approach == "rag" else PROMPT_CONTEXT)


def short_window(model: Model, approach: str, wanted: int | None) -> tuple[int, int] | None:
    """``(window, needed)`` when the model's context window is smaller than the approach needs."""
    needed = needed_context(approach, wanted)
    window = model.context_length
    return (window, needed) if window is not None and window < needed else None


def context_for(model: Model, approach: str, wanted: int | None) -> int:
    """Tokens per request: what the approach needs, capped by the model's maximum."""
    tokens = needed_context(approach, wanted)
    return min(tokens, model.context_length) if model.context_length else tokens


def vendor_route(model: Model, *, examples: int, training: bool) -> dict[str, Any]:
    """The vendor, its API model name, routes and known prices (US$ per million tokens)."""
    pricing = model.api.pricing if model.api is not None else None
    route: dict[str, Any] = {
        "vendor": model.api.vendor if model.api is not None else model.publisher,
        "model_name": model.api.model_name if model.api is not None else None,
        "routes": list(model.tuning_routes),
        "input_per_mtok": pricing.input_per_mtok if pricing else None,
        "output_per_mtok": pricing.output_per_mtok if pricing else None,
        "training_per_mtok": pricing.training_per_mtok if pricing else None,
        "prices_source": pricing.source if pricing else None,
        "prices_as_of": pricing.as_of.isoformat() if pricing else None,
        "notes": model.tunability_notes,
    }
    if training:
        tokens = examples * TOKENS_PER_EXAMPLE * EPOCHS
        price = route["training_per_mtok"]
        route["training_tokens_assumed"] = tokens
        route["training_cost_usd"] = None if price is None else round(tokens / 1e6 * price, 2)
        route["training_cost_assumption"] = (
            f"{examples:,} examples x {TOKENS_PER_EXAMPLE} tokens x {EPOCHS} epochs"
            + ("" if price is not None else "; the catalog has no training price for this model")
        )
    return route


def _n_a(model: Model, note: str) -> ModelFit:
    return ModelFit(model.id, "n/a", note=note)


def _prompting(model: Model, hardware: Hardware, context: int, cat: Catalog | None) -> Cost:
    if model.is_api:
        return Cost(
            0, None, "runs at the vendor", False, 0,
            _n_a(model, "API-only: runs at the vendor"),
            vendor_route(model, examples=0, training=False),
        )  # fmt: skip
    verdict = model_fit(model, hardware, context=context, cat=cat)
    return Cost(
        trainable_params=0,
        memory_bytes=verdict.required_bytes,
        memory_what=f"inference at {verdict.dtype}, {context} tokens",
        approximate=verdict.approximate,
        storage_per_task_bytes=0,
        fit=verdict,
        command=f"modelcat estimate {model.id} --fast --dtype {verdict.dtype} --context {context}",
    )


def _lower_bound(model: Model, method: str) -> int:
    """Training memory that a bare parameter count already implies (base weights + runtime)."""
    from catalog.estimate.dtypes import NF4_BITS
    from catalog.estimate.memory import RUNTIME_OVERHEAD_BYTES

    params = model.params or 0
    per_param = NF4_BITS / 8 if method == "qlora" else 2.0
    return round(params * per_param) + RUNTIME_OVERHEAD_BYTES


def _training(model: Model, info: ApproachInfo, hardware: Hardware, cat: Catalog | None) -> Cost:
    from catalog.fit.hardware import fit

    assert info.method is not None
    method = info.method
    try:
        result = estimate_for(model, cat=cat)
    except EstimateError as error:
        return Cost(None, None, "unknown", True, None, _n_a(model, str(error)))
    memory = result.training[method]
    approximate = memory.total_is_lower_bound or memory.total_bytes is None
    required = memory.total_bytes if memory.total_bytes is not None else _lower_bound(model, method)
    verdict = fit(required_bytes=required, hardware=hardware, device="gpu")
    dtype = "int4" if method == "qlora" else "bf16"
    what = f"{_SHORT[method]} training ({memory.seq_len} tokens x {memory.micro_batch})"
    judged = ModelFit(
        model=model.id,
        level=verdict.level,
        dtype=dtype,
        device=verdict.device,
        device_name=verdict.device_name,
        required_bytes=required,
        available_bytes=verdict.available_bytes,
        headroom=round(verdict.headroom, 4),
        basis="params" if result.architecture is None else "config",
        approximate=approximate,
        note="training is judged on a GPU only"
        + ("; approximate: a lower bound from the parameter count" if approximate else ""),
    )
    return Cost(
        trainable_params=memory.trainable_params,
        memory_bytes=required,
        memory_what=what,
        approximate=approximate,
        storage_per_task_bytes=memory.storage_per_task_bytes,
        fit=judged,
        command=f"modelcat estimate {model.id} --fast",
    )


def approach_cost(
    model: Model,
    info: ApproachInfo,
    hardware: Hardware,
    *,
    examples: int = 0,
    context: int | None = None,
    cat: Catalog | None = None,
) -> Cost:
    """What ``info``'s approach costs on ``model`` on ``hardware``.

    Args:
        model: a catalog model.
        info: the approach.
        hardware: the machine (its GPUs for training, any device for inference).
        examples: labelled examples (for vendor training prices).
        context: tokens per request for prompting and retrieval (default per approach).
        cat: the catalog, to read configs stored by a Hub sync.
    """
    if not info.local:
        vendor = vendor_route(model, examples=examples, training=True)
        return Cost(
            None, None, "trained and served by the vendor", False, None,
            _n_a(model, f"runs at {vendor['vendor']}"), vendor,
        )  # fmt: skip
    if info.method == "prompt_engineering":
        return _prompting(model, hardware, context_for(model, info.approach, context), cat)
    if model.is_api:
        return Cost(None, None, "unknown", False, None, _n_a(model, "API-only: no weights"))
    return _training(model, info, hardware, cat)


def gpu_only(hardware: Hardware) -> Hardware:
    """``hardware`` without its RAM: what training may use."""
    return dataclasses.replace(hardware, ram_available_bytes=0)


__all__ = [
    "EPOCHS",
    "PROMPT_CONTEXT",
    "RAG_CONTEXT",
    "TOKENS_PER_EXAMPLE",
    "Cost",
    "approach_cost",
    "context_for",
    "gpu_only",
    "needed_context",
    "short_window",
    "vendor_route",
]

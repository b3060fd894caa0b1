"""The public estimator: one call from a config (or a bare parameter count) to every number."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from catalog.errors import EstimateError, UsageError
from catalog.estimate.architecture import Architecture, read_architecture
from catalog.estimate.bounds import check_bounds
from catalog.estimate.dtypes import Dtype, weight_format
from catalog.estimate.families import layout_for
from catalog.estimate.layouts import Layout
from catalog.estimate.memory import InferenceMemory, inference_bytes
from catalog.estimate.meta import exact_count, exact_layout, transformers_available
from catalog.estimate.params import DEFAULT_TARGETS, ParamCount, count_layout, with_exact_total
from catalog.estimate.params import lora_targets as match_lora_targets
from catalog.estimate.result import Estimate
from catalog.estimate.training import TrainingSetup, training_memory
from catalog.estimate.wording import describe
from catalog.units import parse_count

if TYPE_CHECKING:
    # psutil and the GPU probes cost start-up time; only the fit check needs them
    from catalog.fit.hardware import FitResult, Hardware

DEFAULT_CONTEXT = 4096
"""Context when none is given, capped by the model's own maximum (a 128K default would mislead)."""
DEFAULT_SEQ_LEN = 2048
"""Training sequence length when none is given, capped by the model's maximum."""
DEFAULT_FIT_DTYPES: tuple[Dtype, ...] = ("bf16", "int8", "int4")


@dataclass(frozen=True)
class Resolved:
    """A model's shape, as far as the input allows."""

    count: ParamCount
    arch: Architecture | None
    layout: Layout | None
    notes: tuple[str, ...]


@dataclass(frozen=True)
class DtypeFit:
    """The most precise dtype whose inference estimate fits, with the estimate and the verdict."""

    dtype: Dtype
    memory: InferenceMemory
    fit: FitResult


def _positive(name: str, value: Any, *, allow_none: bool = False) -> None:
    if value is None and allow_none:
        return
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise UsageError(f"{name} must be a positive integer, got {value!r}")


def read_config_file(path: str | Path) -> dict[str, Any]:
    """Read a ``config.json`` file.

    Raises:
        EstimateError: the file cannot be read, is not JSON, or is not a JSON object.
    """
    from catalog.config_file import JsonFileError, read_json_object

    try:
        return read_json_object(path)
    except JsonFileError as error:
        raise EstimateError(str(error)) from None


def _given(params: int | str) -> Resolved:
    total = parse_count(params, field="params")
    if total <= 0:
        raise UsageError(f"params must be positive, got {params!r}")
    count = ParamCount(total, total, 0, 0, total, 0, "given")
    note = (
        "approximate: only a parameter count is known (no config), so the KV cache, activations, "
        "LoRA and prompt-tuning sizes cannot be computed and totals are lower bounds"
    )
    return Resolved(count, None, None, (note,))


def resolve(
    *,
    config: Mapping[str, Any] | None = None,
    params: int | str | None = None,
    exact: bool | None = None,
) -> Resolved:
    """Read the architecture and count the parameters of a config, or take a bare count.

    Args:
        config: a parsed ``config.json``.
        params: a parameter count (``7000000000`` or ``"7B"``), used only without a config.
        exact: ``None`` (the default) counts with the formulas, which are exact for every family
            they know, and falls back to transformers on the meta device for a family they do not
            know (when torch and transformers are installed); ``True`` always takes the
            meta-device count; ``False`` uses the formulas only.

    Raises:
        EstimateError: neither input is given (an API-only model), the config is unusable, or its
            family has no formula and transformers cannot count it (not installed, or ``False``).
    """
    if config is None:
        if params is None:
            raise EstimateError(
                "nothing can be estimated without a config.json or a parameter count "
                "(API-only models publish neither)"
            )
        return _given(params)
    if not isinstance(config, Mapping):
        raise EstimateError(
            f"config must be a mapping (a parsed config.json), got {type(config).__name__}"
        )
    check_bounds(config)  # before anything is built on it
    arch = read_architecture(config)
    try:
        layout = layout_for(arch)
    except EstimateError as error:
        if exact is False or not transformers_available():
            hint = "transformers can count any architecture it knows (exact=True)"
            if not transformers_available():
                hint = "installing torch and transformers would allow an exact count"
            raise EstimateError(f"{error}; {hint}") from None
        return _from_meta_device(config, arch)
    count = count_layout(layout)
    if not exact:
        return Resolved(count, arch, layout, ())
    total = exact_count(config)
    notes: tuple[str, ...] = ()
    if count.total != total:
        notes = (f"the {arch.model_type} formula gives {count.total:,}; the exact count is used",)
    return Resolved(with_exact_total(count, total), arch, layout, notes)


def _from_meta_device(config: Mapping[str, Any], arch: Architecture) -> Resolved:
    """The fallback for a family without a formula: the model transformers builds on the meta
    device gives the count and the layer shapes."""
    total = exact_count(config)
    layout = exact_layout(config, arch)
    note = (
        f"no formula for {arch.model_type!r}: counted by transformers, layer shapes read from "
        "the meta-device model"
    )
    return Resolved(with_exact_total(count_layout(layout), total), arch, layout, (note,))


def _context(resolved: Resolved, context: int | None, default: int) -> tuple[int | None, list[str]]:
    arch = resolved.arch
    if arch is None:
        return context, []
    limit = arch.max_context
    if context is None:
        chosen = min(default, limit) if limit else default
        return chosen, [
            f"{chosen} tokens assumed (default {default}, "
            + (
                f"capped by the model's maximum {limit})"
                if limit
                else "the config states no maximum)"
            )
        ]
    if limit and context > limit:
        return context, [f"{context} tokens exceed the model's configured maximum of {limit}"]
    return context, []


def inference_memory(
    *,
    config: Mapping[str, Any] | None = None,
    params: int | str | None = None,
    dtype: str = "bf16",
    context: int | None = None,
    batch: int = 1,
    exact: bool | None = None,
) -> InferenceMemory:
    """Inference memory for one dtype (weights + KV cache + overhead).

    Args:
        config: a parsed ``config.json``.
        params: a bare parameter count, used only without a config (KV cache then unknown).
        dtype: ``fp32``, ``bf16``, ``fp16``, ``int8``, ``int4`` or a GGUF type (``q4_k_m``, ``q8_0``, ...).
        context: tokens per sequence (default 4096, capped by the model's maximum).
        batch: sequences at once.
        exact: see :func:`resolve`.

    Raises:
        UsageError: a bad dtype, context or batch.
        EstimateError: nothing to estimate from, or an unusable config.
    """
    fmt = weight_format(dtype)
    _positive("context", context, allow_none=True)
    _positive("batch", batch)
    resolved = resolve(config=config, params=params, exact=exact)
    tokens, _ = _context(resolved, context, DEFAULT_CONTEXT)
    return inference_bytes(
        count=resolved.count, arch=resolved.arch, fmt=fmt, context=tokens, batch=batch
    )


def estimate(
    *,
    config: Mapping[str, Any] | None = None,
    params: int | str | None = None,
    model: str | None = None,
    dtype: str = "bf16",
    context: int | None = None,
    batch: int = 1,
    seq_len: int | None = None,
    micro_batch: int = 1,
    lora_rank: int = 16,
    lora_targets: str | Sequence[str] = DEFAULT_TARGETS,
    virtual_tokens: int = 20,
    gradient_checkpointing: bool = True,
    exact: bool | None = None,
) -> Estimate:
    """Estimate parameters, inference memory and training memory for every adaptation method.

    Args:
        config: a parsed ``config.json`` (see :func:`read_config_file`).
        params: a bare parameter count, for models without a config (an approximate estimate).
        model: a display name carried into the result.
        dtype: the inference weight format (see :func:`inference_memory`).
        context: inference tokens per sequence (default 4096, capped by the model's maximum).
        batch: inference sequences at once.
        seq_len: training tokens per sequence (default 2048, capped by the model's maximum).
        micro_batch: training sequences per step.
        lora_rank: LoRA rank for ``lora`` and ``qlora``.
        lora_targets: ``"all-linear"`` or module names (default ``q_proj,v_proj``; fused modules that
            implement them are matched, e.g. Falcon's ``query_key_value``).
        virtual_tokens: soft-prompt length for prompt tuning.
        gradient_checkpointing: whether training totals assume gradient checkpointing (both
            activation figures are reported either way).
        exact: see :func:`resolve`.

    Returns:
        The :class:`Estimate`; ``to_json()`` gives the CLI's JSON shape.

    Raises:
        UsageError: a bad option value (the message names it).
        EstimateError: nothing to estimate from (API-only model) or an unusable config.
    """
    fmt = weight_format(dtype)
    for name, value in (("batch", batch), ("micro_batch", micro_batch), ("lora_rank", lora_rank)):
        _positive(name, value)
    _positive("context", context, allow_none=True)
    _positive("seq_len", seq_len, allow_none=True)
    _positive("virtual_tokens", virtual_tokens)
    resolved = resolve(config=config, params=params, exact=exact)
    tokens, context_notes = _context(resolved, context, DEFAULT_CONTEXT)
    train_len, seq_notes = _context(resolved, seq_len, DEFAULT_SEQ_LEN)
    if resolved.layout is not None:
        try:
            match_lora_targets(resolved.layout, lora_targets)
        except EstimateError as error:
            raise UsageError(str(error)) from None
    inference = inference_bytes(
        count=resolved.count, arch=resolved.arch, fmt=fmt, context=tokens, batch=batch
    )
    setup = TrainingSetup(
        seq_len=train_len or DEFAULT_SEQ_LEN,
        micro_batch=micro_batch,
        gradient_checkpointing=gradient_checkpointing,
        lora_rank=lora_rank,
        lora_targets=lora_targets,
        virtual_tokens=virtual_tokens,
    )
    training = training_memory(
        count=resolved.count,
        arch=resolved.arch,
        layout=resolved.layout,
        setup=setup,
        prompt_engineering=inference,
    )
    assumptions = describe(
        resolved=resolved,
        fmt=fmt,
        inference=inference,
        setup=setup,
        context_notes=[f"inference context: {note}" for note in context_notes],
        seq_notes=[f"training sequence: {note}" for note in seq_notes],
    )
    return Estimate(model, resolved.count, resolved.arch, inference, training, assumptions)


def best_dtype_that_fits(
    *,
    hardware: Hardware,
    config: Mapping[str, Any] | None = None,
    params: int | str | None = None,
    context: int | None = None,
    batch: int = 1,
    dtypes: Sequence[str] = DEFAULT_FIT_DTYPES,
    exact: bool | None = None,
) -> DtypeFit | None:
    """The most precise dtype (first in ``dtypes``) whose inference estimate fits one device.

    A dtype that ``fits`` wins over an earlier one that is only ``tight``; a ``tight`` one is
    returned when none fits comfortably; ``None`` when nothing fits at all.

    Raises:
        UsageError: an unknown dtype or a bad context/batch.
        EstimateError: nothing to estimate from, or an unusable config.
    """
    from catalog.fit.hardware import fit

    formats = [weight_format(dtype) for dtype in dtypes]
    _positive("context", context, allow_none=True)
    _positive("batch", batch)
    resolved = resolve(config=config, params=params, exact=exact)
    tokens, _ = _context(resolved, context, DEFAULT_CONTEXT)
    tight: DtypeFit | None = None
    for fmt in formats:
        memory = inference_bytes(
            count=resolved.count, arch=resolved.arch, fmt=fmt, context=tokens, batch=batch
        )
        verdict = fit(required_bytes=memory.total_bytes, hardware=hardware)
        if verdict.level == "fits":
            return DtypeFit(fmt.name, memory, verdict)
        if verdict.level == "tight" and tight is None:
            tight = DtypeFit(fmt.name, memory, verdict)
    return tight

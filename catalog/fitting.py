"""Will a catalog model run here? One verdict per model, shared by ``shortlist --fits``, the advisor
and the TUI.

The verdict is the estimator's inference memory judged on ONE device (:func:`catalog.hardware.fit`:
the best GPU or the available RAM, never a sum of GPUs). The model's ``config.json`` numbers are used
when known; otherwise its parameter count alone is, and the verdict says it is approximate (without a
config the KV cache and activations are unknown, so the requirement is a lower bound). API-only
models run at their vendor: their level is ``n/a``.

Fits of a whole listing page through the SQL-filtered, ranked catalog (:func:`fitting_models`), so
``--fits --top 10`` on a large store stops after ten fitting models.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any, Literal

from catalog.errors import EstimateError

if TYPE_CHECKING:
    from catalog.api import Catalog
    from catalog.domain import Model
    from catalog.estimate import Estimate
    from catalog.hardware import Hardware
    from catalog.query import Filters, Sort

FitLevelOrNA = Literal["fits", "tight", "no", "n/a"]
Basis = Literal["config", "params", "none"]

AUTO_DTYPES: tuple[str, ...] = ("bf16", "int8", "int4")
"""Tried in this order when no dtype is given: the most precise one that fits wins."""
PAGE_SIZE = 100
"""Models fetched per query while looking for ``top`` fitting ones."""


@dataclass(frozen=True)
class ModelFit:
    """Whether one model's inference estimate fits one device of a machine.

    Attributes:
        model: the model id.
        level: ``fits``, ``tight`` (under 20% headroom), ``no``, or ``n/a`` (API-only or unknown size).
        dtype: the weight format judged (the best that fits when the dtype was automatic).
        device: ``gpu:N`` or ``cpu``; ``None`` when not judged.
        device_name: the GPU name or ``RAM``.
        required_bytes: the inference estimate (weights + KV cache + overhead).
        available_bytes: the free memory of that device.
        headroom: share of the device's free memory left after loading.
        basis: ``config`` (architecture numbers), ``params`` (parameter count only) or ``none``.
        approximate: the requirement is a lower bound (parameter count only).
        note: why the verdict is approximate or not applicable.
    """

    model: str
    level: FitLevelOrNA
    dtype: str | None = None
    device: str | None = None
    device_name: str | None = None
    required_bytes: int | None = None
    available_bytes: int | None = None
    headroom: float | None = None
    basis: Basis = "none"
    approximate: bool = False
    note: str | None = None

    def to_json(self) -> dict[str, Any]:
        """``{"level", "dtype", "device", "required_bytes", "available_bytes", ...}``."""
        out = asdict(self)
        del out["model"]
        return out

    @property
    def kept(self) -> bool:
        """True when the model runs here (``fits`` or ``tight``)."""
        return self.level in ("fits", "tight")

    def label(self) -> str:
        """A short cell: ``fits bf16 gpu:0``, ``tight int4 cpu ~`` (``~``: approximate), ``n/a``."""
        if self.level == "n/a" or self.dtype is None:
            return self.level
        return f"{self.level} {self.dtype} {self.device}" + (" ~" if self.approximate else "")


def config_with_source(cat: Catalog | None, model: Model) -> tuple[dict[str, Any] | None, str]:
    """The ``config.json`` numbers to estimate ``model`` from, and where they come from.

    The full config.json stored by the last Hub sync wins (read through ``cat``, when the model
    has been synced); else the curated numbers of ``data/models.yaml``, with ``model_type`` filled
    in from the entry's ``architecture`` when the curated block omits it; else ``(None, "none")``.
    """
    if model.is_api:
        return None, "none"
    if cat is not None:
        from catalog.sync import synced_config

        synced = synced_config(cat, model)
        if synced:
            return synced, "the config.json stored by the last Hub sync"
    if not model.config:
        return None, "none"
    config = dict(model.config)
    if model.architecture and "model_type" not in config and "architectures" not in config:
        config["model_type"] = model.architecture
    where = model.sources.get("config")
    return config, "the curated config in data/models.yaml" + (f" ({where})" if where else "")


def model_config(cat: Catalog | None, model: Model) -> dict[str, Any] | None:
    """The ``config.json`` numbers to estimate ``model`` from (see :func:`config_with_source`)."""
    return config_with_source(cat, model)[0]


def _judged(
    model: Model,
    hardware: Hardware,
    *,
    basis: Basis,
    config: Mapping[str, Any] | None,
    dtype: str | None,
    context: int | None,
    exact: bool,
) -> ModelFit:
    from catalog.estimate import best_dtype_that_fits, inference_memory
    from catalog.hardware import fit

    source: dict[str, Any] = {"config": config} if basis == "config" else {"params": model.params}
    chosen: str
    if dtype is None or dtype == "auto":
        best = best_dtype_that_fits(
            hardware=hardware, context=context, dtypes=AUTO_DTYPES, exact=exact, **source
        )
        if best is not None:
            chosen, verdict = best.dtype, best.fit
        else:
            chosen = AUTO_DTYPES[-1]
            memory = inference_memory(dtype=chosen, context=context, exact=exact, **source)
            verdict = fit(required_bytes=memory.total_bytes, hardware=hardware)
    else:
        memory = inference_memory(dtype=dtype, context=context, exact=exact, **source)
        chosen, verdict = memory.dtype, fit(required_bytes=memory.total_bytes, hardware=hardware)
    approximate = basis == "params"
    return ModelFit(
        model=model.id,
        level=verdict.level,
        dtype=chosen,
        device=verdict.device,
        device_name=verdict.device_name,
        required_bytes=verdict.required_bytes,
        available_bytes=verdict.available_bytes,
        headroom=round(verdict.headroom, 4),
        basis=basis,
        approximate=approximate,
        note="approximate: parameter count only (no config), weights + runtime, no KV cache"
        if approximate
        else None,
    )


def model_fit(
    model: Model,
    hardware: Hardware,
    *,
    dtype: str | None = None,
    context: int | None = None,
    config: Mapping[str, Any] | None = None,
    cat: Catalog | None = None,
    exact: bool = False,
) -> ModelFit:
    """Judge whether ``model``'s inference estimate fits one device of ``hardware``.

    Args:
        model: a catalog model.
        hardware: the machine (``catalog.hardware.detect_hardware``, overridable).
        dtype: a weight format (``bf16``, ``int4``, ``q4_k_m``...), or ``None``/``"auto"`` for the most
            precise of bf16, int8, int4 that fits (int4 is reported when none does).
        context: tokens per sequence (default 4096, capped by the model's maximum).
        config: the model's config.json numbers; default :func:`model_config`.
        cat: the catalog, to read the config stored by a Hub sync.
        exact: count parameters with transformers (slow); the analytic formulas by default.

    Returns:
        The :class:`ModelFit`; ``n/a`` for API-only models and models of unknown size.

    Raises:
        UsageError: an unknown dtype or a bad context.
    """
    if model.is_api:
        vendor = model.api.vendor if model.api is not None else model.publisher
        return ModelFit(model.id, "n/a", note=f"API-only: runs at {vendor}, nothing to load here")
    config = config if config is not None else model_config(cat, model)
    kwargs: dict[str, Any] = {"dtype": dtype, "context": context, "exact": exact}
    fallback = None
    if config is not None:
        try:
            return _judged(model, hardware, basis="config", config=config, **kwargs)
        except EstimateError as error:
            fallback = f"config unusable ({error})"
    if model.params:
        judged = _judged(model, hardware, basis="params", config=None, **kwargs)
        if fallback is not None:
            judged = dataclasses.replace(judged, note=f"{fallback}; {judged.note}")
        return judged
    return ModelFit(
        model.id, "n/a", note=fallback or "neither a config nor a parameter count is known"
    )


def estimate_for(
    model: Model,
    *,
    config: Mapping[str, Any] | None = None,
    cat: Catalog | None = None,
    exact: bool | None = False,
    **options: Any,
) -> Estimate:
    """The estimator's figures for a catalog model: from its config when known, else its size.

    Args:
        model: a catalog model.
        config: its config.json numbers; default :func:`config_with_source`.
        cat: the catalog, to read the config stored by a Hub sync.
        exact: see :func:`catalog.estimate.resolve` (the fast formulas by default).
        **options: any option of :func:`catalog.estimate.estimate` (``dtype``, ``context``, ...).

    Returns:
        The :class:`~catalog.estimate.Estimate`; its assumptions say where the shape came from.

    Raises:
        EstimateError: an API-only model (nothing is published to estimate from) or an open model
            of unknown size.
        UsageError: a bad option value.
    """
    from catalog.estimate import estimate

    if model.is_api:
        vendor = model.api.vendor if model.api is not None else model.publisher
        raise EstimateError(
            f"{model.id} is API-only: {vendor} publishes neither weights nor a config.json, so "
            f"nothing can be estimated (its prices, where known: modelcat show {model.id})"
        )
    source = "the config given"
    if config is None:
        config, source = config_with_source(cat, model)
    notes: list[str] = []
    if config is not None:
        try:
            result = estimate(config=config, model=model.id, exact=exact, **options)
        except EstimateError as error:
            if not model.params:
                raise
            notes.append(f"{source} could not be used ({error})")
        else:
            notes.append(f"architecture numbers: {source}")
            return dataclasses.replace(result, assumptions=(*notes, *result.assumptions))
    if not model.params:
        raise EstimateError(
            f"{model.id}: neither a config.json nor a parameter count is known, so nothing can be "
            "estimated (give one with --config PATH)"
        )
    result = estimate(params=model.params, model=model.id, exact=exact, **options)
    notes.append(f"parameter count only: {model.params:,} from the catalog (no config known)")
    return dataclasses.replace(result, assumptions=(*notes, *result.assumptions))


SUMMARY_DTYPES: tuple[str, ...] = ("bf16", "int8", "int4")


def estimate_summary(model: Model, cat: Catalog | None = None) -> dict[str, Any]:
    """A cheap estimate section for ``modelcat show``: inference total per dtype, and trainable
    parameters and memory per tuning method (analytic formulas, default options).

    Returns:
        ``{"available": false, "reason"}`` when nothing can be estimated (API-only, unknown size).
    """
    try:
        results = [estimate_for(model, cat=cat, dtype=dtype) for dtype in SUMMARY_DTYPES]
    except EstimateError as error:
        return {"available": False, "reason": str(error)}
    first = results[0]
    return {
        "available": True,
        "basis": "config" if first.architecture is not None else "params",
        "params": first.params.total,
        "active_params": first.params.active,
        "context": first.inference.context,
        "inference_total_bytes": {r.inference.dtype: r.inference.total_bytes for r in results},
        "inference_is_lower_bound": first.inference.total_is_lower_bound,
        "training": {
            method: {
                "trainable_params": memory.trainable_params,
                "total_bytes": memory.total_bytes,
                "total_is_lower_bound": memory.total_is_lower_bound,
                "storage_per_task_bytes": memory.storage_per_task_bytes,
            }
            for method, memory in first.training.items()
        },
        "command": f"modelcat estimate {model.id}",
    }


def params_bound(hardware: Hardware, dtypes: Sequence[str], context: int | None) -> int:
    """The largest parameter count that could fit at any of ``dtypes`` (an SQL pre-filter).

    A bare parameter count needs less than the same model with its config (no KV cache, no
    activations), so no model above this bound can fit.
    """
    from catalog.fit_filter import max_params_that_fit

    return max(max_params_that_fit(hardware=hardware, dtype=d, context=context) for d in dtypes)


def fitting_models(
    cat: Catalog,
    filters: Filters,
    *,
    hardware: Hardware,
    sort: Sort,
    dtype: str | None = None,
    context: int | None = None,
    top: int | None = None,
    page_size: int = PAGE_SIZE,
) -> list[tuple[Model, ModelFit]]:
    """Models matching ``filters`` whose inference fits one device, in ``sort`` order.

    API-only models are left out (they run at the vendor), and so are models of unknown size
    (nothing shows they fit). Pages of the ranked query are judged until ``top`` models fit.

    Raises:
        UsageError: an unknown dtype or a bad context.
    """
    from catalog.estimate import weight_format
    from catalog.schema import ACCESS_MODES

    dtypes = AUTO_DTYPES if dtype is None or dtype == "auto" else (weight_format(dtype).name,)
    bound = params_bound(hardware, dtypes, context)
    access = tuple(a for a in (filters.access or ACCESS_MODES) if a != "api")
    limit = bound if filters.max_params is None else min(bound, filters.max_params)
    if not access or (filters.min_params or 0) > limit:
        return []
    narrowed = dataclasses.replace(filters, access=access, max_params=limit)
    found: list[tuple[Model, ModelFit]] = []
    offset = 0
    while top is None or len(found) < top:
        page = cat.query(narrowed, sort=sort, top=page_size, offset=offset)
        for model in page:
            verdict = model_fit(model, hardware, dtype=dtype, context=context, cat=cat)
            if verdict.kept:
                found.append((model, verdict))
                if top is not None and len(found) >= top:
                    break
        if len(page) < page_size:
            break
        offset += page_size
    return found


__all__ = [
    "AUTO_DTYPES",
    "FitLevelOrNA",
    "ModelFit",
    "config_with_source",
    "estimate_for",
    "estimate_summary",
    "fitting_models",
    "model_config",
    "model_fit",
    "params_bound",
]

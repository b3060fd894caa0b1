"""Will a catalog model run here? One verdict per model, shared by ``shortlist --fits``, the fit
column of the TUI, the advisor and ``show``.

The verdict is the inference memory of :mod:`catalog.fit.coefficients` (from the synced
config.json where there is one, the curated config otherwise, else the parameter count alone)
judged on ONE device (:func:`catalog.fit.hardware.fit`: the best GPU or the available RAM, never a
sum of GPUs). The search engine keeps exactly the models this verdict keeps: its SQL condition is
built from the same formula. Without a config the KV cache and activations are unknown, so the
requirement is a lower bound and the verdict says it is approximate. API-only models run at their
vendor: their level is ``n/a``.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any, Literal

from catalog.errors import EstimateError, UsageError
from catalog.fit.coefficients import curated_config

if TYPE_CHECKING:
    from catalog.api import Catalog
    from catalog.domain import Model
    from catalog.estimate import Estimate
    from catalog.fit.coefficients import FitCoefficients
    from catalog.fit.hardware import FitResult, Hardware

FitLevelOrNA = Literal["fits", "tight", "no", "n/a"]
Basis = Literal["config", "params", "none"]


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
    config = curated_config(model)
    if config is None:
        return None, "none"
    where = model.sources.get("config")
    return config, "the curated config in data/models.yaml" + (f" ({where})" if where else "")


def model_config(cat: Catalog | None, model: Model) -> dict[str, Any] | None:
    """The ``config.json`` numbers to estimate ``model`` from (see :func:`config_with_source`)."""
    return config_with_source(cat, model)[0]


def model_fit(
    model: Model,
    hardware: Hardware,
    *,
    dtype: str | None = None,
    context: int | None = None,
    coefficients: FitCoefficients | None = None,
    cat: Catalog | None = None,
) -> ModelFit:
    """Judge whether ``model``'s inference estimate fits one device of ``hardware``.

    Args:
        model: a catalog model.
        hardware: the machine (``catalog.fit.hardware.detect_hardware``, overridable).
        dtype: a weight format (``bf16``, ``int4``, ``q4_k_m``...), or ``None``/``"auto"`` for the most
            precise of bf16, int8, int4 that fits (int4 is reported when none does).
        context: tokens per sequence (default 4096, capped by the model's maximum).
        coefficients: the model's stored coefficients (a search result carries them); computed
            from its config (``cat``: the config stored by a Hub sync) when not given.
        cat: the catalog, to read the config stored by a Hub sync.

    Returns:
        The :class:`ModelFit`; ``n/a`` for API-only models and models of unknown size.

    Raises:
        UsageError: an unknown dtype or a bad context.
    """
    from catalog.fit.coefficients import coefficients_for
    from catalog.search.filters import AUTO_DTYPES

    if context is not None and context <= 0:
        raise UsageError(f"`context` must be a positive number of tokens, got {context}")
    if model.is_api:
        vendor = model.api.vendor if model.api is not None else model.publisher
        return ModelFit(model.id, "n/a", note=f"API-only: runs at {vendor}, nothing to load here")
    if coefficients is None:
        config = model_config(cat, model)
        coefficients = coefficients_for(config=config, params=model.params)
    if coefficients is None:
        return ModelFit(model.id, "n/a", note="neither a config nor a parameter count is known")
    dtypes = AUTO_DTYPES if dtype in (None, "auto") else (str(dtype),)
    # The first dtype that fits, else the first that fits tightly, else the last one tried.
    chosen, verdict, tight = "", None, None
    for chosen in dtypes:
        verdict = _device_fit(coefficients, hardware, chosen, context)
        if verdict.level == "fits":
            break
        if verdict.level == "tight" and tight is None:
            tight = chosen, verdict
    else:
        if tight is not None:
            chosen, verdict = tight
    assert verdict is not None
    approximate = coefficients.basis == "params"
    notes = [coefficients.note] if coefficients.note else []
    if approximate:
        notes.append(
            "approximate: parameter count only (no config), weights + runtime, no KV cache"
        )
    return ModelFit(
        model=model.id,
        level=verdict.level,
        dtype=weight_name(chosen),
        device=verdict.device,
        device_name=verdict.device_name,
        required_bytes=verdict.required_bytes,
        available_bytes=verdict.available_bytes,
        headroom=round(verdict.headroom, 4),
        basis=coefficients.basis,
        approximate=approximate,
        note="; ".join(notes) or None,
    )


def _device_fit(
    coefficients: FitCoefficients, hardware: Hardware, dtype: str, context: int | None
) -> FitResult:
    from catalog.fit.coefficients import model_required_bytes
    from catalog.fit.hardware import fit

    required = model_required_bytes(coefficients, dtype=dtype, context=context)
    return fit(required_bytes=required, hardware=hardware)


def weight_name(dtype: str) -> str:
    """The canonical name of a weight format (``BF16`` -> ``bf16``)."""
    from catalog.estimate import weight_format

    return weight_format(dtype).name


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
    without_config = "no config known"
    if config is not None and model.kind != "decoder":
        # the layouts and KV-cache formulas describe decoder LLMs: BERT or T5 would be mis-read
        without_config = f"an {model.kind} model: the config's layout is not a decoder's"
        config = None
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
    notes.append(f"parameter count only: {model.params:,} from the catalog ({without_config})")
    return dataclasses.replace(result, assumptions=(*notes, *result.assumptions))


__all__ = [
    "FitLevelOrNA",
    "ModelFit",
    "config_with_source",
    "estimate_for",
    "model_config",
    "model_fit",
    "weight_name",
]

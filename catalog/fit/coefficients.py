"""A model's inference memory as a few numbers, so "fits one device" is one rule everywhere.

Inference memory is linear in the context: weights (by dtype) + context x (KV cache + prefill
activations per token) + a fixed part (last-token logits) + the runtime's reserve. The store keeps
these coefficients per model, computed from the config that applies (the synced ``config.json``
where there is one, the curated config otherwise, else the parameter count alone), so:

- SQL decides "fits at dtype D and context C" for every row, however many (:func:`fits_condition`
  in ``catalog.store.model_queries`` builds it from :func:`required_bytes`);
- Python computes the same figure for the fit column and ``shortlist --fits`` (:func:`required_bytes`
  on plain numbers).

:func:`required_bytes` is written once and works on ints and on SQL column expressions alike.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from catalog.errors import EstimateError

if TYPE_CHECKING:
    from catalog.domain import Model

Basis = Literal["config", "params"]

RUNTIME_BYTES = 512 * 1024**2
"""The runtime's fixed reserve (``catalog.estimate.memory.RUNTIME_OVERHEAD_BYTES``)."""
DEFAULT_CONTEXT = 4096
"""Tokens assumed when no context is given (capped by the model's maximum)."""
LOGIT_BYTES = 4


@dataclass(frozen=True)
class FitCoefficients:
    """What a model's inference memory is made of (see the module docstring).

    Attributes:
        basis: ``config`` (architecture numbers) or ``params`` (a bare count: no KV cache or
            activations, so the requirement is a lower bound).
        total: parameters (tied matrices once, every expert counted).
        linear: the decoder's weight matrices, which int8/int4 quantisers compress.
        kv: KV-cache elements per token (``2 x kv_heads x head_dim x layers``).
        act: elements alive at the prefill peak, per token.
        fixed: bytes that do not grow with the context (the last token's float32 logits).
        max_context: the longest context the config states (caps the default context).
        note: why the basis is ``params`` although a config was known (it could not be used).
    """

    basis: Basis
    total: int
    linear: int
    kv: int = 0
    act: int = 0
    fixed: int = 0
    max_context: int | None = None
    note: str | None = None

    def columns(self) -> dict[str, Any]:
        """The ``model`` table's ``fit_*`` column values."""
        return {
            "fit_basis": self.basis,
            "fit_total": self.total,
            "fit_linear": self.linear,
            "fit_kv": self.kv,
            "fit_act": self.act,
            "fit_fixed": self.fixed,
            "fit_max_context": self.max_context,
        }

    @classmethod
    def from_columns(cls, values: Mapping[str, Any]) -> FitCoefficients | None:
        """Back from the ``fit_*`` columns (None when the model has no basis: API or unknown size)."""
        basis = values.get("fit_basis")
        if basis not in ("config", "params"):
            return None
        return cls(
            basis=basis,
            total=int(values["fit_total"]),
            linear=int(values["fit_linear"]),
            kv=int(values["fit_kv"] or 0),
            act=int(values["fit_act"] or 0),
            fixed=int(values["fit_fixed"] or 0),
            max_context=values.get("fit_max_context"),
        )


EMPTY_COLUMNS: dict[str, Any] = {
    "fit_basis": None,
    "fit_total": None,
    "fit_linear": None,
    "fit_kv": None,
    "fit_act": None,
    "fit_fixed": None,
    "fit_max_context": None,
}
"""The ``fit_*`` columns of a model nothing can be estimated for (API-only, unknown size)."""


def coefficients_for(
    *, config: Mapping[str, Any] | None, params: int | None, is_api: bool = False
) -> FitCoefficients | None:
    """The coefficients from a config (analytic formulas), else from a parameter count.

    Returns:
        None for API-only models and models with neither a usable config nor a count.
    """
    if is_api:
        return None
    note = None
    if config is not None:
        try:
            return _from_config(config)
        except EstimateError as error:
            note = f"config unusable ({error})"
    if params:
        return FitCoefficients(basis="params", total=params, linear=params, note=note)
    return None


def _from_config(config: Mapping[str, Any]) -> FitCoefficients:
    from catalog.estimate import resolve
    from catalog.estimate.memory import prefill_elements_per_token

    resolved = resolve(config=config, exact=False)
    arch = resolved.arch
    assert arch is not None  # a config always gives an architecture
    count = resolved.count
    return FitCoefficients(
        basis="config",
        total=count.total,
        linear=count.linear_weights,
        kv=arch.kv_width * arch.num_layers,
        act=prefill_elements_per_token(arch),
        fixed=arch.vocab_size * LOGIT_BYTES,
        max_context=arch.max_context or None,
    )


def curated_config(model: Model) -> dict[str, Any] | None:
    """The curated ``config`` numbers of ``model``, with ``model_type`` from its ``architecture``
    when the curated block names neither a type nor an architecture class."""
    if not model.config:
        return None
    config = dict(model.config)
    if model.architecture and "model_type" not in config and "architectures" not in config:
        config["model_type"] = model.architecture
    return config


def model_coefficients(
    model: Model, *, synced_config: Mapping[str, Any] | None = None
) -> FitCoefficients | None:
    """The coefficients of ``model``: from the synced config.json when given, else the curated
    config, else the parameter count (the one rule for every fit judgment)."""
    config = synced_config if synced_config else curated_config(model)
    return coefficients_for(config=config, params=model.params, is_api=model.is_api)


def context_tokens(max_context: int | None, context: int | None) -> int:
    """Tokens judged: ``context`` when given, else 4096 capped by the model's maximum."""
    if context is not None:
        return context
    return min(DEFAULT_CONTEXT, max_context) if max_context else DEFAULT_CONTEXT


def required_bytes(
    *, total: Any, linear: Any, kv: Any, act: Any, fixed: Any, tokens: Any, dtype: str
) -> Any:
    """Inference memory at ``dtype`` for ``tokens`` of context: weights + per-token + fixed + runtime.

    The arguments are numbers (Python) or column expressions (SQL): the one formula serves both.

    Raises:
        UsageError: an unknown dtype.
    """
    from catalog.estimate import weight_format

    fmt = weight_format(dtype)
    if fmt.family == "bitsandbytes":
        weights = linear * fmt.linear_bytes + (total - linear) * fmt.other_bytes
    else:
        weights = total * fmt.linear_bytes
    activation_bytes = 4 if fmt.name == "fp32" else 2
    per_token = kv * fmt.kv_bytes + act * activation_bytes
    return weights + tokens * per_token + fixed + RUNTIME_BYTES


def model_required_bytes(coefficients: FitCoefficients, *, dtype: str, context: int | None) -> int:
    """:func:`required_bytes` of one model, in bytes."""
    c = coefficients
    tokens = context_tokens(c.max_context, context)
    value = required_bytes(
        total=c.total,
        linear=c.linear,
        kv=c.kv,
        act=c.act,
        fixed=c.fixed,
        tokens=tokens,
        dtype=dtype,
    )
    return int(round(value))


__all__ = [
    "DEFAULT_CONTEXT",
    "EMPTY_COLUMNS",
    "RUNTIME_BYTES",
    "FitCoefficients",
    "coefficients_for",
    "context_tokens",
    "curated_config",
    "model_coefficients",
    "model_required_bytes",
    "required_bytes",
]

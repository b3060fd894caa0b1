"""Parameter counts: total, active (mixture of experts), and LoRA trainable.

Totals come from the per-family formulas (:mod:`catalog.estimate.families`), exact for every family
they know; :mod:`catalog.estimate.meta` builds the model on the meta device for a family they do not
know, or when an exact count is asked for.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from catalog.errors import EstimateError
from catalog.estimate.layouts import Layout, Linear

CountMethod = Literal["formula", "exact", "given"]


@dataclass(frozen=True)
class ParamCount:
    """How many parameters a model has, split by role.

    Attributes:
        total: every parameter, tied matrices counted once.
        active: parameters one token runs through (``total`` for a dense model).
        embedding: token and position embeddings (and an embedding norm).
        lm_head: the output projection (only its bias, if any, when tied to the embedding).
        linear_weights: weight matrices inside the decoder layers, every expert included: what
            int8/int4 quantisers compress.
        largest_linear: elements of the largest single matrix (the buffer QLoRA dequantises into).
        method: ``"exact"`` (transformers on the meta device), ``"formula"`` or ``"given"`` (a bare count).
    """

    total: int
    active: int
    embedding: int
    lm_head: int
    linear_weights: int
    largest_linear: int
    method: CountMethod

    @property
    def unquantised(self) -> int:
        """Parameters a bitsandbytes-style quantiser keeps in 16 bits (embeddings, head, norms, biases)."""
        return self.total - self.linear_weights


def count_layout(layout: Layout) -> ParamCount:
    """Count the parameters of ``layout`` (method ``"formula"``)."""
    total = active = linear = 0
    largest = 0
    for group in layout.groups:
        per_layer = per_layer_active = group.other
        for lin in group.linears:
            per_layer += lin.weight_params + lin.bias_params
            share = lin.active_fraction_copies
            per_layer_active += (
                lin.in_features * lin.out_features + (lin.out_features if lin.bias else 0)
            ) * share
            linear += lin.weight_params * group.count
            largest = max(largest, lin.in_features * lin.out_features)
        total += per_layer * group.count
        active += per_layer_active * group.count
    outside = layout.embedding + layout.final_norm + layout.lm_head
    return ParamCount(
        total=total + outside,
        active=active + outside,
        embedding=layout.embedding,
        lm_head=layout.lm_head,
        linear_weights=linear,
        largest_linear=largest,
        method="formula",
    )


def with_exact_total(count: ParamCount, exact_total: int) -> ParamCount:
    """``count`` with its total replaced by an exact figure; the active count moves by the same amount."""
    delta = exact_total - count.total
    return ParamCount(
        total=exact_total,
        active=count.active + delta,
        embedding=count.embedding,
        lm_head=count.lm_head,
        linear_weights=count.linear_weights,
        largest_linear=count.largest_linear,
        method="exact",
    )


ALL_LINEAR = "all-linear"
"""LoRA on every linear map of the decoder layers (peft's ``all-linear``, experts included)."""

DEFAULT_TARGETS: tuple[str, ...] = ("q_proj", "v_proj")
"""LoRA targets when none are given: the query and value projections (fused modules that cover them)."""


def _matches(lin: Linear, target: str) -> bool:
    if lin.expert:
        # fused expert parameters are only adapted when named explicitly (peft's target_parameters)
        return "experts." in target and (lin.name == target or lin.name.endswith("." + target))
    return lin.name == target or lin.name.endswith("." + target) or target in lin.covers


def lora_targets(layout: Layout, targets: str | Sequence[str]) -> list[Linear]:
    """The linear maps of one layer of each group that LoRA adapts for ``targets``.

    Args:
        layout: the model's layout.
        targets: ``"all-linear"``, or module names matched like peft does (a name equals a target or
            ends with ``"." + target``). An unfused name also selects the fused module implementing
            it: ``q_proj`` selects Falcon's ``query_key_value`` and GPT-2's ``c_attn`` (once, even when
            ``v_proj`` is also given). Routed experts are matched by ``all-linear`` or by names that
            start with ``experts.`` (``experts.gate_up_proj``).

    Returns:
        The distinct matched :class:`Linear` entries.

    Raises:
        EstimateError: ``targets`` is empty or matches no module.
    """
    names = [targets] if isinstance(targets, str) else list(targets)
    names = [name.strip() for name in names for name in name.split(",") if name.strip()]
    if not names:
        raise EstimateError(
            "lora_targets is empty: give module names such as q_proj,v_proj or all-linear"
        )
    matched: dict[str, Linear] = {}
    for group in layout.groups:
        for lin in group.linears:
            if ALL_LINEAR in names or any(_matches(lin, name) for name in names):
                matched.setdefault(lin.name, lin)
    if not matched:
        available = sorted(
            {lin.name.rsplit(".", 1)[-1] for g in layout.groups for lin in g.linears}
        )
        raise EstimateError(
            f"lora_targets {','.join(names)!r} match no module of this model; it has: {', '.join(available)}"
        )
    return list(matched.values())


def lora_params(layout: Layout, *, rank: int, targets: str | Sequence[str]) -> int:
    """Trainable LoRA parameters: ``rank x (in + out)`` for every adapted matrix (every expert copy).

    Raises:
        EstimateError: the rank is not positive or the targets match nothing.
    """
    if type(rank) is not int or rank <= 0:
        raise EstimateError(f"lora_rank must be a positive integer, got {rank!r}")
    chosen = {lin.name for lin in lora_targets(layout, targets)}
    total = 0
    for group in layout.groups:
        for lin in group.linears:
            if lin.name in chosen:
                total += (
                    rank
                    * lin.rank_factor
                    * (lin.in_features + lin.out_features)
                    * lin.copies
                    * group.count
                )
    return total


def lora_adapted_inputs(layout: Layout, *, targets: str | Sequence[str]) -> tuple[int, int]:
    """Per token: the summed input widths of every adapted module instance, and how many there are.

    A routed expert counts for the ``experts_per_token`` copies a token runs through.
    """
    chosen = {lin.name for lin in lora_targets(layout, targets)}
    inputs = modules = 0
    for group in layout.groups:
        for lin in group.linears:
            if lin.name in chosen:
                copies = lin.active_fraction_copies if lin.expert else 1
                inputs += lin.in_features * copies * group.count
                modules += copies * lin.rank_factor * group.count
    return inputs, modules

"""The weight matrices of each model family, as transformers builds them.

A :class:`Layout` lists, for one decoder layer, every linear map with its shape and module name, plus
the small parameters around them (norms, routers). One description serves three purposes: the
parameter count (total and active), the LoRA trainable count (``rank x (in + out)`` per targeted
module), and the split between quantisable matrices and the tensors a quantiser leaves in 16 bits.

Module names follow transformers 5: routed experts are fused 3-D parameters
(``experts.gate_up_proj``, ``experts.down_proj``), not one ``nn.Linear`` per expert.
"""

from __future__ import annotations

from dataclasses import dataclass

from catalog.errors import EstimateError
from catalog.estimate.architecture import Architecture


@dataclass(frozen=True)
class Linear:
    """One linear map inside a decoder layer.

    Attributes:
        name: module path inside the layer, as transformers names it (``"self_attn.q_proj"``).
        in_features: input width.
        out_features: output width.
        bias: whether the map has a bias vector.
        copies: how many copies each layer holds (the routed experts of a MoE layer).
        active: how many copies one token uses (``None``: all of them).
        covers: the unfused projections a fused module implements (``query_key_value`` covers
            ``q_proj``, ``k_proj``, ``v_proj``), so LoRA targets can name either.
        expert: a fused expert parameter rather than an ``nn.Linear`` module.
        rank_factor: LoRA rank multiplier; peft gives a fused ``gate_up_proj`` of experts twice the
            rank, so that gate and up each keep rank r as they had unfused.
    """

    name: str
    in_features: int
    out_features: int
    bias: bool = False
    copies: int = 1
    active: int | None = None
    covers: tuple[str, ...] = ()
    expert: bool = False
    rank_factor: int = 1

    @property
    def weight_params(self) -> int:
        """Elements of the weight matrices (all copies)."""
        return self.in_features * self.out_features * self.copies

    @property
    def bias_params(self) -> int:
        """Elements of the bias vectors (all copies)."""
        return self.out_features * self.copies if self.bias else 0

    @property
    def active_fraction_copies(self) -> int:
        """Copies a single token runs through (never more than there are)."""
        return self.copies if self.active is None else min(self.active, self.copies)


@dataclass(frozen=True)
class LayerGroup:
    """``count`` identical decoder layers."""

    count: int
    linears: tuple[Linear, ...]
    other: int
    """Parameters of one layer outside its linear maps: norms, router weights."""


@dataclass(frozen=True)
class Layout:
    """Every parameter of a causal language model, grouped by role."""

    embedding: int
    """Token and position embeddings, and any norm applied right after them."""
    groups: tuple[LayerGroup, ...]
    final_norm: int
    lm_head: int
    """The output projection (0 when tied to the embedding)."""


def lm_head_params(arch: Architecture, *, bias: bool = False) -> int:
    """Parameters of the output projection: only its bias when the matrix is tied to the
    embedding (tying shares the weight, not the bias)."""
    weight = 0 if arch.tied_embeddings else arch.vocab_size * arch.hidden_size
    return weight + (arch.vocab_size if bias else 0)


def config_flag(arch: Architecture, key: str, default: bool) -> bool:
    """A boolean config flag, ``default`` when absent or null."""
    value = arch.raw.get(key, default)
    return bool(default if value is None else value)


def positive_field(arch: Architecture, key: str, *, default: int | None = None) -> int:
    """A size the family reads straight from the config: a positive integer, or ``default`` when
    absent or null (0 is accepted where the default is 0, meaning "none").

    Raises:
        EstimateError: the field is required and absent, or not a non-negative integer.
    """
    value = arch.raw.get(key)
    if value is None:
        if default is None:
            raise EstimateError(
                f"config field {key!r} is required for model_type {arch.model_type!r}"
            )
        return default
    if type(value) is not int or value < (0 if default == 0 else 1):
        raise EstimateError(f"config field {key!r} must be a positive integer, got {value!r}")
    return value


def attention_qkvo(
    arch: Architecture, *, bias: bool, o_bias: bool, prefix: str = "self_attn", o: str = "o_proj"
) -> list[Linear]:
    """Separate Q, K, V and output projections (K and V sized by the KV heads)."""
    h, q, kv = arch.hidden_size, arch.num_heads * arch.head_dim, arch.num_kv_heads * arch.head_dim
    return [
        Linear(f"{prefix}.q_proj", h, q, bias),
        Linear(f"{prefix}.k_proj", h, kv, bias),
        Linear(f"{prefix}.v_proj", h, kv, bias),
        Linear(f"{prefix}.{o}", q, h, o_bias),
    ]


def gated_mlp(h: int, width: int, *, prefix: str = "mlp", bias: bool = False) -> list[Linear]:
    """A gated MLP: gate, up and down projections."""
    return [
        Linear(f"{prefix}.gate_proj", h, width, bias),
        Linear(f"{prefix}.up_proj", h, width, bias),
        Linear(f"{prefix}.down_proj", width, h, bias),
    ]


def plain_mlp(h: int, width: int, up: str, down: str, *, bias: bool) -> list[Linear]:
    """A two-matrix MLP with the family's module names."""
    return [Linear(f"mlp.{up}", h, width, bias), Linear(f"mlp.{down}", width, h, bias)]


def routed_experts(
    arch: Architecture,
    prefix: str = "mlp",
    *,
    router: str = "gate",
    router_bias: bool = False,
    bias: bool = False,
) -> list[Linear]:
    """The router and the fused expert weights of a mixture-of-experts layer.

    Args:
        arch: the architecture (experts, experts per token, expert width).
        prefix: the module holding router and experts (``"mlp"``, ``"block_sparse_moe"``).
        router: the router's module name inside ``prefix``.
        router_bias: whether the router has a bias vector.
        bias: whether each expert's projections have bias vectors (gpt-oss).
    """
    h, width, count, active = (
        arch.hidden_size,
        arch.expert_ffn_size,
        arch.num_experts,
        arch.experts_per_token,
    )
    gate_up = Linear(
        f"{prefix}.experts.gate_up_proj",
        h,
        2 * width,
        bias,
        copies=count,
        active=active,
        expert=True,
        rank_factor=2,
    )
    down = Linear(
        f"{prefix}.experts.down_proj", width, h, bias, copies=count, active=active, expert=True
    )
    return [Linear(f"{prefix}.{router}", h, count, router_bias), gate_up, down]


def single_group(
    arch: Architecture,
    linears: list[Linear],
    other: int,
    *,
    embedding: int | None = None,
    final_norm: int | None = None,
    head_bias: bool = False,
) -> Layout:
    """A layout whose layers are all alike, with the usual embedding, final norm and head."""
    h = arch.hidden_size
    return Layout(
        embedding=arch.vocab_size * h if embedding is None else embedding,
        groups=(LayerGroup(arch.num_layers, tuple(linears), other),),
        final_norm=h if final_norm is None else final_norm,
        lm_head=lm_head_params(arch, bias=head_bias),
    )


def fused_qkv(name: str, h: int, out: int, bias: bool) -> Linear:
    """One fused Q/K/V projection, which LoRA targets ``q_proj``/``k_proj``/``v_proj`` select."""
    return Linear(name, h, out, bias, covers=("q_proj", "k_proj", "v_proj"))


def neox_style(arch: Architecture, prefix: str, *, bias: bool, mlp_bias: bool) -> list[Linear]:
    """GPT-NeoX-style block: fused ``query_key_value``, ``dense`` and a two-matrix MLP."""
    h = arch.hidden_size
    qkv = (arch.num_heads + 2 * arch.num_kv_heads) * arch.head_dim
    return [
        fused_qkv(f"{prefix}.query_key_value", h, qkv, bias),
        Linear(f"{prefix}.dense", h, h, bias),
        *plain_mlp(h, arch.ffn_size, "dense_h_to_4h", "dense_4h_to_h", bias=mlp_bias),
    ]

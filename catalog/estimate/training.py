"""Training memory and trainable parameters for each adaptation method, on one device.

Every method is costed the same way: weights + gradients + optimizer states + activations + overhead,
and each also says what one more task costs to store (a model copy, an adapter, a soft prompt, nothing).
Mixed precision with AdamW is assumed: 16 bytes per trained parameter (bf16 weights and gradients,
an fp32 master copy, two fp32 Adam moments), as in the ZeRO paper's accounting.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any, Literal

from catalog.estimate.architecture import Architecture
from catalog.estimate.dtypes import FORMATS
from catalog.estimate.layouts import Layout
from catalog.estimate.memory import RUNTIME_OVERHEAD_BYTES, InferenceMemory
from catalog.estimate.params import ParamCount, lora_adapted_inputs, lora_params

Method = Literal["full", "lora", "qlora", "prompt_tuning", "prompt_engineering"]
METHODS: tuple[Method, ...] = ("full", "lora", "qlora", "prompt_tuning", "prompt_engineering")

BF16 = 2
ADAPTER_BYTES = 4
"""peft keeps adapters and soft prompts in float32 (``autocast_adapter_dtype=True``) and saves them so."""
ADAM_STATES_BYTES = 8
"""Two float32 moments per trained parameter."""
MASTER_BYTES = 4
"""The float32 master copy mixed-precision training keeps of every trained bf16 weight."""
LOGIT_TRAINING_BYTES = 10
"""Per logit during training: bf16 logits (2) + the float32 upcast (4) + float32 log-softmax (4)."""


@dataclass(frozen=True)
class TrainingMemory:
    """Peak memory to train with one method, its parts, and the storage cost of one more task.

    Byte fields are ``None`` when they cannot be known (a bare parameter count has no shapes).
    """

    method: Method
    trainable_params: int | None
    weights_bytes: int | None
    gradients_bytes: int | None
    optimizer_bytes: int | None
    activations_bytes: int | None
    overhead_bytes: int
    total_bytes: int | None
    storage_per_task_bytes: int | None
    storage_per_task: str
    gradient_checkpointing: bool | None = None
    activations_checkpointed_bytes: int | None = None
    activations_without_checkpointing_bytes: int | None = None
    seq_len: int | None = None
    micro_batch: int | None = None
    total_is_lower_bound: bool = False

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready dict of every field."""
        return asdict(self)


@dataclass(frozen=True)
class TrainingSetup:
    """What every method shares: the batch shape and the options."""

    seq_len: int
    micro_batch: int
    gradient_checkpointing: bool
    lora_rank: int
    lora_targets: str | Sequence[str]
    virtual_tokens: int


def layer_activation_bytes(arch: Architecture) -> int:
    """Bytes autograd keeps per token for one decoder layer (bf16, fused attention, no dropout).

    Attention: both norm inputs' residuals (2h), the projection input (h), Q, K, V and the attention
    output, plus the float32 log-sum-exp per head. MLP: its input (h) and the intermediates (gated:
    gate, up, activated gate, product = 4 x width; plain: projection and activation = 2 x width); a
    mixture of experts stores those for each of the token's experts and its shared experts, and the
    router's float32 logits.
    """
    h = arch.hidden_size
    q = arch.num_heads * arch.head_dim
    kv = arch.kv_width // 2
    per_width = 4 if arch.gated_mlp else 2
    if arch.is_moe:
        routed = arch.experts_per_token * (h + per_width * arch.expert_ffn_size)
        mlp = routed + per_width * arch.shared_expert_ffn_size + 2 * arch.num_experts
    else:
        mlp = per_width * arch.ffn_size
    elements = 3 * h + q + 2 * kv + q + h + mlp
    return elements * BF16 + 4 * arch.num_heads


def activation_bytes(arch: Architecture, *, tokens: int, checkpointing: bool) -> int:
    """Activations kept for the backward pass of ``tokens`` tokens (sequence x micro-batch).

    Without checkpointing every layer keeps its activations. With it (one checkpoint per decoder
    layer, as transformers does) each layer keeps only its input and one layer is recomputed at a time.
    Both include the logits of the loss (:data:`LOGIT_TRAINING_BYTES` each).
    """
    per_layer = layer_activation_bytes(arch)
    logits = tokens * arch.vocab_size * LOGIT_TRAINING_BYTES
    if checkpointing:
        return tokens * (arch.num_layers * arch.hidden_size * BF16 + per_layer) + logits
    return tokens * arch.num_layers * per_layer + logits


def _activations(arch: Architecture, tokens: int, setup: TrainingSetup) -> tuple[int, int, int]:
    on = activation_bytes(arch, tokens=tokens, checkpointing=True)
    off = activation_bytes(arch, tokens=tokens, checkpointing=False)
    return (on if setup.gradient_checkpointing else off), on, off


def _method(
    method: Method,
    trainable: int | None,
    weights: int | None,
    activations: tuple[int, int, int] | None,
    setup: TrainingSetup,
    storage: tuple[int | None, str],
    extra_overhead: int = 0,
) -> TrainingMemory:
    optimizer = gradients = None
    if trainable is not None:
        per_state = BF16 if method == "full" else ADAPTER_BYTES
        gradients = trainable * per_state
        optimizer = trainable * (ADAM_STATES_BYTES + (MASTER_BYTES if method == "full" else 0))
    overhead = RUNTIME_OVERHEAD_BYTES + extra_overhead
    parts = [weights, gradients, optimizer, None if activations is None else activations[0]]
    known = [part for part in parts if part is not None]
    total = sum(known) + overhead if weights is not None else None
    return TrainingMemory(
        method=method,
        trainable_params=trainable,
        weights_bytes=weights,
        gradients_bytes=gradients,
        optimizer_bytes=optimizer,
        activations_bytes=None if activations is None else activations[0],
        overhead_bytes=overhead,
        total_bytes=total,
        storage_per_task_bytes=storage[0],
        storage_per_task=storage[1],
        gradient_checkpointing=setup.gradient_checkpointing,
        activations_checkpointed_bytes=None if activations is None else activations[1],
        activations_without_checkpointing_bytes=None if activations is None else activations[2],
        seq_len=setup.seq_len,
        micro_batch=setup.micro_batch,
        total_is_lower_bound=len(known) < len(parts),
    )


def training_memory(
    *,
    count: ParamCount,
    arch: Architecture | None,
    layout: Layout | None,
    setup: TrainingSetup,
    prompt_engineering: InferenceMemory,
) -> dict[Method, TrainingMemory]:
    """Memory and trainable parameters for every method in :data:`METHODS`.

    Args:
        count: the parameter count.
        arch: the architecture (``None`` for a bare count: shape-dependent parts become ``None``).
        layout: the layer layout (LoRA needs it).
        setup: sequence length, micro-batch and method options.
        prompt_engineering: the inference estimate that prompt engineering costs (nothing is trained).
    """
    n = count.total
    tokens = setup.seq_len * setup.micro_batch
    base_acts = None if arch is None else _activations(arch, tokens, setup)
    full = _method("full", n, n * BF16, base_acts, setup, (n * BF16, "a full model copy (bf16)"))

    lora_n = qlora_weights = None
    lora_acts: tuple[int, int, int] | None = None
    dequant = 0
    if arch is not None and layout is not None:
        lora_n = lora_params(layout, rank=setup.lora_rank, targets=setup.lora_targets)
        # LoRA dropout keeps a copy of each adapted module's input, and lora_A's rank-wide output;
        # with checkpointing only the layer being recomputed holds them.
        inputs, modules = lora_adapted_inputs(layout, targets=setup.lora_targets)
        extra = tokens * (inputs + modules * setup.lora_rank) * BF16
        if base_acts is not None:
            on, off = base_acts[1] + extra // arch.num_layers, base_acts[2] + extra
            lora_acts = ((on if setup.gradient_checkpointing else off), on, off)
        nf4 = FORMATS["int4"]
        qlora_weights = round(count.linear_weights * nf4.linear_bytes + count.unquantised * BF16)
        dequant = count.largest_linear * BF16  # one matrix dequantised to bf16 at a time
    adapter = (None if lora_n is None else lora_n * ADAPTER_BYTES, "a LoRA adapter (float32)")
    lora = _method(
        "lora",
        lora_n,
        None if lora_n is None else n * BF16 + lora_n * ADAPTER_BYTES,
        lora_acts,
        setup,
        adapter,
    )
    qlora = _method(
        "qlora",
        lora_n,
        None if lora_n is None or qlora_weights is None else qlora_weights + lora_n * ADAPTER_BYTES,
        lora_acts,
        setup,
        adapter,
        extra_overhead=dequant,
    )

    prompt_n = prompt_acts = None
    if arch is not None:
        prompt_n = setup.virtual_tokens * arch.hidden_size
        prompt_tokens = (setup.seq_len + setup.virtual_tokens) * setup.micro_batch
        prompt_acts = _activations(arch, prompt_tokens, setup)
    prompt = _method(
        "prompt_tuning",
        prompt_n,
        n * BF16 + (prompt_n or 0) * ADAPTER_BYTES,
        prompt_acts,
        setup,
        (None if prompt_n is None else prompt_n * ADAPTER_BYTES, "a soft prompt (float32)"),
    )
    pe = prompt_engineering
    nothing = TrainingMemory(
        method="prompt_engineering",
        trainable_params=0,
        weights_bytes=pe.weights_bytes,
        gradients_bytes=0,
        optimizer_bytes=0,
        activations_bytes=pe.activation_bytes,
        overhead_bytes=pe.overhead_bytes,
        total_bytes=pe.total_bytes,
        storage_per_task_bytes=0,
        storage_per_task="nothing (a prompt template)",
        total_is_lower_bound=pe.total_is_lower_bound,
    )
    return {
        "full": full,
        "lora": lora,
        "qlora": qlora,
        "prompt_tuning": prompt,
        "prompt_engineering": nothing,
    }

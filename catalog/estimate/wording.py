"""The assumptions behind an estimate, in words, with the arithmetic written out."""

from __future__ import annotations

from typing import TYPE_CHECKING

from catalog.estimate.dtypes import WeightFormat
from catalog.estimate.layouts import Linear
from catalog.estimate.memory import RUNTIME_OVERHEAD_BYTES, InferenceMemory
from catalog.estimate.params import lora_targets
from catalog.estimate.training import TrainingSetup
from catalog.units import format_bytes, format_count

if TYPE_CHECKING:
    from catalog.estimate.api import Resolved


def _params(resolved: Resolved) -> list[str]:
    count, arch = resolved.count, resolved.arch
    lines = []
    if count.method == "exact":
        lines.append(
            "parameters: exact count from transformers, model built on the meta device (no weights)"
        )
    elif count.method == "formula":
        lines.append(
            f"parameters: analytic formula for the {arch.model_type if arch else '?'} architecture"
        )
    if arch is not None:
        if arch.tied_embeddings:
            lines.append("the output projection is tied to the input embedding and counted once")
        if arch.num_kv_heads < arch.num_heads:
            lines.append(
                f"grouped-query attention: {arch.num_kv_heads} KV heads for {arch.num_heads} query heads "
                f"(K/V projections {arch.hidden_size} x {arch.num_kv_heads * arch.head_dim})"
            )
        if arch.is_moe:
            lines.append(
                f"mixture of experts: all {arch.num_experts} experts per layer are held in memory; "
                f"{arch.experts_per_token} run per token, so {format_count(count.active)} of "
                f"{format_count(count.total)} parameters are active"
            )
    return lines + list(resolved.notes)


def _inference(resolved: Resolved, fmt: WeightFormat, memory: InferenceMemory) -> list[str]:
    arch = resolved.arch
    lines = [f"weights: {fmt.note}"]
    if arch is not None and memory.context is not None:
        if arch.kv_width == 2 * arch.num_kv_heads * arch.head_dim:
            formula = (
                f"2 x {arch.num_layers} layers x {arch.num_kv_heads} KV heads x {arch.head_dim} head dim x "
                f"{memory.context} tokens x {memory.batch} sequence(s) x {fmt.kv_bytes:g} bytes"
            )
        else:
            formula = (
                f"{arch.kv_width} K+V elements per token and layer (multi-head latent attention, as "
                f"transformers caches it; a latent cache is smaller) x {arch.num_layers} layers x "
                f"{memory.context} tokens x {memory.batch} sequence(s) x {fmt.kv_bytes:g} bytes"
            )
        lines.append(f"KV cache = {formula} = {format_bytes(memory.kv_cache_bytes or 0)}")
        if memory.kv_cache_windowed_bytes is not None:
            lines.append(
                f"{arch.sliding_layers} layers use a {arch.sliding_window}-token sliding window: a runtime "
                f"that honours it needs {format_bytes(memory.kv_cache_windowed_bytes)} of KV cache"
            )
        if (
            arch.model_type == "falcon"
            and arch.raw.get("new_decoder_architecture")
            and arch.num_kv_heads < arch.num_heads
        ):
            lines.append(
                "transformers' Falcon caches keys/values expanded to every query head "
                f"({arch.num_heads // arch.num_kv_heads}x the figure above); vLLM and llama.cpp do not"
            )
        lines.append(
            "overhead = prefill workspace (one layer's intermediates for the whole context with "
            "scaled-dot-product attention, no context x context scores; float32 last-token logits) + "
            f"{format_bytes(RUNTIME_OVERHEAD_BYTES, binary=True)} runtime reserve (CUDA context, allocator)"
        )
    lines.append("one device: no tensor/pipeline parallelism, no CPU offload")
    return lines


def _expert_note(lin: Linear, rank: int) -> str:
    if not lin.expert:
        return ""
    fused = (
        f", rank {rank * lin.rank_factor}: gate and up fused, as peft converts them"
        if lin.rank_factor > 1
        else ""
    )
    return f" (x{lin.copies} experts{fused})"


def _training(resolved: Resolved, setup: TrainingSetup) -> list[str]:
    lines = [
        "training: AdamW with bf16 mixed precision, 16 bytes per trained parameter (bf16 weight and "
        "gradient, fp32 master copy, two fp32 moments); no ZeRO/FSDP sharding or offload",
        f"training activations for {setup.seq_len} tokens x {setup.micro_batch} sequence(s), bf16, fused "
        "attention, no dropout, loss logits in fp32; totals "
        + ("with" if setup.gradient_checkpointing else "without")
        + " gradient checkpointing (both figures listed)",
        "LoRA/QLoRA/prompt tuning: the frozen base in bf16 (QLoRA: NF4 with double quantisation, "
        "embeddings and head in bf16); adapters and soft prompts in fp32 as peft keeps them, "
        "optimizer states for them only",
    ]
    if resolved.layout is not None and resolved.arch is not None:
        chosen = lora_targets(resolved.layout, setup.lora_targets)
        names = ", ".join(lin.name + _expert_note(lin, setup.lora_rank) for lin in chosen)
        lines.append(
            f"LoRA rank {setup.lora_rank} on {names}: rank x (in + out) per matrix, every layer"
        )
        fused = [lin.name for lin in chosen if lin.covers]
        if fused:
            lines.append(
                f"fused modules adapted as a whole: {', '.join(fused)} (as peft targets them)"
            )
        lines.append(
            f"prompt tuning: {setup.virtual_tokens} virtual tokens x {resolved.arch.hidden_size} hidden = "
            f"{setup.virtual_tokens * resolved.arch.hidden_size:,} trainable parameters"
        )
    lines.append("prompt engineering trains nothing: its memory is the inference estimate")
    return lines


def describe(
    *,
    resolved: Resolved,
    fmt: WeightFormat,
    inference: InferenceMemory,
    setup: TrainingSetup,
    context_notes: list[str],
    seq_notes: list[str],
) -> tuple[str, ...]:
    """Every assumption behind an estimate, in the order a reader checks them."""
    return tuple(
        _params(resolved)
        + context_notes
        + _inference(resolved, fmt, inference)
        + seq_notes
        + _training(resolved, setup)
    )

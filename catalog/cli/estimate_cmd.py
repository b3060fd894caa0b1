"""``modelcat estimate``: parameters, inference memory and what each way of adapting a model costs.

The table view is a card: the inference breakdown, then "fine-tuning vs prompt tuning vs prompt
engineering" in numbers (trainable parameters, training memory, storage per extra task) for the
chosen model, then every assumption. JSON is ``Estimate.to_json()`` plus where the shape came from.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Annotated, Any

import typer

from catalog.cli.common import FormatOpt, open_catalog
from catalog.errors import UsageError
from catalog.render import Column, Format, emit

if TYPE_CHECKING:
    from catalog.estimate import Estimate

DtypeOpt = Annotated[
    str | None,
    typer.Option(
        "--dtype",
        help="Weight format: fp32, bf16, fp16, int8, int4 or a GGUF type (q8_0, q4_k_m, ...).",
    ),
]
ContextOpt = Annotated[
    int | None,
    typer.Option("--context", help="Inference tokens per sequence (default 4096, capped)."),
]
MemoryOpt = Annotated[
    str | None,
    typer.Option("--memory", help="Simulate this much available RAM (24GB, 32GiB)."),
]
GpuMemoryOpt = Annotated[
    str | None,
    typer.Option("--gpu-memory", help="Simulate one GPU with this much free memory (0 = no GPU)."),
]

TASKS_SHOWN = 10
"""The storage column shows what serving this many tasks from one base model costs."""

_WAYS = {
    "full": ("fine-tuning", "full"),
    "lora": ("fine-tuning", "LoRA"),
    "qlora": ("fine-tuning", "QLoRA"),
    "prompt_tuning": ("prompt tuning", "soft prompt"),
    "prompt_engineering": ("prompt engineering", "nothing trained"),
}


_COUNT_METHODS = {
    "exact": "exact count: transformers on the meta device",
    "formula": "analytic formula",
    "given": "parameter count only, no config",
}


@dataclass(frozen=True)
class _Row:
    way: str
    method: str
    key: str
    doc: dict[str, Any]
    params: int
    base_bytes: int


def estimate_command(
    ctx: typer.Context,
    model: Annotated[
        str | None,
        typer.Argument(help="Catalog id (llama-2-7b) or Hub id (meta-llama/Llama-2-7b-hf)."),
    ] = None,
    config: Annotated[
        str | None,
        typer.Option("--config", help="A transformers config.json file instead of a model."),
    ] = None,
    gguf: Annotated[
        str | None,
        typer.Option(
            "--gguf",
            help="A GGUF file instead of a model: memory for its real quantization with llama.cpp.",
        ),
    ] = None,
    dtype: DtypeOpt = None,
    context: ContextOpt = None,
    batch: Annotated[int, typer.Option("--batch", help="Inference sequences at once.")] = 1,
    seq_len: Annotated[
        int | None, typer.Option("--seq-len", help="Training tokens per sequence (default 2048).")
    ] = None,
    micro_batch: Annotated[
        int, typer.Option("--micro-batch", help="Training sequences per step.")
    ] = 1,
    lora_rank: Annotated[int, typer.Option("--lora-rank", help="LoRA rank.")] = 16,
    lora_targets: Annotated[
        str,
        typer.Option(
            "--lora-targets", help="Modules LoRA adapts: q_proj,v_proj (default) or all-linear."
        ),
    ] = "q_proj,v_proj",
    virtual_tokens: Annotated[
        int, typer.Option("--virtual-tokens", help="Soft-prompt length for prompt tuning.")
    ] = 20,
    gradient_checkpointing: Annotated[
        bool,
        typer.Option(
            "--gradient-checkpointing/--no-gradient-checkpointing",
            help="Training totals with or without gradient checkpointing.",
        ),
    ] = True,
    exact: Annotated[
        bool | None,
        typer.Option(
            "--exact/--fast",
            help="Count with transformers on the meta device (seconds) or with the formulas "
            "only; default: the formulas (exact for every family they know), transformers for "
            "an architecture they do not know.",
        ),
    ] = None,
    fmt: FormatOpt = Format.table,
) -> None:
    """Parameters, inference memory and training memory for each way of adapting a model."""
    from catalog.estimate import estimate, read_config_file

    if gguf is not None:
        if model is not None or config is not None or dtype is not None:
            raise UsageError("--gguf PATH stands alone: no MODEL, --config or --dtype with it")
        _gguf_estimate(ctx, gguf, context=context, batch=batch, fmt=fmt)
        return
    if (model is None) == (config is None):
        raise UsageError(
            "give a MODEL (catalog or Hub id) or --config PATH (or --gguf PATH), not both or neither"
        )
    targets = [t.strip() for t in lora_targets.split(",") if t.strip()]
    if not targets:
        raise UsageError("--lora-targets needs module names (q_proj,v_proj) or all-linear")
    options: dict[str, Any] = {
        "dtype": dtype or "bf16",
        "context": context,
        "batch": batch,
        "seq_len": seq_len,
        "micro_batch": micro_batch,
        "lora_rank": lora_rank,
        "lora_targets": "all-linear" if targets == ["all-linear"] else targets,
        "virtual_tokens": virtual_tokens,
        "gradient_checkpointing": gradient_checkpointing,
        "exact": exact,
    }
    if config is not None:
        result = estimate(config=read_config_file(config), model=config, **options)
        source: dict[str, str | None] = {"kind": "config-file", "path": config}
    else:
        from catalog.fit.verdict import estimate_for

        assert model is not None
        cat = open_catalog(ctx)
        found = cat.get(model)
        result = estimate_for(found, cat=cat, **options)
        source = {"kind": "catalog", "id": found.id, "hub_id": found.hub_id}
    payload = {**result.to_json(), "source": source}
    if fmt is Format.json:
        emit([], [], fmt, json_payload=payload)
    else:
        print_card(result, fmt)


def _gguf_estimate(
    ctx: typer.Context, path: str, *, context: int | None, batch: int, fmt: Format
) -> None:
    """``estimate --gguf``: the file's own quantization, KV cache at llama.cpp's default type."""
    from catalog.estimate.gguf_memory import estimate_gguf
    from catalog.local.gguf_files import catalog_id_of_gguf
    from catalog.local.gguf_meta import read_gguf

    info = read_gguf(path)
    result = estimate_gguf(info, context=context, batch=batch)
    catalog_id = catalog_id_of_gguf(open_catalog(ctx), info)
    payload = {**result.to_json(), "source": {"kind": "gguf", "path": path, "id": catalog_id}}
    if fmt is Format.json:
        emit([], [], fmt, json_payload=payload)
        return
    inf = result.inference
    rows = [
        ("weights", _bytes(inf.weights_bytes), f"{inf.quantization}, as stored in the file"),
        ("KV cache", _bytes(inf.kv_cache_bytes),
         f"{inf.kv_cache_type}, {inf.context} tokens x {inf.batch} sequence(s)"),
        ("overhead", _bytes(inf.overhead_bytes),
         f"compute buffer {_bytes(inf.activation_bytes)} + runtime {_bytes(inf.runtime_bytes)}"),
        ("total", _bytes(inf.total_bytes, inf.total_is_lower_bound), "llama.cpp, one device"),
    ]  # fmt: skip
    linked = f", catalog entry {catalog_id}" if catalog_id else ""
    head = f"{info.name or path}: {_count(info.parameter_count)} parameters, {inf.quantization}{linked}"
    if fmt is Format.csv:
        emit(rows, INFERENCE_COLUMNS, fmt)
        return
    if fmt is Format.md:
        typer.echo(f"## {head}\n")
        emit(rows, INFERENCE_COLUMNS, fmt)
    else:
        typer.echo(head)
        emit(rows, INFERENCE_COLUMNS, fmt, title="inference")
    _assumptions(result.assumptions, fmt)


def _bytes(value: int | None, lower_bound: bool = False) -> str:
    from catalog.units import format_bytes

    if value is None:
        return "unknown"
    return ("≥ " if lower_bound else "") + format_bytes(value)


def _count(value: int | None) -> str:
    from catalog.units import format_count

    return "unknown" if value is None else format_count(value)


def _share(trainable: int | None, total: int) -> str:
    if trainable is None:
        return "unknown"
    share = 100 * trainable / total if total else 0.0
    return f"{share:.3g}%"


def _storage(row: _Row) -> str:
    per_task = row.doc["storage_per_task_bytes"]
    if per_task is None:
        return "unknown"
    if row.key == "full":
        return _bytes(per_task * TASKS_SHOWN)
    return _bytes(row.base_bytes + per_task * TASKS_SHOWN)


COMPARE_COLUMNS = [
    Column("way", lambda r: r.way),
    Column("method", lambda r: r.method),
    Column("trainable", lambda r: _count(r.doc["trainable_params"]), "right"),
    Column("of model", lambda r: _share(r.doc["trainable_params"], r.params), "right"),
    Column(
        "memory",
        lambda r: _bytes(r.doc["total_bytes"], r.doc["total_is_lower_bound"]),
        "right",
    ),
    Column(
        "per extra task",
        lambda r: f"{_bytes(r.doc['storage_per_task_bytes'])}: {r.doc['storage_per_task']}",
    ),
    Column(f"storage, {TASKS_SHOWN} tasks", _storage, "right"),
]
CSV_COLUMNS = [
    Column("method", lambda r: r.key),
    Column("trainable_params", lambda r: r.doc["trainable_params"]),
    Column("total_bytes", lambda r: r.doc["total_bytes"]),
    Column("total_is_lower_bound", lambda r: r.doc["total_is_lower_bound"]),
    Column("storage_per_task_bytes", lambda r: r.doc["storage_per_task_bytes"]),
    Column("storage_per_task", lambda r: r.doc["storage_per_task"]),
]
INFERENCE_COLUMNS = [
    Column("part", lambda r: r[0]),
    Column("memory", lambda r: r[1], "right"),
    Column("what", lambda r: r[2]),
]


def _rows(result: Estimate) -> list[_Row]:
    doc = result.to_json()
    base = result.params.total * 2  # the bf16 base model every non-full method shares
    return [
        _Row(*_WAYS[key], key, item, result.params.total, base)
        for key, item in doc["training"].items()
    ]


def _inference_rows(result: Estimate) -> list[tuple[str, str, str]]:
    inf = result.inference
    kv_what = f"{inf.context} tokens x {inf.batch} sequence(s)" if inf.context else "needs a config"
    return [
        ("weights", _bytes(inf.weights_bytes), inf.dtype),
        ("KV cache", _bytes(inf.kv_cache_bytes), kv_what),
        (
            "overhead",
            _bytes(inf.overhead_bytes),
            f"prefill workspace {_bytes(inf.activation_bytes)} + runtime {_bytes(inf.runtime_bytes)}",
        ),
        ("total", _bytes(inf.total_bytes, inf.total_is_lower_bound), "on one device"),
    ]


def print_card(result: Estimate, fmt: Format) -> None:
    """The table/Markdown card (CSV: one row per method with raw numbers)."""
    rows = _rows(result)
    if fmt is Format.csv:
        emit(rows, CSV_COLUMNS, fmt)
        return
    params = result.params
    how = _COUNT_METHODS.get(params.method, params.method)
    head = f"{result.model or 'config'}: {_count(params.total)} parameters ({how})"
    if params.active != params.total:
        head += f", {_count(params.active)} active per token"
    full = result.training["full"]
    setup = (
        f"training {full.seq_len} tokens x {full.micro_batch} sequence(s), "
        + ("with" if full.gradient_checkpointing else "without")
        + " gradient checkpointing"
    )
    compare = f"fine-tuning vs prompt tuning vs prompt engineering ({setup})"
    if fmt is Format.md:
        typer.echo(f"## {head}\n\n### inference\n")
        emit(_inference_rows(result), INFERENCE_COLUMNS, fmt)
        typer.echo(f"\n### {compare}\n")
        emit(rows, COMPARE_COLUMNS, fmt)
        _assumptions(result.assumptions, fmt)
        return
    typer.echo(head)
    emit(_inference_rows(result), INFERENCE_COLUMNS, fmt, title="inference")
    typer.echo("")
    emit(rows, COMPARE_COLUMNS, fmt, title=compare)
    _assumptions(result.assumptions, fmt)


def _assumptions(lines: Sequence[str], fmt: Format) -> None:
    """The assumptions under a card: a Markdown section, or an indented list."""
    if fmt is Format.md:
        typer.echo("\n### assumptions\n")
        typer.echo("\n".join(f"- {line}" for line in lines))
    else:
        typer.echo("\nassumptions:")
        typer.echo("\n".join(f"  - {line}" for line in lines))

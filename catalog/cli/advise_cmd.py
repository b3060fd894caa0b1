"""``modelcat advise``: the selection assistant (rules in ``catalog.advisor``).

Answers come from flags, an ``--answers`` YAML file (flags win) or, on a terminal, questions for
what is still missing. Without a terminal a missing ``--task``/``--examples`` is a usage error.
"""

from __future__ import annotations

import sys
from enum import StrEnum
from typing import TYPE_CHECKING, Annotated, Any

import typer

from catalog.cli.common import (
    DistributeOpt,
    FormatOpt,
    HostApiOpt,
    MauOpt,
    TrainOnOutputsOpt,
    UseOpt,
    err,
    open_catalog,
)
from catalog.cli.estimate_cmd import GpuMemoryOpt, MemoryOpt
from catalog.errors import UsageError
from catalog.render import Column, Format, emit

if TYPE_CHECKING:
    from catalog.advisor import Advice, Alternative, Candidate


class Level(StrEnum):
    low = "low"
    medium = "medium"
    high = "high"


REQUIRED = ("task", "examples")


def _flag(field: str) -> str:
    return "--" + field.replace("_", "-")


def _ask(values: dict[str, Any]) -> None:
    """Ask on the terminal (prompts on stderr) for every main answer not given yet."""
    from catalog.advisor import TASKS

    if "task" not in values:
        values["task"] = typer.prompt(
            f"What should the model do? ({', '.join(TASKS)}, or in your words)", err=True
        )
    if "examples" not in values:
        values["examples"] = typer.prompt("How many labelled examples do you have?", err=True)
    if "documents" not in values:
        values["documents"] = typer.confirm(
            "Does the knowledge live in documents, or change often?", default=False, err=True
        )
    if "on_prem" not in values:
        values["on_prem"] = typer.confirm(
            "Must the data stay inside your organisation (no API models)?", default=False, err=True
        )
    if "budget" not in values:
        values["budget"] = typer.prompt(
            "Training compute budget (none, low, medium, high, 40h GPU-hours, $500)",
            default="medium",
            err=True,
        )


def gather(
    flags: dict[str, Any], answers_file: str | None, interactive: bool | None
) -> tuple[dict[str, Any], Any]:
    """Merge the answers file, the flags and (on a terminal) questions; return values and labels."""
    from catalog.advisor import load_answers

    from_file = load_answers(answers_file) if answers_file is not None else {}
    given = {k: v for k, v in flags.items() if v is not None}
    values = {**from_file, **given}
    missing = [f for f in REQUIRED if f not in values]
    if missing and (sys.stdin.isatty() if interactive is None else interactive):
        _ask(values)
    elif missing:
        raise UsageError(
            f"missing {' and '.join(_flag(f) for f in missing)} (or `{missing[0]}:` in an "
            "--answers file; on a terminal modelcat asks)"
        )

    def label(field: str) -> str:
        if field in from_file and field not in given:
            return f"answers file {answers_file!r}: field {field!r}"
        return _flag(field)

    return values, label


def advise_command(
    ctx: typer.Context,
    task: Annotated[
        str | None,
        typer.Option(
            "--task",
            help="chat, code, classification, extraction, summarization, domain-qa, generation, "
            "translation, or in your words.",
        ),
    ] = None,
    examples: Annotated[
        str | None, typer.Option("--examples", help="Labelled examples available (50000, 50K).")
    ] = None,
    documents: Annotated[
        bool | None,
        typer.Option(
            "--documents/--no-documents", help="The knowledge lives in documents or changes often."
        ),
    ] = None,
    on_prem: Annotated[
        bool | None,
        typer.Option("--on-prem/--no-on-prem", help="Data must not leave: no API models."),
    ] = None,
    budget: Annotated[
        str | None,
        typer.Option(
            "--budget",
            help="Training compute: none, low, medium (default), high, GPU-hours (40h) or $500.",
        ),
    ] = None,
    memory: MemoryOpt = None,
    gpu_memory: GpuMemoryOpt = None,
    use: UseOpt = None,
    mau: MauOpt = None,
    distribute: DistributeOpt = None,
    train_on_outputs: TrainOnOutputsOpt = None,
    host_api: HostApiOpt = None,
    latency: Annotated[
        Level | None, typer.Option("--latency", help="How much latency matters.")
    ] = None,
    cost_per_request: Annotated[
        Level | None,
        typer.Option("--cost-per-request", help="How much the cost of each request matters."),
    ] = None,
    tasks: Annotated[
        int | None, typer.Option("--tasks", help="Tasks one base model should serve (default 1).")
    ] = None,
    top: Annotated[int | None, typer.Option("--top", "-n", help="Models in the shortlist.")] = None,
    max_params: Annotated[
        str | None, typer.Option("--max-params", help="Largest model to consider (13B).")
    ] = None,
    context: Annotated[
        int | None,
        typer.Option(
            "--context",
            min=1,
            help="Tokens per request the model must take (default 4096 for prompting and "
            "few-shot, 8192 for RAG); a model with a smaller window is ranked down and flagged.",
        ),
    ] = None,
    answers: Annotated[
        str | None, typer.Option("--answers", help="A YAML file of answers (flags win).")
    ] = None,
    interactive: Annotated[
        bool | None,
        typer.Option(
            "--interactive/--no-interactive",
            help="Ask for missing answers (default: when stdin is a terminal).",
        ),
    ] = None,
    fmt: FormatOpt = Format.table,
) -> None:
    """Which way to adapt a model (prompting, RAG, prompt tuning, LoRA, QLoRA, full or vendor
    fine-tuning), on which models, on this hardware: a reasoned plan and a ranked shortlist."""
    from catalog.advisor import advise, make_answers

    flags = {
        "task": task, "examples": examples, "documents": documents, "on_prem": on_prem,
        "budget": budget, "memory": memory, "gpu_memory": gpu_memory,
        "use": use.value if use else None, "mau": mau,
        "distribute": distribute.value if distribute else None,
        "train_on_outputs": train_on_outputs, "host_api": host_api,
        "latency": latency.value if latency else None,
        "cost_per_request": cost_per_request.value if cost_per_request else None,
        "tasks": tasks, "top": top, "max_params": max_params, "context": context,
    }  # fmt: skip
    values, label = gather(flags, answers, interactive)
    checked = make_answers(values, label=label)
    advice = advise(answers=checked, catalog=open_catalog(ctx))
    if fmt is Format.json:
        emit([], [], fmt, json_payload=advice.to_json())
        return
    print_advice(advice, fmt)
    if not advice.fits_here:
        err(
            "modelcat: nothing fits this machine for this approach; the shortlist shows what it needs"
        )


def _bytes(value: int | None, approximate: bool = False) -> str:
    from catalog.units import format_bytes

    if value is None:
        return ""
    return ("≥ " if approximate else "") + format_bytes(value)


def _count(value: int | None) -> str:
    from catalog.units import format_count

    return "" if value is None else format_count(value)


def _window_flag(c: Candidate) -> str:
    from catalog.units import format_context

    if c.short_window is None:
        return ""
    window, needed = c.short_window
    return f"; window {format_context(window)} < {format_context(needed)} needed"


def _cost(c: Candidate) -> str:
    vendor = c.cost.vendor
    if vendor is None:
        return _bytes(c.cost.memory_bytes, c.cost.approximate)
    parts = []
    if vendor.get("training_cost_usd") is not None:
        parts.append(f"~${vendor['training_cost_usd']:,.0f} to train")
    if vendor.get("input_per_mtok") is not None:
        parts.append(f"${vendor['input_per_mtok']:g}/M in")
    return ", ".join(parts) or "price unknown"


SHORTLIST_COLUMNS = [
    Column("model", lambda c: c.model.id),
    Column("score", lambda c: f"{c.score:g}", "right"),
    Column("trainable", lambda c: _count(c.cost.trainable_params), "right"),
    Column("memory / cost", _cost, "right"),
    Column("license", lambda c: f"{c.verdict.verdict} ({c.verdict.license})"),
    Column("fit", lambda c: c.cost.fit.label() + _window_flag(c)),
    Column("why", lambda c: "; ".join(c.why)),
]
ALTERNATIVE_COLUMNS = [
    Column("approach", lambda a: a.approach),
    Column("viable", lambda a: "yes" if a.viable else "no"),
    Column("why not", lambda a: a.why_not),
    Column("best model", lambda a: a.best_model or ""),
]


def print_advice(advice: Advice, fmt: Format) -> None:
    """The plan as a readable card (table/Markdown); CSV is the shortlist only."""
    from catalog.advisor import INFO

    if fmt is Format.csv:
        emit(list(advice.shortlist), SHORTLIST_COLUMNS, fmt)
        return
    info = INFO[advice.approach]
    md = fmt is Format.md
    alternatives: list[Alternative] = list(advice.alternatives)
    lines = [
        f"{'## ' if md else ''}Recommended: {advice.approach} — {info.label} (rule {advice.rule})",
        "",
        f"{'### ' if md else ''}Why, step by step:",
        *[f"{i}. {reason}" for i, reason in enumerate(advice.reasons, 1)],
        "",
        f"Pros: {'; '.join(info.pros)}",
        f"Cons: {'; '.join(info.cons)}",
        "",
    ]
    typer.echo("\n".join(lines))
    if md:
        typer.echo("### Alternatives (viable first, cheapest first)\n")
    emit(
        alternatives, ALTERNATIVE_COLUMNS, fmt, title="alternatives (viable first, cheapest first)"
    )
    typer.echo("")
    title = f"shortlist for {advice.approach}"
    if md:
        typer.echo(f"### {title}\n")
    emit(list(advice.shortlist), SHORTLIST_COLUMNS, fmt, title=title)

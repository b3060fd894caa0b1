"""The decision ladder and why each other approach was not chosen (the rules are listed in
:mod:`catalog.advisor`'s docstring; the constants below are their thresholds)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from catalog.advisor.answers import BEHAVIOUR_TASKS
from catalog.advisor.approaches import INFO, Approach
from catalog.units import format_bytes

if TYPE_CHECKING:
    from catalog.advisor.answers import Answers
    from catalog.advisor.candidates import Found, Search

FEW_SHOT_MAX = 100
"""Up to this many labelled examples: few-shot (they fit a prompt; too few to train on safely)."""
TUNE_MIN = 1_000
"""From this many examples tuning is worth evaluating against the few-shot baseline."""
FULL_MIN = 100_000
"""Full fine-tuning only from this many examples (below, parameter-efficient tuning is as good)."""
MANY_TASKS = 3
"""From this many tasks on one base model, a soft prompt per task pays off on a low budget."""


@dataclass(frozen=True)
class Decision:
    """The recommended approach, the rule that chose it and why."""

    approach: Approach
    rule: str
    because: str


def _need(found: Found) -> str:
    best = found.best
    if best is None or best.cost.memory_bytes is None:
        return ""
    fit = best.cost.fit
    have = f" of {format_bytes(fit.available_bytes)}" if fit.available_bytes else ""
    return f" ({best.model.id} needs {format_bytes(best.cost.memory_bytes)}{have})"


def _fits(search: Search, approach: Approach) -> bool:
    found = search.find(INFO[approach])
    return found.fits_here and found.best is not None


def decide(answers: Answers, search: Search) -> Decision:
    """Walk the ladder; the first rule that matches wins."""
    n = answers.examples
    behaviour = answers.task in BEHAVIOUR_TASKS and n >= TUNE_MIN
    if answers.documents and not behaviour:
        return Decision(
            "rag",
            "R1",
            "the knowledge lives in documents or changes often: retrieval keeps answers current "
            "and cites them, with no training",
        )
    if n == 0:
        return Decision(
            "prompt-engineering",
            "R2",
            "no labelled examples: start from clear instructions (zero-shot); 20 to 100 examples "
            f"make few-shot possible, {TUNE_MIN:,} or more make tuning worth evaluating",
        )
    if n <= FEW_SHOT_MAX:
        return Decision(
            "few-shot",
            "R3",
            f"{n:,} labelled examples: the best of them fit in a prompt, and they are too few "
            "to train on without overfitting",
        )
    if answers.budget == "none":
        return Decision(
            "few-shot", "R4", "no training budget: show the best examples in the prompt"
        )
    if n < TUNE_MIN and not answers.price_sensitive:
        return Decision(
            "few-shot",
            "R5",
            f"{n:,} examples: measure the few-shot baseline first and tune only if it falls short "
            f"(tuning is worth it from {TUNE_MIN:,} examples, or now when latency or cost per "
            "request matter a lot)",
        )
    if answers.tasks >= MANY_TASKS and answers.budget == "low" and _fits(search, "prompt-tuning"):
        return Decision(
            "prompt-tuning",
            "R6",
            f"{answers.tasks} tasks on a low budget: one frozen base model and a soft prompt per "
            "task" + _need(search.find(INFO["prompt-tuning"])),
        )
    return _tuning(answers, search)


def _tuning(answers: Answers, search: Search) -> Decision:
    n = answers.examples
    vendor = search.find(INFO["vendor-finetune"]).best is not None
    if answers.on_prem or search.hardware.gpus:
        if n >= FULL_MIN and answers.budget == "high" and _fits(search, "full-finetune"):
            return Decision(
                "full-finetune",
                "R7a",
                f"{n:,} examples and a high budget, and full fine-tuning fits one GPU here"
                + _need(search.find(INFO["full-finetune"])),
            )
        if _fits(search, "lora"):
            return Decision(
                "lora",
                "R7b",
                f"{n:,} labelled examples and LoRA fits one GPU here"
                + _need(search.find(INFO["lora"])),
            )
        if _fits(search, "qlora"):
            return Decision(
                "qlora",
                "R7c",
                "no candidate's bf16 base fits this GPU for LoRA; QLoRA's 4-bit base does"
                + _need(search.find(INFO["qlora"])),
            )
        if not answers.on_prem and vendor:
            return Decision(
                "vendor-finetune",
                "R7d",
                "nothing fits this GPU for local tuning, and the data may leave the "
                "organisation: the vendor trains and hosts the tuned model",
            )
        return Decision(
            "qlora",
            "R7e",
            "nothing fits this machine's GPU even with a 4-bit base: QLoRA on a larger or rented "
            "GPU (the shortlist shows what each model needs)",
        )
    if vendor:
        return Decision(
            "vendor-finetune",
            "R8",
            "no GPU here and the data may leave the organisation: a vendor fine-tuning API needs "
            "no hardware",
        )
    return Decision(
        "qlora",
        "R8",
        "no GPU here and no vendor route: QLoRA needs the least GPU memory to rent",
    )


__all__ = ["FEW_SHOT_MAX", "FULL_MIN", "MANY_TASKS", "TUNE_MIN", "Decision", "decide"]

"""The approaches not chosen: whether each is viable here, and why it is not the recommendation.

Alternatives are ranked viable first, then cheapest first (the order of ``APPROACHES``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from catalog.advisor.answers import BEHAVIOUR_TASKS
from catalog.advisor.approaches import APPROACHES, INFO, Approach
from catalog.advisor.rules import FEW_SHOT_MAX, FULL_MIN, MANY_TASKS, TUNE_MIN
from catalog.units import format_bytes

if TYPE_CHECKING:
    from catalog.advisor.answers import Answers
    from catalog.advisor.candidates import Search
    from catalog.advisor.rules import Decision

_TUNING = ("prompt-tuning", "lora", "qlora", "full-finetune", "vendor-finetune")


@dataclass(frozen=True)
class Alternative:
    """An approach that was not recommended."""

    approach: Approach
    viable: bool
    why_not: str
    best_model: str | None

    def to_json(self) -> dict[str, Any]:
        """``{"approach", "pros", "cons", "why_not", ...}``."""
        info = INFO[self.approach]
        return {
            "approach": self.approach,
            "kind": info.kind,
            "label": info.label,
            "viable": self.viable,
            "pros": list(info.pros),
            "cons": list(info.cons),
            "why_not": self.why_not,
            "best_model": self.best_model,
            "pros_cons_source": info.source,
        }


def _blocker(approach: Approach, answers: Answers, search: Search) -> str | None:
    """Why a tuning approach cannot be done here at all, or ``None``."""
    n = answers.examples
    if approach == "vendor-finetune" and answers.on_prem:
        return "the data must stay on premises, and vendor fine-tuning uploads it"
    if n <= FEW_SHOT_MAX:
        return f"{n:,} labelled examples are too few to train on without overfitting"
    if answers.budget == "none":
        return "no training compute budget"
    found = search.find(INFO[approach])
    if found.best is None:
        return "no model supports it under a license that permits modification for this use"
    if not found.fits_here:
        best = found.best
        need = format_bytes(best.cost.memory_bytes or 0)
        return f"nothing fits one GPU here: even {best.model.id} needs {need}"
    if approach == "full-finetune" and n < FULL_MIN:
        return (
            f"below about {FULL_MIN:,} examples (you have {n:,}) parameter-efficient tuning "
            "reaches the same quality far cheaper"
        )
    if approach == "full-finetune" and answers.budget != "high":
        return "needs a high compute budget: about 16 bytes per parameter and a model copy per task"
    return None


def _prompting(approach: Approach, answers: Answers, decision: Decision) -> tuple[bool, str]:
    n, chosen = answers.examples, decision.approach
    if approach == "rag":
        if not answers.documents:
            return False, "the knowledge is not in documents: there is nothing to retrieve from"
        return True, (
            f"retrieval adds knowledge, not a behaviour: a {answers.task} task with {n:,} "
            "labelled examples is a behaviour to teach; add retrieval on top if answers also "
            "need your documents"
        )
    if approach == "few-shot" and n == 0:
        return False, "no labelled examples to show"
    if chosen == "rag":
        return True, "instructions and examples cannot carry a document collection; retrieval can"
    if approach == "prompt-engineering" and chosen == "few-shot":
        return True, f"you have {n:,} labelled examples: showing the best of them costs the same"
    if approach == "prompt-engineering":
        return True, (f"uses none of your {n:,} labelled examples; keep it as the baseline to beat")
    return True, (
        f"only a handful of your {n:,} examples fit in the context window and they are paid for "
        "on every request; tuning learns from all of them"
    )


def _tuning(approach: Approach, answers: Answers, search: Search, decision: Decision) -> str:
    n, chosen = answers.examples, decision.approach
    if chosen in ("prompt-engineering", "few-shot", "rag"):
        if answers.documents and answers.task not in BEHAVIOUR_TASKS:
            return "tuning teaches a behaviour, not facts that live in changing documents"
        return (
            f"try the cheaper baseline first; tuning is worth evaluating from {TUNE_MIN:,} "
            "examples (from 100 when latency or cost per request matter a lot)"
        )
    if approach == "prompt-tuning":
        return (
            f"its edge is serving many tasks from one frozen model ({MANY_TASKS}+ on a low budget); "
            f"for {answers.tasks} task(s) LoRA usually reaches higher quality for similar memory"
        )
    if approach == "vendor-finetune":
        return (
            f"{INFO[chosen].label.split(' (')[0]} fits this machine: tuning locally keeps the "
            "data in house and costs no per-token fees"
        )
    if chosen == "full-finetune":
        return "full fine-tuning fits and your data and budget justify it; this is the cheaper fallback"
    if chosen == "prompt-tuning":
        return f"a soft prompt per task is cheaper for {answers.tasks} tasks on a low budget"
    if approach == "qlora" and chosen == "lora":
        largest = _largest(search)
        return (
            "LoRA already fits; QLoRA trades step speed and a little precision for memory: "
            "choose it to tune a larger model"
            + (f" (largest that fits here: {largest})" if largest else "")
        )
    if approach == "full-finetune":
        return f"parameter-efficient tuning is enough for {n:,} examples at this budget"
    return f"{INFO[chosen].label.split(' (')[0]} was preferred by rule {decision.rule}"


def _largest(search: Search) -> str | None:
    found = search.find(INFO["qlora"])
    sized = [c for c in found.candidates if c.model.params and c.cost.fit.level != "no"]
    if not sized or not found.fits_here:
        return None
    best = max(sized, key=lambda c: (c.model.params or 0, c.score))
    return best.model.id


def alternatives(answers: Answers, search: Search, decision: Decision) -> list[Alternative]:
    """Every approach but the chosen one, viable first, then cheapest first."""
    out: list[Alternative] = []
    for approach in APPROACHES:
        if approach == decision.approach:
            continue
        if approach in _TUNING:
            blocker = _blocker(approach, answers, search)
            viable = blocker is None
            text = blocker or _tuning(approach, answers, search, decision)
        else:
            viable, text = _prompting(approach, answers, decision)
        best = search.find(INFO[approach]).best if viable else None
        out.append(Alternative(approach, viable, text, best.model.id if best else None))
    order = {a: i for i, a in enumerate(APPROACHES)}
    return sorted(out, key=lambda a: (not a.viable, order[a.approach]))


__all__ = ["Alternative", "alternatives"]

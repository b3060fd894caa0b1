"""The reasoning, step by step, in the order of the checklist the source material gives:
use case; cheaper alternatives first; costs (tunability, effort, compute, data); benefits (quality,
token cost, reuse of the base model); then the decision, the license and the machine judged."""

from __future__ import annotations

from typing import TYPE_CHECKING

from catalog.advisor.answers import BEHAVIOUR_TASKS
from catalog.advisor.approaches import INFO
from catalog.advisor.candidates import POOL
from catalog.advisor.costs import needed_context
from catalog.advisor.rules import FEW_SHOT_MAX, TUNE_MIN
from catalog.units import format_bytes

if TYPE_CHECKING:
    from catalog.advisor.answers import Answers
    from catalog.advisor.candidates import Found, Search
    from catalog.advisor.rules import Decision
    from catalog.fit.hardware import Hardware
    from catalog.licenses import IntendedUse

GOALS = {
    "chat": "a conversational assistant's tone, helpfulness and safety",
    "code": "code in your languages, libraries and conventions",
    "classification": "consistent labels from a fixed set",
    "extraction": "fields pulled out into a fixed structure",
    "summarization": "summaries of the length and style you need",
    "domain-qa": "answers grounded in your domain's knowledge",
    "generation": "text in your style and format",
    "translation": "translations in your terminology",
    "other": "the behaviour you describe",
}

_EFFORT = {
    "prompt-engineering": "write and iterate on instructions against a few test inputs",
    "retrieval": "build and maintain a retrieval pipeline (chunking, embeddings, an index, evaluation)",
    "prompt-tuning": "prepare labelled data, train a soft prompt, evaluate it against the baseline",
    "fine-tuning": "prepare and clean labelled data, train, evaluate against the baseline, iterate",
}


def _use_case(answers: Answers) -> str:
    text = (
        f"{answers.task_text!r} is a {answers.task} task: it should improve {GOALS[answers.task]}"
    )
    if answers.documents:
        return text + "; the gap is knowledge that lives in documents or changes often"
    if answers.task in BEHAVIOUR_TASKS:
        return text + "; the gap is a behaviour (labels, a structure) that labelled examples teach"
    return text


def _alternatives(answers: Answers) -> str:
    n = answers.examples
    if n == 0:
        few = "not possible yet: no labelled examples"
    elif n <= FEW_SHOT_MAX:
        few = f"possible: {n:,} examples fit in a prompt, the baseline to measure"
    else:
        few = f"a baseline with the best of your {n:,} examples; the rest cannot fit a prompt"
    rag = (
        "the way to bring your documents in"
        if answers.documents
        else "not needed: the knowledge is not in documents"
    )
    return f"prompt engineering is always the first baseline; few-shot: {few}; retrieval: {rag}"


def _compute(found: Found, answers: Answers) -> str:
    best = found.best
    budget = f"budget {answers.budget}" + (
        f" ({answers.budget_text})" if answers.budget_text != answers.budget else ""
    )
    if best is None:
        return f"compute: no candidate to cost; {budget}"
    if best.cost.memory_bytes is None:
        return f"compute: none here, {best.cost.fit.note or 'at the vendor'}; {budget}"
    fit = best.cost.fit
    where = f"{fit.level} on {fit.device}" if fit.device else fit.level
    approx = " (a lower bound: no config)" if best.cost.approximate else ""
    return (
        f"compute: {best.cost.memory_what} of {best.model.id} needs "
        f"{format_bytes(best.cost.memory_bytes)}{approx}, {where}; {budget}"
    )


def _costs(decision: Decision, answers: Answers, found: Found) -> str:
    info = INFO[decision.approach]
    if info.trains:
        count = len(found.candidates)
        many = "at least " if count >= POOL else ""
        tunable = (
            f"tunability: {many}{count} candidate model(s) support "
            f"{info.tunable} under a license that permits modification"
        )
    else:
        tunable = "tunability: not needed (nothing is tuned: the base model is used as it is)"
    n = answers.examples
    data = f"data: {n:,} labelled examples" + (
        f" (tuning is worth evaluating from {TUNE_MIN:,})" if n < TUNE_MIN else " (enough to tune)"
    )
    return f"{tunable}; effort: {_EFFORT[info.kind]}; {_compute(found, answers)}; {data}"


def _benefits(decision: Decision, answers: Answers, search: Search) -> str:
    info = INFO[decision.approach]
    quality = {
        "prompt-engineering": "quality: as good as the base model and the prompt",
        "retrieval": "quality: answers grounded in your current documents",
        "prompt-tuning": "quality: close to fine-tuning on large models, below it on small ones",
        "fine-tuning": "quality: must beat the few-shot baseline on a held-out set to be worth it",
    }[info.kind]
    if decision.approach in ("few-shot", "rag"):
        tokens = "token cost: examples or passages are paid for on every request"
    elif info.trains:
        tokens = "token cost: short prompts at run time, no examples on every request"
    else:
        tokens = "token cost: only the instructions on every request"
    if answers.price_sensitive:
        tokens += " (latency or cost per request matter a lot here)"
    reuse = _reuse(decision, search)
    return f"{quality}; {tokens}; {reuse}"


def _reuse(decision: Decision, search: Search) -> str:
    found = search.find(INFO[decision.approach])
    best = found.best
    if best is None or best.cost.storage_per_task_bytes is None:
        if decision.approach == "vendor-finetune":
            return "reuse of the base model: each task is a separate tuned model at the vendor"
        return "reuse of the base model: one base model for every task"
    per_task = best.cost.storage_per_task_bytes
    if per_task == 0:
        return "reuse of the base model: one base model for every task, a prompt each"
    base = format_bytes((best.model.params or 0) * 2)
    return (
        f"reuse of the base model: one more task costs {format_bytes(per_task)} "
        f"({best.model.id}; a full copy is {base})"
    )


def _license(use: IntendedUse, trains: bool) -> str:
    parts: list[str] = [use.use]
    if use.mau is not None:
        parts.append(f"{use.mau:,} monthly active users")
    if use.modify or trains:
        parts.append("modification" + (" (the approach trains)" if trains else ""))
    if use.distribute != "none":
        parts.append(f"distributing {use.distribute}")
    if use.train_on_outputs:
        parts.append("training on outputs")
    if use.host_api:
        parts.append("hosting as an API")
    return f"licenses judged for {', '.join(parts)}; licenses that forbid it are left out"


def _machine(hardware: Hardware, trains: bool) -> str:
    devices = [f"gpu:{g.index} {format_bytes(g.free_bytes)} free" for g in hardware.gpus]
    if not trains:
        devices.append(f"RAM {format_bytes(hardware.ram_available_bytes)} available")
    where = "; ".join(devices) or "no GPU"
    what = "training on a GPU only" if trains else "inference on the best single device"
    return f"fit judged for {what}: {where}" + (" (simulated)" if hardware.simulated else "")


def checklist(
    answers: Answers, search: Search, decision: Decision, use: IntendedUse
) -> list[tuple[str, str]]:
    """``(step, finding)`` pairs, in checklist order."""
    found = search.find(INFO[decision.approach])
    trains = INFO[decision.approach].trains
    steps = [
        ("use case", _use_case(answers)),
        ("cheaper alternatives first", _alternatives(answers)),
        ("costs", _costs(decision, answers, found)),
        ("benefits", _benefits(decision, answers, search)),
        ("decision", f"{decision.approach} (rule {decision.rule}): {decision.because}"),
        ("license", _license(use, trains)),
        ("hardware", _machine(search.hardware, trains and INFO[decision.approach].local)),
    ]
    defaults = [
        f"{f} {getattr(answers, f)}"
        for f in ("budget", "latency", "cost_per_request")
        if f in answers.defaults
    ]
    if answers.context is None and INFO[decision.approach].method == "prompt_engineering":
        tokens = needed_context(decision.approach, None)
        defaults.append(f"context {tokens} tokens per request ({decision.approach} default)")
    if defaults:
        steps.append(("assumed", f"not given, so assumed: {', '.join(defaults)}"))
    if found.notes:
        steps.append(("note", "; ".join(found.notes)))
    return steps


__all__ = ["GOALS", "checklist"]

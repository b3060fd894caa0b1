"""The ways to adapt a pre-trained model, with the pros and cons the source material lists.

Fine-tuning, prompt tuning and prompt engineering (with few-shot prompting) are the three ways of
the course notes; their pros and cons are carried over in our own words. Retrieval is named there
only as a baseline to try first, so its pros and cons are modelcat's wording (``source`` says so).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, get_args

from catalog.estimate import Method

Approach = Literal[
    "prompt-engineering",
    "few-shot",
    "rag",
    "prompt-tuning",
    "lora",
    "qlora",
    "full-finetune",
    "vendor-finetune",
]
APPROACHES: tuple[Approach, ...] = get_args(Approach)
"""Cheapest first: the order the checklist tries them in, and the tie-break among alternatives."""

Kind = Literal["prompt-engineering", "retrieval", "prompt-tuning", "fine-tuning"]

SOURCE_NOTES = "the course notes on adapting LLMs (see README: sources)"

_FT_PROS = (
    "specialises the model to the task and often beats other specialised models",
    "far cheaper than training from scratch, and needs fewer labelled examples",
    "shorter prompts at run time: fewer tokens per request than few-shot",
)
_FT_CONS = (
    "quality depends on the labelled data: its bias is inherited",
    "overfits on a small data set",
    "must be redone when the task drifts",
    "choosing the base model is a critical decision",
)
_PE_CONS = (
    "designing prompts takes analysis and iteration",
    "sensitive to small changes in the input",
    "output can be inconsistent when the prompt is ambiguous",
)


@dataclass(frozen=True)
class ApproachInfo:
    """What an approach is, what it costs in the estimator's terms, and its pros and cons.

    Attributes:
        approach: the approach id.
        kind: which of the ways of adapting a model it belongs to.
        label: a short human name.
        method: the estimator's method whose numbers apply (``catalog.estimate.METHODS``).
        tunable: the catalog tuning method a model must support (``None``: any model).
        trains: it trains something (so the license must permit modification).
        local: it runs on the user's own hardware (``False``: at a vendor).
        pros: advantages.
        cons: drawbacks.
        source: where the pros and cons come from.
    """

    approach: Approach
    kind: Kind
    label: str
    method: Method | None
    tunable: str | None
    trains: bool
    local: bool
    pros: tuple[str, ...]
    cons: tuple[str, ...]
    source: str = SOURCE_NOTES


INFO: dict[Approach, ApproachInfo] = {
    "prompt-engineering": ApproachInfo(
        "prompt-engineering",
        "prompt-engineering",
        "prompt engineering (zero-shot instructions)",
        "prompt_engineering",
        None,
        False,
        True,
        (
            "flexible and fast to implement",
            "needs no labelled data and little compute: the base model as it is",
            "a good prompt measurably improves results",
            "scales to many tasks: one model, one prompt per task",
        ),
        (*_PE_CONS, "limited by what a prompt can convey"),
    ),
    "few-shot": ApproachInfo(
        "few-shot",
        "prompt-engineering",
        "few-shot prompting (labelled examples in the prompt)",
        "prompt_engineering",
        None,
        False,
        True,
        (
            "no training: a few labelled examples are shown in the prompt",
            "examples show the wanted format and labels better than instructions alone",
            "works with API and open models alike, and changes in minutes",
        ),
        (
            "limited by the context window: only so many examples fit",
            "the examples are paid for on every request (token cost and latency)",
            *_PE_CONS,
        ),
    ),
    "rag": ApproachInfo(
        "rag",
        "retrieval",
        "retrieval-augmented generation over your documents",
        "prompt_engineering",
        None,
        False,
        True,
        (
            "knowledge stays current: update the documents, not the model",
            "no training and no labelled data",
            "answers can cite the passages they come from",
        ),
        (
            "a retrieval pipeline (chunking, embeddings, an index) to build and maintain",
            "retrieved passages lengthen every prompt (token cost and latency)",
            "adds knowledge, not a new behaviour or output format",
        ),
        "modelcat's wording: the course notes name retrieval only as a baseline to try first",
    ),
    "prompt-tuning": ApproachInfo(
        "prompt-tuning",
        "prompt-tuning",
        "prompt tuning (a trained soft prompt)",
        "prompt_tuning",
        "prompt-tuning",
        True,
        True,
        (
            "very parameter-efficient: e.g. 20K trained parameters per task on an 11B model",
            "one frozen base model serves many tasks, even in mixed batches",
            "moderate compute; a soft prompt per task is a few hundred kilobytes",
        ),
        (
            "still needs training (of the prompt parameters) and labelled data",
            "needs open weights: vendor APIs offer no soft prompts",
            "matches full fine-tuning only on large models (Lester et al., 2021, measured on T5 up to"
            " 11B: see t5-11b in the catalog)",
        ),
    ),
    "lora": ApproachInfo(
        "lora",
        "fine-tuning",
        "LoRA fine-tuning (a small adapter on a frozen bf16 base)",
        "lora",
        "lora",
        True,
        True,
        (*_FT_PROS, "retrains few parameters: one small adapter per task on a shared base"),
        (*_FT_CONS, "the GPU must hold the whole base model in bf16"),
    ),
    "qlora": ApproachInfo(
        "qlora",
        "fine-tuning",
        "QLoRA fine-tuning (a LoRA adapter on a 4-bit base)",
        "qlora",
        "qlora",
        True,
        True,
        (
            *_FT_PROS,
            "4-bit base weights: about a quarter of LoRA's weight memory, so larger models fit",
        ),
        (
            *_FT_CONS,
            "slower steps (weights are dequantised on the fly) and a small quantisation error",
        ),
    ),
    "full-finetune": ApproachInfo(
        "full-finetune",
        "fine-tuning",
        "full fine-tuning (every weight trained)",
        "full",
        "full",
        True,
        True,
        (*_FT_PROS, "the most capacity to change the model's behaviour"),
        (
            *_FT_CONS,
            "needs real compute: about 16 bytes per parameter with AdamW in mixed precision",
            "scales poorly to many tasks: one full model copy per task",
        ),
    ),
    "vendor-finetune": ApproachInfo(
        "vendor-finetune",
        "fine-tuning",
        "vendor fine-tuning API (the vendor trains and hosts the tuned model)",
        None,
        "api-finetune",
        True,
        False,
        (
            "no hardware: the vendor trains and hosts the tuned model",
            *_FT_PROS[:1],
            _FT_PROS[2],
        ),
        (
            "the training data is uploaded to the vendor",
            "paid per training token and per request; served only by that vendor",
            *_FT_CONS[:1],
            "must be redone when the task drifts or the vendor retires the snapshot",
        ),
    ),
}


__all__ = ["APPROACHES", "INFO", "Approach", "ApproachInfo", "Kind"]

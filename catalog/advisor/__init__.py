"""The selection assistant: which way to adapt a model, on which model, on this hardware.

    >>> from catalog.advisor import advise
    >>> advice = advise(task="classification", examples=50_000, on_prem=True, gpu_memory="24GB")
    >>> advice.approach, [c.model.id for c in advice.shortlist]

The reasoning follows the checklist of the source material (use case; cheaper alternatives first:
prompt engineering and few-shot, then retrieval; costs: tunability, effort, compute, data; benefits:
quality, token cost, reuse of the base model). The decision is a ladder of rules, deterministic and
tried in order; the first that matches wins (thresholds in :mod:`catalog.advisor.rules`):

- R1 ``rag``: the knowledge lives in documents or changes often, unless the task is a behaviour
  (classification, extraction) with 1,000+ labelled examples.
- R2 ``prompt-engineering``: no labelled examples.
- R3 ``few-shot``: up to 100 labelled examples (they fit a prompt; too few to train on).
- R4 ``few-shot``: no training budget.
- R5 ``few-shot``: fewer than 1,000 examples, unless latency or cost per request matter a lot
  (then the examples paid on every request make tuning worth it from 100 examples).
- R6 ``prompt-tuning``: 3+ tasks on one base model, a low budget, and a candidate whose prompt-tuning
  memory fits a GPU here.
- R7 on premises or with a GPU: a) ``full-finetune`` with 100,000+ examples, a high budget and a
  candidate whose full fine-tuning fits one GPU; b) ``lora`` when a candidate's LoRA training fits
  one GPU; c) ``qlora`` when only a 4-bit base fits; d) ``vendor-finetune`` when nothing fits and the
  data may leave the organisation; e) ``qlora`` on a larger or rented GPU otherwise.
- R8 no GPU and the data may leave: ``vendor-finetune`` (else ``qlora`` on a rented GPU).

Candidates for an approach come from the catalog's ranked query with the approach's constraints:
licenses that forbid the intended use are left out (modification is implied when the approach
trains: prompt tuning, LoRA, QLoRA, full and vendor fine-tuning), the model must list the tuning
method, API models are left out on premises, and local models must fit ONE device (inference on
the best GPU or the RAM; training on a GPU only). Memory and trainable parameters are the
estimator's (``modelcat estimate MODEL`` shows the working); the ranking is explained in
:mod:`catalog.advisor.scoring`. Alternatives are ranked viable first, then cheapest first, each with
its pros and cons and why it was not chosen. Budgets: ``none``, ``low`` (under 10 GPU-hours),
``medium`` (under 100), ``high``; dollars convert at $2 per GPU-hour.
"""

from __future__ import annotations

from catalog.advisor.alternatives import Alternative
from catalog.advisor.answers import TASKS, Answers, load_answers, make_answers, task_category
from catalog.advisor.api import advise
from catalog.advisor.approaches import APPROACHES, INFO, Approach, ApproachInfo
from catalog.advisor.candidates import Candidate
from catalog.advisor.result import Advice

__all__ = [
    "APPROACHES",
    "INFO",
    "TASKS",
    "Advice",
    "Alternative",
    "Answers",
    "Approach",
    "ApproachInfo",
    "Candidate",
    "advise",
    "load_answers",
    "make_answers",
    "task_category",
]

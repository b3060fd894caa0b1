"""What the advisor is told: the use case, the data, the constraints, validated field by field.

Answers come from keyword arguments, CLI flags or a YAML answers file; every value is checked
here and a bad one raises a ``UsageError`` naming the field (and the file, for an answers file).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, fields
from pathlib import Path
from typing import Any, Literal, get_args

from catalog.errors import UsageError
from catalog.text import shown

Task = Literal[
    "chat",
    "code",
    "classification",
    "extraction",
    "summarization",
    "domain-qa",
    "generation",
    "translation",
    "other",
]
TASKS: tuple[str, ...] = get_args(Task)
BudgetLevel = Literal["none", "low", "medium", "high"]
BUDGETS: tuple[str, ...] = get_args(BudgetLevel)
Sensitivity = Literal["low", "medium", "high"]
SENSITIVITIES: tuple[str, ...] = get_args(Sensitivity)

BEHAVIOUR_TASKS = frozenset({"classification", "extraction"})
"""Tasks whose gap is a behaviour (labels, a structure) that labelled examples teach."""

# Free-text tasks are mapped by the first keyword group that matches, in this order.
_TASK_KEYWORDS: tuple[tuple[Task, tuple[str, ...]], ...] = (
    ("classification", ("classif", "categor", "label", "sentiment", "intent", "routing", "triage")),
    ("extraction", ("extract", "entity", "entities", "ner", "parse", "field")),
    ("summarization", ("summar", "digest", "condens")),
    ("code", ("code", "coding", "program", "sql", "script")),
    ("translation", ("translat",)),
    ("domain-qa", ("question", "q&a", "qa", "answer", "faq", "support", "knowledge")),
    ("chat", ("chat", "assistant", "dialog", "convers")),
    ("generation", ("write", "writing", "generat", "draft", "story", "copy", "email")),
)

GPU_HOUR_USD = 2.0
"""Rough rental price of one GPU-hour, used only to turn a dollar budget into GPU-hours."""
BUDGET_LOW_BELOW = 10.0
"""A budget under this many GPU-hours is ``low`` (a QLoRA run of a 7B model on a few thousand examples)."""
BUDGET_MEDIUM_BELOW = 100.0
"""Under this many GPU-hours is ``medium``; more is ``high`` (full fine-tuning territory)."""

_BUDGET_FIGURE = re.compile(
    r"^\s*(?P<usd>\$)?\s*(?P<num>\d+(?:\.\d+)?)\s*(?P<unit>\$|usd|dollars?|gpu[- ]?h(?:ours?)?|h(?:ours?)?)?\s*$",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Answers:
    """The advisor's inputs, validated.

    Attributes:
        task: the task category (free text is mapped to one, see :func:`task_category`).
        task_text: the task as given.
        examples: labelled examples available.
        documents: the knowledge lives in documents or changes often.
        on_prem: data must not leave the organisation (no API models, no vendor fine-tuning).
        budget: training compute budget level.
        budget_text: the budget as given (a level, GPU-hours or dollars).
        memory: simulated available RAM (``None``: this machine).
        gpu_memory: simulated free memory of one GPU (``None``: this machine; ``0``: no GPU).
        use: ``commercial``, ``research`` or ``personal``.
        mau: monthly active users of the product.
        distribute: ``none``, ``weights`` or ``derivatives``.
        train_on_outputs: outputs will train another model.
        host_api: the model itself will be offered as a hosted API.
        latency: how much request latency matters.
        cost_per_request: how much the cost of each request matters.
        tasks: how many tasks one base model should serve.
        top: models in the shortlist.
        max_params: largest model to consider.
        context: tokens per request for inference estimates (default per approach).
        defaults: fields that were not given and took their default.
    """

    task: Task
    task_text: str
    examples: int
    documents: bool = False
    on_prem: bool = False
    budget: BudgetLevel = "medium"
    budget_text: str = "medium"
    memory: str | None = None
    gpu_memory: str | None = None
    use: str = "commercial"
    mau: str | None = None
    distribute: str = "none"
    train_on_outputs: bool = False
    host_api: bool = False
    latency: Sensitivity = "medium"
    cost_per_request: Sensitivity = "medium"
    tasks: int = 1
    top: int = 5
    max_params: str | None = None
    context: int | None = None
    defaults: tuple[str, ...] = ()

    def to_json(self) -> dict[str, Any]:
        """Every field as JSON."""
        out = asdict(self)
        out["defaults"] = list(self.defaults)
        return out

    @property
    def price_sensitive(self) -> bool:
        """Latency or the cost of each request matters a lot."""
        return "high" in (self.latency, self.cost_per_request)


FIELDS: tuple[str, ...] = tuple(f.name for f in fields(Answers) if f.name not in ("defaults",))
INPUT_FIELDS: tuple[str, ...] = tuple(f for f in FIELDS if f not in ("task_text", "budget_text"))
"""The fields a caller or an answers file may set."""


def task_category(text: str) -> Task:
    """The task category of ``text``: a category name as is, else the first keyword group with a
    word starting with one of its keywords (classification, extraction, summarization, code,
    translation, domain-qa, chat, generation), else ``other``."""
    key = text.strip().lower().replace("_", "-")
    if key in TASKS:
        return key  # type: ignore[return-value]  # membership checked
    words = re.findall(r"[a-z0-9&]+", key)
    for task, keywords in _TASK_KEYWORDS:
        if any(word.startswith(k) for word in words for k in keywords):
            return task
    return "other"


def budget_level(value: str | int | float, *, label: str) -> BudgetLevel:
    """A budget level from ``none|low|medium|high``, GPU-hours (``40h``, ``40 gpu-hours``) or dollars
    (``$500``, ``500 usd``; converted at :data:`GPU_HOUR_USD` per GPU-hour): 0 GPU-hours is
    ``none``, under 10 ``low``, under 100 ``medium``, more ``high``."""
    expected = "none, low, medium, high, GPU-hours (40h) or dollars ($500)"
    if isinstance(value, bool):
        raise UsageError(f"{label} must be {expected}, got {value!r}")
    text = str(value).strip().lower()
    if text in BUDGETS:
        return text  # type: ignore[return-value]  # membership checked
    match = _BUDGET_FIGURE.match(text)
    if match is None:
        raise UsageError(f"{label} must be {expected}, got {value!r}")
    unit = (match.group("unit") or "").lower()
    dollars = bool(match.group("usd")) or unit in ("$", "usd", "dollar", "dollars")
    if not dollars and not unit:
        raise UsageError(f"{label}: give a unit for {value!r}: 40h (GPU-hours) or $500")
    amount = float(match.group("num"))
    hours = amount / GPU_HOUR_USD if dollars else amount
    if hours <= 0:
        return "none"
    if hours < BUDGET_LOW_BELOW:
        return "low"
    if hours < BUDGET_MEDIUM_BELOW:
        return "medium"
    return "high"


def _bool(value: Any, label: str) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in ("yes", "true", "no", "false"):
        return value.strip().lower() in ("yes", "true")
    raise UsageError(f"{label} must be true or false, got {value!r}")


def _whole(value: Any, label: str, *, minimum: int) -> int:
    if isinstance(value, str):
        from catalog.units import parse_count

        try:
            value = parse_count(value.strip(), field=label)
        except UsageError:
            raise UsageError(
                f"{label} must be a whole number (5000, 50K) of at least {minimum}, got {value!r}"
            ) from None
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise UsageError(f"{label} must be a whole number of at least {minimum}, got {value!r}")
    return value


def _choice(value: Any, label: str, choices: tuple[str, ...]) -> str:
    text = str(value).strip().lower() if isinstance(value, str) else None
    if text not in choices:
        raise UsageError(f"{label} must be one of {', '.join(choices)}, got {value!r}")
    return text


def _text(value: Any, label: str) -> str:
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        raise UsageError(f"{label} must be text, got {value!r}")
    return str(value).strip()


def make_answers(
    values: Mapping[str, Any], *, label: Callable[[str], str] = lambda field: field
) -> Answers:
    """Validate raw answers (``None`` values count as not given).

    Args:
        values: field name -> value, as a caller, the CLI or an answers file gives them.
        label: how to name a field in errors (``--on-prem`` for a flag, say).

    Raises:
        UsageError: an unknown field, a missing ``task``/``examples``, or a bad value (the message
            names the field).
    """
    given = {k.replace("-", "_"): v for k, v in values.items() if v is not None}
    unknown = sorted(set(given) - set(INPUT_FIELDS))
    if unknown:
        raise UsageError(f"{label(unknown[0])}: unknown field (known: {', '.join(INPUT_FIELDS)})")
    for required in ("task", "examples"):
        if required not in given:
            raise UsageError(f"{label(required)} is required")
    name = label
    task_text = _text(given["task"], name("task"))
    if not task_text:
        raise UsageError(f"{name('task')} must not be empty")
    task = task_category(task_text)
    if task == "other" and task_text.strip().lower() != "other":
        # Free text that names no known task is more likely a typo than a new kind of task.
        raise UsageError(
            f"{name('task')}: {shown(task_text, 60)} names no task modelcat knows; "
            f"use one of {', '.join(TASKS)} (or words such as 'chat', 'summarize', 'extract')"
        )
    out: dict[str, Any] = {
        "task": task,
        "task_text": task_text,
        "examples": _whole(given["examples"], name("examples"), minimum=0),
    }
    for field in ("documents", "on_prem", "train_on_outputs", "host_api"):
        if field in given:
            out[field] = _bool(given[field], name(field))
    if "budget" in given:
        out["budget"] = budget_level(given["budget"], label=name("budget"))
        out["budget_text"] = str(given["budget"]).strip()
    for field in ("latency", "cost_per_request"):
        if field in given:
            out[field] = _choice(given[field], name(field), SENSITIVITIES)
    if "use" in given:
        out["use"] = _choice(given["use"], name("use"), ("commercial", "research", "personal"))
    if "distribute" in given:
        out["distribute"] = _choice(
            given["distribute"], name("distribute"), ("none", "weights", "derivatives")
        )
    for field, minimum in (("tasks", 1), ("top", 1), ("context", 1)):
        if field in given:
            out[field] = _whole(given[field], name(field), minimum=minimum)
    for field in ("memory", "gpu_memory", "mau", "max_params"):
        if field in given:
            out[field] = _text(given[field], name(field))
    _check_sizes(out, name)
    defaults = tuple(f for f in INPUT_FIELDS if f not in given)
    return Answers(**out, defaults=defaults)


def _check_sizes(out: dict[str, Any], name: Callable[[str], str]) -> None:
    from catalog.units import parse_count, parse_size

    for field in ("memory", "gpu_memory"):
        if field in out:
            parse_size(out[field], field=name(field))
    for field in ("mau", "max_params"):
        if field in out:
            parse_count(out[field], field=name(field))


def load_answers(path: str | Path) -> dict[str, Any]:
    """Read an answers file: a YAML mapping of field -> value (``on-prem`` and ``on_prem`` alike).

    Raises:
        UsageError: the file cannot be read, is not YAML, or is not a mapping with known fields.
    """
    import yaml

    where = str(path)
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as error:
        raise UsageError(f"cannot read answers file {where!r}: {error.strerror or error}") from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        line = f" at line {mark.line + 1}" if mark is not None else ""
        raise UsageError(f"answers file {where!r} is not valid YAML{line}") from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise UsageError(
            f"answers file {where!r} must be a mapping of field: value, got {type(data).__name__}"
        )
    out: dict[str, Any] = {}
    for key, value in data.items():
        field = str(key).strip().replace("-", "_")
        if field not in INPUT_FIELDS:
            raise UsageError(
                f"answers file {where!r}: unknown field {key!r} (known: {', '.join(INPUT_FIELDS)})"
            )
        out[field] = value
    return out


__all__ = [
    "BEHAVIOUR_TASKS",
    "BUDGETS",
    "FIELDS",
    "INPUT_FIELDS",
    "SENSITIVITIES",
    "TASKS",
    "Answers",
    "BudgetLevel",
    "Sensitivity",
    "Task",
    "budget_level",
    "load_answers",
    "make_answers",
    "task_category",
]

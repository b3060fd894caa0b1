"""How the advisor ranks models for an approach: a sum of small parts, each stated in ``why``.

- the catalog's own rank (``catalog.ranking``: license freedom, access, tunability, recency, curated);
- the license verdict for the intended use: allowed +2, conditional +1, unknown 0;
- the fit here: fits +2, tight +1, runs at a vendor +1, does not fit -5 (shown only when nothing fits);
- suitability: an instruction-tuned (chat/instruct) variant +1.5 for prompting and retrieval, a base
  variant +0.5 for tuning; a code model +2 for a code task;
- size: 0.5 x log2(parameters / 1B), between 0 and 4, times 1 when latency and cost per request
  matter little, 0.5 when they matter somewhat, -0.5 when either matters a lot (smaller is then
  better); an API model's undisclosed size counts 0;
- price: when the cost per request matters a lot, an API model loses its input price per million
  tokens / 2.5 (at most 3), or 1 when the catalog has no price;
- context: for prompting, few-shot and retrieval, a context window smaller than the approach
  needs (``--context``, else 4096, 8192 for RAG) -4: its prompts would be cut, and its memory is
  estimated at its own smaller window.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from catalog.ranking import score as catalog_score
from catalog.units import format_context, format_count

if TYPE_CHECKING:
    from catalog.advisor.answers import Answers
    from catalog.advisor.approaches import ApproachInfo
    from catalog.advisor.costs import Cost
    from catalog.domain import Model
    from catalog.licenses import Verdict

_VERDICT_POINTS = {"allowed": 2.0, "conditional": 1.0}
_FIT_POINTS = {"fits": 2.0, "tight": 1.0, "n/a": 1.0, "no": -5.0}
_SIZE_WEIGHT = {"low": 1.0, "medium": 0.5, "high": -0.5}
_LEVELS = ("low", "medium", "high")
SHORT_WINDOW_POINTS = -4.0
"""A context window too small for the approach sinks a model below every one that fits."""


def _fit_part(cost: Cost) -> str:
    fit = cost.fit
    if fit.level == "n/a":
        return f"{fit.note or 'runs at the vendor'}: no hardware needed"
    headroom = f"{fit.headroom:.0%} headroom" if fit.headroom is not None else ""
    if fit.level == "no":
        return f"does not fit here ({fit.device_name})"
    approx = ", approximate" if cost.approximate else ""
    return f"{fit.level} {fit.device} at {fit.dtype}, {headroom}{approx}"


def _suitability(model: Model, info: ApproachInfo, answers: Answers) -> tuple[float, list[str]]:
    points, parts = 0.0, []
    if info.method == "prompt_engineering" and model.variant in ("chat", "instruct"):
        points += 1.5
        parts.append(f"{model.variant} variant follows instructions (+1.5)")
    elif info.trains and model.variant == "base":
        points += 0.5
        parts.append("base variant: a clean start for tuning (+0.5)")
    coder = model.variant == "code" or "code" in f"{model.id} {model.family}".lower()
    if answers.task == "code" and coder:
        points += 2.0
        parts.append("a code model for a code task (+2)")
    return points, parts


def _size(model: Model, answers: Answers) -> tuple[float, str | None]:
    if not model.params:
        return 0.0, None
    level = max(answers.latency, answers.cost_per_request, key=_LEVELS.index)
    capacity = min(4.0, max(0.0, 0.5 * math.log2(model.params / 1e9)))
    points = round(_SIZE_WEIGHT[level] * capacity, 2)
    why = "larger answers better" if points >= 0 else "smaller is faster and cheaper per request"
    return points, f"{format_count(model.params)} parameters ({points:+g}: {why})"


def _price(model: Model, answers: Answers) -> tuple[float, str | None]:
    if not model.is_api or answers.cost_per_request != "high":
        return 0.0, None
    pricing = model.api.pricing if model.api is not None else None
    if pricing is None or pricing.input_per_mtok is None:
        return -1.0, "no known price while cost per request matters (-1)"
    points = -min(3.0, round(pricing.input_per_mtok / 2.5, 2))
    return points, f"${pricing.input_per_mtok:g} per M input tokens ({points:+g})"


def _window(short: tuple[int, int] | None, info: ApproachInfo) -> tuple[float, str | None]:
    if short is None:
        return 0.0, None
    window, needed = short
    return SHORT_WINDOW_POINTS, (
        f"context window {format_context(window)} is smaller than the {format_context(needed)} "
        f"tokens {info.approach} needs: prompts would be cut ({SHORT_WINDOW_POINTS:+g})"
    )


def score(
    model: Model,
    info: ApproachInfo,
    answers: Answers,
    *,
    verdict: Verdict,
    cost: Cost,
    commercial_use: str,
    short: tuple[int, int] | None = None,
) -> tuple[float, list[str]]:
    """The advisor's score of ``model`` for an approach, and the parts that make it up.

    ``short``: ``(window, needed)`` when the model's context window is smaller than the
    approach needs.
    """
    base = catalog_score(model, commercial_use=commercial_use)
    parts = [f"catalog rank {base:.1f}"]
    total = base
    points = _VERDICT_POINTS.get(verdict.verdict, 0.0)
    total += points
    parts.append(f"license {verdict.verdict} for this use ({points:+g})")
    points = _FIT_POINTS[cost.fit.level]
    total += points
    parts.append(f"{_fit_part(cost)} ({points:+g})")
    points, more = _suitability(model, info, answers)
    total += points
    parts.extend(more)
    for extra in (_size(model, answers), _price(model, answers), _window(short, info)):
        if extra[1] is not None:
            total += extra[0]
            parts.append(extra[1])
    return round(total, 2), parts


__all__ = ["score"]

"""The default ranking of ``shortlist``: how freely a model can be used, obtained and tuned.

The score is a sum of small, explainable parts (higher is better), stored with each row so a
ranked page of a large store is one indexed query:

- license: commercial use granted outright 3, with conditions 2, unknown 1, not granted 0;
- access: open weights 3, gated 2, API only 1, by research request 0.5;
- tunability: 0.5 per supported method (full, LoRA, QLoRA, prompt tuning, vendor API);
- recency: 0.5 per year after 2019 (newer families are usually stronger at the same size);
- curated entries get 1 over Hub-discovered ones, whose facts nobody reviewed.
"""

from __future__ import annotations

import datetime as dt

from catalog.domain import Model

_LICENSE_POINTS = {"yes": 3.0, "conditional": 2.0, "unknown": 1.0, "no": 0.0}
_ACCESS_POINTS = {"open": 3.0, "gated": 2.0, "api": 1.0, "request": 0.5}


def score(model: Model, *, commercial_use: str) -> float:
    """The ranking score of ``model`` given its license's commercial-use term value."""
    points = _LICENSE_POINTS.get(commercial_use, 1.0)
    points += _ACCESS_POINTS.get(model.access, 0.0)
    points += 0.5 * len(model.tunability)
    if model.release_date is not None:
        points += 0.5 * max(0.0, (model.release_date - dt.date(2019, 1, 1)).days / 365.25)
    if model.tier == "curated":
        points += 1.0
    return round(points, 4)

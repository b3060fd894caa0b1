"""Which optional parts of ``catalog`` this installation has.

Screens ask here before calling a feature, and show a clear "not available yet" state rather
than made-up numbers when a part is missing.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from functools import cache
from typing import Literal

FeatureName = Literal[
    "compliance", "estimate", "hardware", "sync", "local", "bench", "bench_results", "advisor"
]


@dataclass(frozen=True)
class Feature:
    """An optional catalog module and the names the TUI calls in it."""

    module: str
    names: tuple[str, ...]
    label: str


FEATURES: dict[FeatureName, Feature] = {
    "compliance": Feature("catalog.licenses", ("IntendedUse", "check_compliance"), "compliance"),
    "estimate": Feature(
        "catalog.fitting", ("estimate_for", "model_fit", "params_bound"), "estimates"
    ),
    "hardware": Feature("catalog.hardware", ("detect_hardware", "fit"), "hardware detection"),
    "sync": Feature("catalog.sync", ("sync", "hub_view", "drift_view"), "Hub sync"),
    "local": Feature("catalog.local", ("find_local_models",), "local models"),
    "bench": Feature("catalog.bench", ("run_benchmark",), "benchmarks"),
    "bench_results": Feature(
        "catalog.bench.store", ("save_result", "load_results", "best_results"), "stored benchmarks"
    ),
    "advisor": Feature("catalog.advisor", ("advise",), "the advisor"),
}


@cache
def available(name: FeatureName) -> bool:
    """True when the feature's module imports and has every name the TUI calls."""
    feature = FEATURES[name]
    try:
        module = importlib.import_module(feature.module)
    except ImportError:
        return False
    return all(hasattr(module, attr) for attr in feature.names)


def missing_message(name: FeatureName) -> str:
    """What to show where a feature is not there yet."""
    feature = FEATURES[name]
    wanted = ", ".join(f"{feature.module}.{n}" for n in feature.names)
    return f"{feature.label.capitalize()}: not available yet (this modelcat has no {wanted})."

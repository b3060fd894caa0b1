"""Local benchmarks: load a model from disk and measure it as llama-bench would.

Importing this package is cheap: torch and transformers load only when a run starts.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from catalog.bench.machine import GpuInfo, MachineInfo, collect_machine
    from catalog.bench.memory import MemoryReport
    from catalog.bench.params import BenchParams, Device, DeviceChoice, DType, DTypeChoice
    from catalog.bench.progress import (
        BenchmarkCancelled,
        BenchProgress,
        Phase,
        ProgressCallback,
    )
    from catalog.bench.result import BenchResult, Stat
    from catalog.bench.runner import perplexity_text, run_benchmark

__all__ = [
    "BenchParams",
    "BenchProgress",
    "BenchResult",
    "BenchmarkCancelled",
    "DType",
    "DTypeChoice",
    "Device",
    "DeviceChoice",
    "GpuInfo",
    "MachineInfo",
    "MemoryReport",
    "Phase",
    "ProgressCallback",
    "Stat",
    "collect_machine",
    "perplexity_text",
    "run_benchmark",
]

# Public names resolve on first use: ``show`` reads stored results (catalog.bench.store)
# without importing the runner, its safety checks and the hardware probe.
_LAZY = {
    "GpuInfo": "catalog.bench.machine",
    "MachineInfo": "catalog.bench.machine",
    "collect_machine": "catalog.bench.machine",
    "MemoryReport": "catalog.bench.memory",
    "BenchParams": "catalog.bench.params",
    "Device": "catalog.bench.params",
    "DeviceChoice": "catalog.bench.params",
    "DType": "catalog.bench.params",
    "DTypeChoice": "catalog.bench.params",
    "BenchmarkCancelled": "catalog.bench.progress",
    "BenchProgress": "catalog.bench.progress",
    "Phase": "catalog.bench.progress",
    "ProgressCallback": "catalog.bench.progress",
    "BenchResult": "catalog.bench.result",
    "Stat": "catalog.bench.result",
    "perplexity_text": "catalog.bench.runner",
    "run_benchmark": "catalog.bench.runner",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'catalog.bench' has no attribute {name!r}")
    import importlib

    return getattr(importlib.import_module(module), name)

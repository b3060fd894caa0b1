"""Local benchmarks: load a model from disk and measure it as llama-bench would.

Importing this package is cheap: torch and transformers load only when a run starts.
"""

from __future__ import annotations

from catalog.bench.machine import GpuInfo, MachineInfo, collect_machine
from catalog.bench.memory import MemoryReport
from catalog.bench.params import BenchParams, Device, DeviceChoice, DType, DTypeChoice
from catalog.bench.progress import BenchmarkCancelled, BenchProgress, Phase, ProgressCallback
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

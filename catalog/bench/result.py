"""What a benchmark run measured, as plain objects with a stable JSON shape."""

from __future__ import annotations

import datetime as dt
import math
import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from catalog.bench.machine import MachineInfo
from catalog.bench.memory import MemoryReport
from catalog.bench.params import BenchParams, Device, DType


@dataclass(frozen=True)
class Stat:
    """Mean, sample standard deviation (n-1; 0 for one sample) and the raw samples."""

    mean: float
    std: float
    samples: tuple[float, ...]

    @classmethod
    def of(cls, samples: Sequence[float]) -> Stat:
        """Summarise at least one sample."""
        if not samples:
            raise ValueError("a Stat needs at least one sample")
        values = tuple(float(s) for s in samples)
        std = statistics.stdev(values) if len(values) > 1 else 0.0
        return cls(mean=statistics.fmean(values), std=std, samples=values)

    @property
    def median(self) -> float:
        """The median sample, steadier than the mean on a busy machine."""
        return statistics.median(self.samples)

    def to_json(self) -> dict[str, Any]:
        """``{"mean", "std", "samples"}``."""
        return {"mean": self.mean, "std": self.std, "samples": list(self.samples)}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Stat:
        """Rebuild from ``to_json()``."""
        return cls(mean=float(data["mean"]), std=float(data["std"]), samples=tuple(data["samples"]))


@dataclass(frozen=True)
class BenchResult:
    """One complete benchmark run (a cancelled run has no result at all)."""

    model: str
    """The Hub id when known (cache entries), else the folder path."""
    path: str
    hub_id: str | None
    revision: str | None
    device: Device
    dtype: DType
    weights_format: str
    load_s: float
    """Seconds to load the weights onto the device, once (a cold disk cache makes it slower)."""
    prefill_tps: Stat
    """Prompt tokens per second of one forward pass over the prompt."""
    decode_tps: Stat
    """Generated tokens per second between the first and the last generated token."""
    ttft_s: Stat
    """Seconds from the generate call to the first generated token (prefill included)."""
    generate_s: Stat
    """Wall time of the whole generate call, for comparison with a bare ``generate`` loop."""
    memory: MemoryReport
    perplexity: float
    perplexity_tokens: int
    params: BenchParams
    machine: MachineInfo
    started_at: dt.datetime
    duration_s: float

    @property
    def peak_memory_bytes(self) -> int:
        """Process RSS high-water mark on CPU; peak reserved device memory on CUDA."""
        return self.memory.peak_bytes

    def to_json(self) -> dict[str, Any]:
        """The stable JSON shape of ``modelcat bench --format json`` (keys are never renamed)."""
        return {
            "model": self.model,
            "device": self.device,
            "dtype": self.dtype,
            "load_s": self.load_s,
            "prefill_tps": self.prefill_tps.to_json(),
            "decode_tps": self.decode_tps.to_json(),
            "ttft_s": self.ttft_s.to_json(),
            "peak_memory_bytes": self.peak_memory_bytes,
            "perplexity": self.perplexity if math.isfinite(self.perplexity) else None,
            "repeat": self.params.repeat,
            "machine": self.machine.to_json(),
            "path": self.path,
            "hub_id": self.hub_id,
            "revision": self.revision,
            "weights_format": self.weights_format,
            "generate_s": self.generate_s.to_json(),
            "memory": self.memory.to_json(),
            "perplexity_tokens": self.perplexity_tokens,
            "prompt_tokens": self.params.prompt_tokens,
            "gen_tokens": self.params.gen_tokens,
            "warmup": self.params.warmup,
            "threads": self.params.threads,
            "seed": self.params.seed,
            "trust_remote_code": self.params.trust_remote_code,
            "allow_pickle": self.params.allow_pickle,
            "started_at": self.started_at.isoformat(),
            "duration_s": self.duration_s,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> BenchResult:
        """Rebuild a result from its ``to_json()`` document (as the store keeps it)."""
        return cls(
            model=data["model"],
            path=data["path"],
            hub_id=data.get("hub_id"),
            revision=data.get("revision"),
            device=data["device"],
            dtype=data["dtype"],
            weights_format=data["weights_format"],
            load_s=float(data["load_s"]),
            prefill_tps=Stat.from_json(data["prefill_tps"]),
            decode_tps=Stat.from_json(data["decode_tps"]),
            ttft_s=Stat.from_json(data["ttft_s"]),
            generate_s=Stat.from_json(data["generate_s"]),
            memory=MemoryReport.from_json(data["memory"]),
            perplexity=_float(data["perplexity"]),
            perplexity_tokens=int(data["perplexity_tokens"]),
            params=BenchParams(
                prompt_tokens=int(data["prompt_tokens"]),
                gen_tokens=int(data["gen_tokens"]),
                repeat=int(data["repeat"]),
                warmup=int(data["warmup"]),
                threads=int(data["threads"]),
                seed=int(data["seed"]),
                trust_remote_code=bool(data["trust_remote_code"]),
                allow_pickle=bool(data["allow_pickle"]),
            ),
            machine=MachineInfo.from_json(data["machine"]),
            started_at=dt.datetime.fromisoformat(data["started_at"]),
            duration_s=float(data["duration_s"]),
        )


def _float(value: Any) -> float:
    return math.nan if value is None else float(value)

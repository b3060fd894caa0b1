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
from catalog.bench.params import BenchParams


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

    def percentile(self, share: float) -> float:
        """The ``share`` (0..1) percentile of the samples, interpolated between neighbours."""
        ordered = sorted(self.samples)
        position = share * (len(ordered) - 1)
        low = math.floor(position)
        high = min(low + 1, len(ordered) - 1)
        return ordered[low] + (ordered[high] - ordered[low]) * (position - low)

    def to_json(self) -> dict[str, Any]:
        """``{"mean", "std", "samples"}``."""
        return {"mean": self.mean, "std": self.std, "samples": list(self.samples)}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Stat:
        """Rebuild from ``to_json()``."""
        return cls(mean=float(data["mean"]), std=float(data["std"]), samples=tuple(data["samples"]))


@dataclass(frozen=True)
class ServerFigures:
    """What only a server run measures: parallel streams, throughput and latency spread."""

    endpoint: str
    """The base URL (never a key: keys live in the environment only)."""
    server_model: str
    concurrency: int
    throughput_tps: Stat
    """Generated tokens per second over all parallel streams, per round."""
    latency_s: Stat
    """Seconds from sending each request to its last token, every request of every round."""
    prompt_tokens_reported: int | None
    """Prompt tokens as the server counted them (the prompt is text: the client has no
    tokenizer), when it reports usage."""
    timings_from: str | None
    """``llama-server`` or ``ollama`` when the server's own timing fields gave prefill and
    decode speed; None when they were measured from the stream."""

    def to_json(self) -> dict[str, Any]:
        """All fields; latency adds ``p50`` and ``p95``."""
        return {
            "endpoint": self.endpoint,
            "server_model": self.server_model,
            "concurrency": self.concurrency,
            "throughput_tps": self.throughput_tps.to_json(),
            "latency_s": {
                **self.latency_s.to_json(),
                "p50": self.latency_s.percentile(0.5),
                "p95": self.latency_s.percentile(0.95),
            },
            "prompt_tokens_reported": self.prompt_tokens_reported,
            "timings_from": self.timings_from,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ServerFigures:
        """Rebuild from ``to_json()``."""
        reported = data.get("prompt_tokens_reported")
        return cls(
            endpoint=data["endpoint"],
            server_model=data["server_model"],
            concurrency=int(data["concurrency"]),
            throughput_tps=Stat.from_json(data["throughput_tps"]),
            latency_s=Stat.from_json(data["latency_s"]),
            prompt_tokens_reported=int(reported) if reported is not None else None,
            timings_from=data.get("timings_from"),
        )


@dataclass(frozen=True)
class BenchResult:
    """One complete benchmark run (a cancelled run has no result at all)."""

    model: str
    """The Hub id when known (cache entries), else the folder path."""
    path: str
    hub_id: str | None
    revision: str | None
    device: str
    """``cpu`` or ``cuda`` (transformers), ``cpu`` or ``gpu`` (llama.cpp), ``server``."""
    dtype: str
    """What the weights compute in: ``fp32``/``bf16``/``fp16``, or the GGUF type."""
    weights_format: str
    load_s: float | None
    """Seconds to load the weights onto the device, once (a cold disk cache makes it slower);
    None for a server, which loaded its model before the run."""
    prefill_tps: Stat | None
    """Prompt tokens per second of one pass over the prompt; for a server, from its own
    timings, None when it reports none."""
    decode_tps: Stat
    """Generated tokens per second between the first and the last generated token."""
    ttft_s: Stat
    """Seconds from the generate call to the first generated token (prefill included)."""
    generate_s: Stat
    """Wall time of the whole generate call, for comparison with a bare ``generate`` loop."""
    memory: MemoryReport | None
    """None for a server: its process is not this one."""
    perplexity: float
    """NaN where the runtime exposes no logits (a server)."""
    perplexity_tokens: int
    params: BenchParams
    machine: MachineInfo
    started_at: dt.datetime
    duration_s: float
    backend: str = "transformers"
    """``transformers``, ``llama-cpp`` or ``openai``."""
    quantization: str | None = None
    """The weights as stored: the torch dtype, the GGUF type (``Q4_K_M``), or for a server
    what its GGUF file says when the model name is a path on this machine."""
    runtime: str | None = None
    """The runtime and its version (``llama-cpp-python 0.3.36``)."""
    server: ServerFigures | None = None
    notes: tuple[str, ...] = ()
    """What to know to read the figures, e.g. that the folder's own code was ignored."""

    @property
    def peak_memory_bytes(self) -> int | None:
        """Process RSS high-water mark on CPU; peak reserved device memory on CUDA; None for
        a server."""
        return self.memory.peak_bytes if self.memory is not None else None

    @property
    def label(self) -> str:
        """Backend and quantization, as results of one model are told apart side by side."""
        return f"{self.backend} {self.quantization or self.dtype}"

    def to_json(self) -> dict[str, Any]:
        """The stable JSON shape of ``modelcat bench --format json`` (keys are never renamed)."""
        return {
            "model": self.model,
            "device": self.device,
            "dtype": self.dtype,
            "load_s": self.load_s,
            "prefill_tps": self.prefill_tps.to_json() if self.prefill_tps else None,
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
            "memory": self.memory.to_json() if self.memory else None,
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
            "backend": self.backend,
            "quantization": self.quantization,
            "runtime": self.runtime,
            "context": self.params.context,
            "gpu_layers": self.params.gpu_layers,
            "server": self.server.to_json() if self.server else None,
            "notes": list(self.notes),
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
            load_s=_optional_float(data["load_s"]),
            prefill_tps=Stat.from_json(data["prefill_tps"]) if data["prefill_tps"] else None,
            decode_tps=Stat.from_json(data["decode_tps"]),
            ttft_s=Stat.from_json(data["ttft_s"]),
            generate_s=Stat.from_json(data["generate_s"]),
            memory=MemoryReport.from_json(data["memory"]) if data["memory"] else None,
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
                context=data.get("context"),
                gpu_layers=data.get("gpu_layers"),
            ),
            machine=MachineInfo.from_json(data["machine"]),
            started_at=dt.datetime.fromisoformat(data["started_at"]),
            duration_s=float(data["duration_s"]),
            # Runs stored before there were several backends were all transformers runs.
            backend=data.get("backend", "transformers"),
            quantization=data.get("quantization", data["dtype"]),
            runtime=data.get("runtime"),
            server=ServerFigures.from_json(data["server"]) if data.get("server") else None,
            notes=tuple(str(note) for note in data.get("notes") or ()),
        )


def _float(value: Any) -> float:
    return math.nan if value is None else float(value)


def _optional_float(value: Any) -> float | None:
    return None if value is None else float(value)

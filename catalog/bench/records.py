"""Stored benchmark runs and machines as plain objects, and their column values in the store."""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from typing import Any

from catalog.bench.machine import MachineInfo
from catalog.bench.result import BenchResult, Stat
from catalog.store.bench_store import MachineRecordRow, RunRecord


@dataclass(frozen=True)
class StoredRun:
    """A benchmark result as the store keeps it: the run id, the catalog entry it measured
    (when known) and the name of the machine it ran on (when named).

    The figures are read through to ``result``, so a ``StoredRun`` can stand in for a
    ``BenchResult`` wherever only the figures are shown (``model``, ``decode_tps``, ...).
    """

    id: str
    catalog_id: str | None
    machine_name: str | None
    recorded_at: dt.datetime
    result: BenchResult

    @property
    def model(self) -> str:
        """The Hub id when known, else the folder (as the result names it)."""
        return self.result.model

    @property
    def device(self) -> str:
        """``cpu`` or ``cuda``."""
        return self.result.device

    @property
    def dtype(self) -> str:
        """``fp32``, ``bf16`` or ``fp16``."""
        return self.result.dtype

    @property
    def prefill_tps(self) -> Stat | None:
        """Prompt tokens per second (None for a server that reports no timings)."""
        return self.result.prefill_tps

    @property
    def decode_tps(self) -> Stat:
        """Generated tokens per second."""
        return self.result.decode_tps

    @property
    def ttft_s(self) -> Stat:
        """Seconds to the first generated token."""
        return self.result.ttft_s

    @property
    def peak_memory_bytes(self) -> int | None:
        """RSS peak on CPU, peak reserved device memory on CUDA, None for a server."""
        return self.result.peak_memory_bytes

    @property
    def perplexity(self) -> float:
        """Perplexity on the shipped text (NaN when it was not finite)."""
        return self.result.perplexity

    @property
    def started_at(self) -> dt.datetime:
        """When the run started (UTC)."""
        return self.result.started_at

    @property
    def machine(self) -> MachineInfo:
        """The machine the run was measured on."""
        return self.result.machine

    @property
    def machine_fingerprint(self) -> str:
        """The machine's 16-hex-digit fingerprint."""
        return self.result.machine.fingerprint

    @property
    def machine_label(self) -> str:
        """The machine's name, else its fingerprint."""
        return self.machine_name or self.machine_fingerprint

    def to_json(self) -> dict[str, Any]:
        """``BenchResult.to_json()`` with the run ``id``, ``catalog_id``, ``machine_name`` and
        ``recorded_at``."""
        return {
            "id": self.id,
            **self.result.to_json(),
            "catalog_id": self.catalog_id,
            "machine_name": self.machine_name,
            "recorded_at": self.recorded_at.isoformat(),
        }


@dataclass(frozen=True)
class MachineRecord:
    """A machine results were recorded on."""

    fingerprint: str
    name: str | None
    info: MachineInfo
    first_seen: dt.datetime
    last_seen: dt.datetime
    runs: int

    @property
    def label(self) -> str:
        """The name, else the fingerprint."""
        return self.name or self.fingerprint

    def to_json(self) -> dict[str, Any]:
        """Fingerprint, name, machine details, first/last seen and the number of runs."""
        return {
            "fingerprint": self.fingerprint,
            "name": self.name,
            "machine": self.info.to_json(),
            "first_seen": self.first_seen.isoformat(),
            "last_seen": self.last_seen.isoformat(),
            "runs": self.runs,
        }


def run_row(
    result: BenchResult, *, run_id: str, catalog_id: str | None, recorded_at: dt.datetime
) -> dict[str, Any]:
    """Column values of ``bench_run`` for ``result``."""
    return {
        "id": run_id,
        "catalog_id": catalog_id,
        "hub_id": result.hub_id,
        "model": result.model,
        "path": result.path,
        "revision": result.revision,
        "machine_fingerprint": result.machine.fingerprint,
        "machine": result.machine.to_json(),
        "device": result.device,
        "dtype": result.dtype,
        "backend": result.backend,
        "quantization": result.quantization,
        "weights_format": result.weights_format,
        "prompt_tokens": result.params.prompt_tokens,
        "gen_tokens": result.params.gen_tokens,
        "repeat": result.params.repeat,
        "warmup": result.params.warmup,
        "threads": result.params.threads,
        "trust_remote_code": result.params.trust_remote_code,
        "allow_pickle": result.params.allow_pickle,
        "load_s": result.load_s,
        "prefill_tps_mean": result.prefill_tps.mean if result.prefill_tps else None,
        "prefill_tps_std": result.prefill_tps.std if result.prefill_tps else None,
        "decode_tps_mean": result.decode_tps.mean,
        "decode_tps_std": result.decode_tps.std,
        "ttft_s_mean": result.ttft_s.mean,
        "ttft_s_std": result.ttft_s.std,
        "peak_memory_bytes": result.peak_memory_bytes,
        "perplexity": result.perplexity if math.isfinite(result.perplexity) else None,
        "result": result.to_json(),
        "started_at": result.started_at,
        "recorded_at": recorded_at,
    }


def stored_run(record: RunRecord) -> StoredRun:
    """A ``StoredRun`` from what the store returns."""
    return StoredRun(
        id=record.id,
        catalog_id=record.catalog_id,
        machine_name=record.machine_name,
        recorded_at=record.recorded_at,
        result=BenchResult.from_json(record.result),
    )


def machine_record(record: MachineRecordRow) -> MachineRecord:
    """A ``MachineRecord`` from what the store returns."""
    return MachineRecord(
        fingerprint=record.fingerprint,
        name=record.name,
        info=MachineInfo.from_json(record.info),
        first_seen=record.first_seen,
        last_seen=record.last_seen,
        runs=record.runs,
    )

"""Benchmark results built directly (no torch), for tests of the store alone."""

from __future__ import annotations

import datetime as dt

from catalog.bench import BenchParams, BenchResult, MachineInfo, MemoryReport, Stat


def machine(*, cpu: str = "Test CPU 3000", ram_bytes: int = 16 * 2**30) -> MachineInfo:
    """A machine description; another ``cpu`` gives another fingerprint."""
    return MachineInfo(
        cpu=cpu,
        cpu_cores=4,
        cpu_threads=8,
        ram_bytes=ram_bytes,
        os="Linux",
        os_release="6.1.0",
        python="3.11.7",
        torch="2.13.0",
        transformers="5.0.0",
    )


def result(
    *,
    model: str = "tiny-org/tiny-llama",
    hub_id: str | None = "tiny-org/tiny-llama",
    decode: tuple[float, ...] = (100.0, 110.0),
    on: MachineInfo | None = None,
    started_at: dt.datetime | None = None,
    perplexity: float = 42.5,
) -> BenchResult:
    """A complete result with the given decode samples."""
    return BenchResult(
        model=model,
        path=f"/models/{model}",
        hub_id=hub_id,
        revision="a" * 40 if hub_id else None,
        device="cpu",
        dtype="fp32",
        weights_format="safetensors",
        load_s=0.25,
        prefill_tps=Stat.of([2000.0, 2100.0]),
        decode_tps=Stat.of(decode),
        ttft_s=Stat.of([0.01, 0.012]),
        generate_s=Stat.of([0.1, 0.11]),
        memory=MemoryReport(rss_method="vmhwm", baseline_rss_bytes=10**8, peak_rss_bytes=2 * 10**8),
        perplexity=perplexity,
        perplexity_tokens=500,
        params=BenchParams(prompt_tokens=16, gen_tokens=6, repeat=2, warmup=1, threads=1),
        machine=on or machine(),
        started_at=started_at or dt.datetime(2025, 1, 2, 3, 4, 5, tzinfo=dt.UTC),
        duration_s=1.5,
    )

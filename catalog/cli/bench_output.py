"""How ``modelcat bench`` prints a run, the history and the machines.

A run prints as llama-bench does: one row per measured figure (``pp512``, ``tg128``, ...) with
``mean ± std`` in tables and Markdown, and separate numeric ``mean``/``std`` columns in CSV.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from catalog.bench.records import MachineRecord, StoredRun
from catalog.bench.result import BenchResult, Stat
from catalog.render import Column, Format, emit
from catalog.units import format_bytes, plural


@dataclass(frozen=True)
class Figure:
    """One measured figure of a run."""

    test: str
    mean: float | int | None
    std: float | None
    unit: str
    text: str
    """``mean ± std`` (or the single value) as shown in tables."""


def figures(result: BenchResult) -> list[Figure]:
    """The rows of a run: load, prefill, decode, time to first token, peak memory, perplexity;
    a server run has no load, memory or perplexity (and prefill only from the server's own
    timings) and adds throughput and latency percentiles under its concurrency."""
    p = result.params
    rows: list[Figure] = []
    if result.load_s is not None:
        rows.append(Figure("load", result.load_s, None, "s", f"{result.load_s:.3f}"))
    if result.prefill_tps is not None:
        rows.append(_stat(f"pp{p.prompt_tokens}", result.prefill_tps, "tokens/s"))
    rows += [
        _stat(f"tg{p.gen_tokens}", result.decode_tps, "tokens/s"),
        _stat(f"ttft pp{p.prompt_tokens}", result.ttft_s, "s", digits=4),
    ]
    server = result.server
    if server is not None:
        n = server.concurrency
        p50, p95 = server.latency_s.percentile(0.5), server.latency_s.percentile(0.95)
        rows += [
            _stat(f"throughput c{n}", server.throughput_tps, "tokens/s"),
            Figure(f"latency p50 c{n}", p50, None, "s", f"{p50:.4f}"),
            Figure(f"latency p95 c{n}", p95, None, "s", f"{p95:.4f}"),
        ]
        return rows
    peak = result.peak_memory_bytes
    if peak is not None:
        rows.append(Figure("peak memory", peak, None, "bytes", format_bytes(peak)))
    ppl = result.perplexity if math.isfinite(result.perplexity) else None
    rows.append(Figure("perplexity", ppl, None, "", f"{ppl:.2f}" if ppl is not None else "inf"))
    return rows


def _stat(test: str, stat: Stat, unit: str, *, digits: int = 2) -> Figure:
    return Figure(test, stat.mean, stat.std, unit, pm(stat, digits=digits))


def pm(stat: Stat, *, digits: int = 2) -> str:
    """``mean ± std``."""
    return f"{stat.mean:.{digits}f} ± {stat.std:.{digits}f}"


def _run_columns(result: BenchResult, fmt: Format) -> list[Column]:
    fixed = [
        Column("model", lambda _f: result.model),
        Column("backend", lambda _f: result.backend),
        Column("quant", lambda _f: result.quantization or result.dtype),
        Column("device", lambda _f: result.device),
        Column("dtype", lambda _f: result.dtype),
        Column("threads", lambda _f: result.params.threads, "right"),
        Column("test", lambda f: f.test),
    ]
    if fmt is Format.csv:
        return [
            *fixed,
            Column("mean", lambda f: _num(f.mean)),
            Column("std", lambda f: _num(f.std)),
            Column("unit", lambda f: f.unit),
        ]
    shown = [
        *fixed,
        Column("result", lambda f: f.text, "right"),
        Column("unit", lambda f: "" if f.unit == "bytes" else f.unit),
    ]
    # On a terminal the title names the model; repeating it on every row only wraps the table.
    return shown[1:] if fmt is Format.table else shown


def _num(value: float | int | None) -> str:
    return "" if value is None else repr(value)


def print_run(result: BenchResult, fmt: Format, *, payload: dict[str, Any]) -> None:
    """A run in ``fmt``; JSON prints ``payload`` (the result with its stored id)."""
    where = (
        f"{result.server.endpoint}, measured from {result.machine.cpu}"
        if result.server is not None
        else result.machine.cpu
    )
    title = f"{result.model} ({result.label}) on {where} ({result.machine.fingerprint})"
    emit(figures(result), _run_columns(result, fmt), fmt, json_payload=payload, title=title)


def _history_columns(fmt: Format) -> list[Column]:
    fixed = [
        Column("date", lambda r: r.started_at.strftime("%Y-%m-%d %H:%M")),
        Column("model", lambda r: r.catalog_id or r.model),
        Column("machine", lambda r: r.machine_label),
        Column("backend", lambda r: r.result.backend),
        Column("quant", lambda r: r.result.quantization or r.dtype),
        Column("device", lambda r: r.device),
        Column("dtype", lambda r: r.dtype),
        Column(
            "test", lambda r: f"pp{r.result.params.prompt_tokens}/tg{r.result.params.gen_tokens}"
        ),
    ]
    if fmt is Format.csv:
        return [
            *fixed,
            Column("prefill_tps_mean", lambda r: repr(r.prefill_tps.mean) if r.prefill_tps else ""),
            Column("prefill_tps_std", lambda r: repr(r.prefill_tps.std) if r.prefill_tps else ""),
            Column("decode_tps_mean", lambda r: repr(r.decode_tps.mean)),
            Column("decode_tps_std", lambda r: repr(r.decode_tps.std)),
            Column("peak_memory_bytes", lambda r: _num(r.peak_memory_bytes)),
            Column("perplexity", lambda r: _ppl(r.perplexity, digits=None)),
            Column("machine_fingerprint", lambda r: r.machine_fingerprint),
            Column("id", lambda r: r.id),
        ]
    return [
        *fixed,
        Column("prefill t/s", lambda r: pm(r.prefill_tps) if r.prefill_tps else "", "right"),
        Column("decode t/s", lambda r: pm(r.decode_tps), "right"),
        Column("peak mem", lambda r: _bytes(r.peak_memory_bytes), "right"),
        Column("ppl", lambda r: _ppl(r.perplexity, digits=2), "right"),
        Column("id", lambda r: r.id[:8]),
    ]


def _bytes(value: int | None) -> str:
    return "" if value is None else format_bytes(value)


def _ppl(value: float, *, digits: int | None) -> str:
    if not math.isfinite(value):
        return ""
    return repr(value) if digits is None else f"{value:.{digits}f}"


def print_history(runs: list[StoredRun], fmt: Format, *, title: str) -> None:
    """Past runs, newest first; JSON lists each run's full document."""
    emit(runs, _history_columns(fmt), fmt, json_payload=[r.to_json() for r in runs], title=title)


MACHINE_COLUMNS = [
    Column("fingerprint", lambda m: m.fingerprint),
    Column("name", lambda m: m.name),
    Column("cpu", lambda m: m.info.cpu),
    Column("cores", lambda m: f"{m.info.cpu_cores or '?'}/{m.info.cpu_threads or '?'}", "right"),
    Column("ram", lambda m: format_bytes(m.info.ram_bytes), "right"),
    Column("gpus", lambda m: [g.name for g in m.info.gpus]),
    Column("torch", lambda m: m.info.torch),
    Column("runs", lambda m: m.runs, "right"),
    Column("last seen", lambda m: m.last_seen.strftime("%Y-%m-%d %H:%M")),
]


def print_machines(machines: list[MachineRecord], fmt: Format) -> None:
    """The machines with stored results."""
    emit(
        machines,
        MACHINE_COLUMNS,
        fmt,
        json_payload=[m.to_json() for m in machines],
        title=plural(len(machines), "machine"),
    )

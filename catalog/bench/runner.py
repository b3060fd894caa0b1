"""``run_benchmark``: load a local model and measure it the way llama-bench does.

Order of a run: checks (before anything is loaded), load (timed once), ``warmup`` unmeasured
rounds, ``repeat`` measured rounds of prefill then decode, peak memory read, perplexity.
Perplexity comes after the memory reading because scoring a long text allocates logits for
every position, which would inflate the peak beyond what generation needs.
"""

from __future__ import annotations

import datetime as dt
import os
import threading
import time
from importlib import resources

from catalog.bench import _torch_backend as backend
from catalog.bench.machine import collect_machine
from catalog.bench.memory import MemoryReport, RssPeak
from catalog.bench.params import BenchParams, DeviceChoice, DTypeChoice, validate
from catalog.bench.progress import ProgressCallback, Steps
from catalog.bench.resolve import resolve_model
from catalog.bench.result import BenchResult, Stat
from catalog.bench.safety import check_model_folder
from catalog.errors import UsageError


def perplexity_text() -> str:
    """The short English text perplexity is measured on (public domain: Austen, Dickens,
    Melville, Lincoln), shipped as ``catalog/bench/perplexity.txt``."""
    return resources.files("catalog.bench").joinpath("perplexity.txt").read_text(encoding="utf-8")


def run_benchmark(
    *,
    path_or_model: str | os.PathLike[str],
    device: DeviceChoice = "auto",
    dtype: DTypeChoice = "auto",
    threads: int | None = None,
    prompt_tokens: int = 512,
    gen_tokens: int = 128,
    repeat: int = 5,
    warmup: int = 1,
    trust_remote_code: bool = False,
    allow_pickle: bool = False,
    progress: ProgressCallback | None = None,
    cancel: threading.Event | None = None,
) -> BenchResult:
    """Measure a local model: load time, prefill and decode speed, time to first token, peak
    memory and perplexity, each speed over ``repeat`` rounds after ``warmup`` rounds.

    Args:
        path_or_model: a model folder, or a Hub id already in the Hugging Face cache.
        device: ``cpu``, ``cuda`` or ``auto`` (CUDA when available).
        dtype: ``fp32``, ``bf16``, ``fp16`` or ``auto`` (fp32 on CPU, bf16/fp16 on CUDA).
        threads: torch intra-op threads for the run (restored afterwards); None keeps torch's.
        prompt_tokens: tokens in the prompt (llama-bench ``-p``).
        gen_tokens: tokens generated, always exactly that many (llama-bench ``-n``).
        repeat: measured rounds (llama-bench ``-r``).
        warmup: unmeasured rounds first.
        trust_remote_code: allow running Python code shipped with the model.
        allow_pickle: allow pickle weights when no safetensors exist (loaded ``weights_only``).
        progress: called with each phase and the share of the run done.
        cancel: when set, the run stops at the next step or token and raises.

    Returns:
        The complete result; a failed or cancelled run returns nothing.

    Raises:
        UsageError: a setting is out of range, or the prompt does not fit the context.
        UnsafeModelError: the model needs ``trust_remote_code`` or ``allow_pickle``.
        BenchmarkError: torch/transformers missing, the model cannot be found or loaded.
        BenchmarkCancelled: ``cancel`` was set.
    """
    validate(
        device=device,
        dtype=dtype,
        threads=threads,
        prompt_tokens=prompt_tokens,
        gen_tokens=gen_tokens,
        repeat=repeat,
        warmup=warmup,
    )
    location = resolve_model(path_or_model)
    backend.ensure_available()
    plan = check_model_folder(
        location.path,
        trust_remote_code=trust_remote_code,
        allow_pickle=allow_pickle,
        native_model_types=backend.native_model_types(),
        is_native_tokenizer=backend.is_native_tokenizer,
    )
    on = backend.pick_device(device)
    as_dtype = backend.pick_dtype(dtype, on)
    steps = Steps(total=2 + 2 * warmup + 2 * repeat, progress=progress, cancel=cancel)
    text = perplexity_text()
    started_at = dt.datetime.now(dt.UTC)
    clock = time.perf_counter()
    prefill_s: list[float] = []
    timings: list[backend.GenerateTiming] = []
    with backend.session(threads=threads, device=on) as used_threads:
        rss = RssPeak()
        rss.start()
        if on == "cuda":
            backend.reset_cuda_peak()
        steps.start("load")
        loaded, load_s = backend.load(
            plan, device=on, dtype=as_dtype, trust_remote_code=trust_remote_code
        )
        try:
            if loaded.context_length and prompt_tokens + gen_tokens > loaded.context_length:
                raise UsageError(
                    f"{prompt_tokens} prompt + {gen_tokens} generated tokens exceed the model's "
                    f"context of {loaded.context_length}; lower --prompt-tokens or --gen-tokens"
                )
            ids = backend.prompt_ids(loaded, text, prompt_tokens)
            for round_ in range(1, warmup + 1):
                steps.start("warmup", repeat=round_)
                backend.time_prefill(loaded, ids)
                steps.start("warmup", repeat=round_)
                backend.time_generate(loaded, ids, gen_tokens=gen_tokens, cancel=cancel)
            for round_ in range(1, repeat + 1):
                steps.start("prefill", repeat=round_)
                prefill_s.append(backend.time_prefill(loaded, ids))
                steps.start("decode", repeat=round_)
                timings.append(
                    backend.time_generate(loaded, ids, gen_tokens=gen_tokens, cancel=cancel)
                )
            gpu = backend.cuda_peaks() if on == "cuda" else None
            memory = MemoryReport(
                rss_method=rss.method,
                baseline_rss_bytes=rss.baseline,
                peak_rss_bytes=rss.peak(),
                gpu_peak_allocated_bytes=gpu[0] if gpu else None,
                gpu_peak_reserved_bytes=gpu[1] if gpu else None,
            )
            steps.start("perplexity")
            ppl, ppl_tokens = backend.perplexity(loaded, text)
            steps.finish()
        finally:
            backend.release(loaded)
    return BenchResult(
        model=location.label,
        path=str(location.path),
        hub_id=location.hub_id,
        revision=location.revision,
        device=on,
        dtype=as_dtype,
        weights_format=plan.weights_format,
        load_s=load_s,
        prefill_tps=Stat.of([prompt_tokens / s for s in prefill_s]),
        decode_tps=Stat.of([(gen_tokens - 1) / t.decode_s for t in timings]),
        ttft_s=Stat.of([t.ttft_s for t in timings]),
        generate_s=Stat.of([t.total_s for t in timings]),
        memory=memory,
        perplexity=ppl,
        perplexity_tokens=ppl_tokens,
        params=BenchParams(
            prompt_tokens=prompt_tokens,
            gen_tokens=gen_tokens,
            repeat=repeat,
            warmup=warmup,
            threads=used_threads,
            trust_remote_code=trust_remote_code,
            allow_pickle=allow_pickle,
        ),
        machine=collect_machine(gpus=backend.gpu_info()),
        started_at=started_at,
        duration_s=time.perf_counter() - clock,
    )

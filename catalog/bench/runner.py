"""``run_benchmark``: measure a model on the runtime it will ship with, as llama-bench does.

Order of an in-process run (transformers, llama.cpp): checks (before anything is loaded),
load (timed once), ``warmup`` unmeasured rounds, ``repeat`` measured rounds of prefill then
decode, peak memory read, perplexity. Perplexity comes after the memory reading because
scoring a long text allocates logits for every position, which would inflate the peak beyond
what generation needs. A server run (``openai``) has its own loop in
``catalog.bench.backends.openai`` with the same warm-up, repeats and result.
"""

from __future__ import annotations

import datetime as dt
import os
import threading
import time
from importlib import resources
from pathlib import Path

from catalog.bench.backends.base import BACKENDS, BackendName, GenerateTiming, InProcessRuntime
from catalog.bench.machine import collect_machine
from catalog.bench.memory import MemoryReport, RssPeak
from catalog.bench.params import BenchParams, DeviceChoice, DTypeChoice, validate
from catalog.bench.precheck import check_fits
from catalog.bench.progress import ProgressCallback, Steps
from catalog.bench.resolve import ModelLocation, resolve_model
from catalog.bench.result import BenchResult, Stat
from catalog.errors import UsageError


def perplexity_text() -> str:
    """The short English text perplexity is measured on (public domain: Austen, Dickens,
    Melville, Lincoln), shipped as ``catalog/bench/perplexity.txt``."""
    return resources.files("catalog.bench").joinpath("perplexity.txt").read_text(encoding="utf-8")


def default_backend(
    path_or_model: str | os.PathLike[str] | None, endpoint: str | None
) -> BackendName:
    """The backend a target calls for: a server with an endpoint, llama.cpp for a GGUF file,
    else transformers."""
    if endpoint is not None:
        return "openai"
    if path_or_model is not None and Path(os.fspath(path_or_model)).suffix.lower() == ".gguf":
        return "llama-cpp"
    return "transformers"


def run_benchmark(
    *,
    path_or_model: str | os.PathLike[str] | None = None,
    backend: BackendName | None = None,
    device: DeviceChoice = "auto",
    dtype: DTypeChoice = "auto",
    threads: int | None = None,
    prompt_tokens: int = 512,
    gen_tokens: int = 128,
    repeat: int = 5,
    warmup: int = 1,
    trust_remote_code: bool = False,
    allow_pickle: bool = False,
    context: int | None = None,
    gpu_layers: int = 0,
    endpoint: str | None = None,
    server_model: str | None = None,
    api_key_env: str | None = None,
    concurrency: int = 1,
    timeout: float = 60.0,
    allow_remote: bool = False,
    force: bool = False,
    progress: ProgressCallback | None = None,
    cancel: threading.Event | None = None,
) -> BenchResult:
    """Measure a model: load time, prefill and decode speed, time to first token, peak
    memory and perplexity, each speed over ``repeat`` rounds after ``warmup`` rounds.

    Args:
        path_or_model: a model folder, a Hub id in the Hugging Face cache, or a GGUF file;
            for ``openai`` optional (the server's model name is ``server_model``).
        backend: ``transformers``, ``llama-cpp`` or ``openai``; by default from the target
            (``default_backend``).
        device: transformers: ``cpu``, ``cuda`` or ``auto`` (CUDA when available).
        dtype: transformers: ``fp32``, ``bf16``, ``fp16`` or ``auto``.
        threads: CPU threads for the run; None keeps the runtime's default.
        prompt_tokens: tokens in the prompt (llama-bench ``-p``).
        gen_tokens: tokens generated (llama-bench ``-n``).
        repeat: measured rounds (llama-bench ``-r``).
        warmup: unmeasured rounds first.
        trust_remote_code: transformers: allow running Python code shipped with the model.
        allow_pickle: transformers: allow pickle weights when no safetensors exist.
        context: llama.cpp: the context to load with (default: prompt + generated, rounded up).
        gpu_layers: llama.cpp: layers offloaded to a GPU.
        endpoint: openai: the server's base URL (``http://127.0.0.1:8080/v1``).
        server_model: openai: the model name the server knows (default: its first model).
        api_key_env: openai: the environment variable holding the API key (never stored).
        concurrency: openai: parallel streams per round.
        timeout: openai: seconds to wait for the first token and between tokens.
        allow_remote: openai: allow an endpoint that is not on this machine.
        force: load the model even when its memory estimate is larger than what its device
            has free (``catalog.bench.precheck``).
        progress: called with each phase and the share of the run done.
        cancel: when set, the run stops at the next step or token and raises.

    Returns:
        The complete result; a failed or cancelled run returns nothing.

    Raises:
        UsageError: a setting is out of range, the prompt does not fit the context, or a
            remote endpoint without ``allow_remote``.
        UnsafeModelError: the model needs ``trust_remote_code`` or ``allow_pickle``.
        GGUFError: a GGUF file is truncated or damaged.
        BenchmarkError: the runtime is missing, the model cannot be found or loaded, it would
            not fit in memory (without ``force``), or the server failed (an error status, a
            dropped stream, a timeout).
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
    chosen = backend or default_backend(path_or_model, endpoint)
    if chosen not in BACKENDS:
        raise UsageError(f"backend must be one of {', '.join(BACKENDS)}, not {chosen!r}")
    if chosen == "openai":
        from catalog.bench.backends import openai

        if endpoint is None:
            raise UsageError("the openai backend needs --endpoint (e.g. http://127.0.0.1:8080/v1)")
        return openai.run(
            endpoint=endpoint,
            server_model=server_model or (os.fspath(path_or_model) if path_or_model else None),
            api_key_env=api_key_env,
            concurrency=concurrency,
            timeout=timeout,
            allow_remote=allow_remote,
            prompt_tokens=prompt_tokens,
            gen_tokens=gen_tokens,
            repeat=repeat,
            warmup=warmup,
            text=perplexity_text(),
            progress=progress,
            cancel=cancel,
        )
    if endpoint is not None:
        raise UsageError(f"--endpoint goes with the openai backend, not {chosen}")
    if path_or_model is None:
        raise UsageError("give a model folder, a cached Hub id or a GGUF file to benchmark")
    location = resolve_model(path_or_model)
    runtime: InProcessRuntime
    if chosen == "llama-cpp":
        from catalog.bench.backends import llama_cpp

        runtime = llama_cpp.prepare(
            location.path,
            context=context,
            threads=threads,
            gpu_layers=gpu_layers,
            needed_tokens=prompt_tokens + gen_tokens,
        )
        version = llama_cpp.runtime_version()
    else:
        from catalog.bench.backends import transformers

        runtime = transformers.prepare(
            location.path,
            device=device,
            dtype=dtype,
            threads=threads,
            trust_remote_code=trust_remote_code,
            allow_pickle=allow_pickle,
        )
        version = transformers.runtime_version()
    if not force:
        check_fits(runtime, tokens=prompt_tokens + gen_tokens)
    return _measure(
        runtime,
        location=location,
        version=version,
        params=BenchParams(
            prompt_tokens=prompt_tokens,
            gen_tokens=gen_tokens,
            repeat=repeat,
            warmup=warmup,
            threads=0,
            trust_remote_code=trust_remote_code,
            allow_pickle=allow_pickle,
            context=context,
            gpu_layers=gpu_layers if chosen == "llama-cpp" else None,
        ),
        progress=progress,
        cancel=cancel,
    )


def _measure(
    runtime: InProcessRuntime,
    *,
    location: ModelLocation,
    version: str | None,
    params: BenchParams,
    progress: ProgressCallback | None,
    cancel: threading.Event | None,
) -> BenchResult:
    """The measured part of an in-process run: the same order for every runtime."""
    import dataclasses

    warmup, repeat = params.warmup, params.repeat
    prompt_tokens, gen_tokens = params.prompt_tokens, params.gen_tokens
    steps = Steps(total=2 + 2 * warmup + 2 * repeat, progress=progress, cancel=cancel)
    text = perplexity_text()
    started_at = dt.datetime.now(dt.UTC)
    clock = time.perf_counter()
    prefill_s: list[float] = []
    timings: list[GenerateTiming] = []
    with runtime.session() as used_threads:
        rss = RssPeak()
        rss.start()
        runtime.reset_gpu_peak()
        steps.start("load")
        loaded, load_s = runtime.load()
        try:
            context = loaded.context_length
            if context and prompt_tokens + gen_tokens > context:
                raise UsageError(
                    f"{prompt_tokens} prompt + {gen_tokens} generated tokens exceed the model's "
                    f"context of {context}; lower --prompt-tokens or --gen-tokens"
                )
            ids = loaded.prompt(text, prompt_tokens)
            for round_ in range(1, warmup + 1):
                steps.start("warmup", repeat=round_)
                loaded.time_prefill(ids)
                steps.start("warmup", repeat=round_)
                loaded.time_generate(ids, gen_tokens=gen_tokens, cancel=cancel)
            for round_ in range(1, repeat + 1):
                steps.start("prefill", repeat=round_)
                prefill_s.append(loaded.time_prefill(ids))
                steps.start("decode", repeat=round_)
                timings.append(loaded.time_generate(ids, gen_tokens=gen_tokens, cancel=cancel))
            gpu = runtime.gpu_peaks()
            memory = MemoryReport(
                rss_method=rss.method,
                baseline_rss_bytes=rss.baseline,
                peak_rss_bytes=rss.peak(),
                gpu_peak_allocated_bytes=gpu[0] if gpu else None,
                gpu_peak_reserved_bytes=gpu[1] if gpu else None,
            )
            steps.start("perplexity")
            ppl, ppl_tokens = loaded.perplexity(text)
            steps.finish()
        finally:
            loaded.release()
    placement = runtime.placement
    return BenchResult(
        model=location.label,
        path=str(location.path),
        hub_id=location.hub_id,
        revision=location.revision,
        device=placement.device,
        dtype=placement.dtype,
        weights_format=placement.weights_format,
        load_s=load_s,
        prefill_tps=Stat.of([prompt_tokens / s for s in prefill_s]),
        decode_tps=Stat.of([(gen_tokens - 1) / t.decode_s for t in timings]),
        ttft_s=Stat.of([t.ttft_s for t in timings]),
        generate_s=Stat.of([t.total_s for t in timings]),
        memory=memory,
        perplexity=ppl,
        perplexity_tokens=ppl_tokens,
        params=dataclasses.replace(
            params,
            threads=used_threads,
            context=context if runtime.name == "llama-cpp" else None,
        ),
        machine=collect_machine(gpus=runtime.gpus()),
        started_at=started_at,
        duration_s=time.perf_counter() - clock,
        backend=runtime.name,
        quantization=placement.quantization,
        runtime=version,
        notes=placement.notes,
    )

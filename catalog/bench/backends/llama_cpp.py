"""The llama.cpp runtime: a GGUF file loaded in this process through ``llama-cpp-python``.

``llama_cpp`` (and the numpy it brings) is imported inside functions: the package is an
optional extra (``modelcat[gguf]``). A GGUF file holds no code and no pickle, so nothing here
needs the transformers backend's consent flags; the chat template it may carry is never used.

Timing follows llama-bench: the prefill is one ``eval`` of the prompt after clearing the KV
cache; the generation is ``Llama.generate`` with greedy sampling, its prefix cache defeated by a
reset before every round, stopped after exactly ``gen_tokens`` tokens whatever it samples
(an end-of-sequence token does not stop it). Perplexity needs the logits of every position,
which the speed rounds must not pay for, so it is scored afterwards on a second context
loaded with ``logits_all``.
"""

from __future__ import annotations

import contextlib
import gc
import math
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from catalog.bench.backends.base import (
    BackendName,
    GenerateTiming,
    LoadedModel,
    Placement,
    perplexity_of,
)
from catalog.bench.machine import GpuInfo
from catalog.bench.params import SEED
from catalog.bench.progress import BenchmarkCancelled
from catalog.errors import BenchmarkError, UsageError
from catalog.local.gguf_meta import GGUFInfo, read_gguf

INSTALL_HINT = (
    "the llama-cpp backend needs llama-cpp-python: pip install 'modelcat[gguf]' "
    "(it builds llama.cpp from source: a C compiler and cmake, a few minutes)"
)
PERPLEXITY_WINDOW = 512
_CONTEXT_STEP = 256


def _llama_cpp() -> Any:
    """``llama_cpp``, typed as ``Any`` (its ctypes bindings carry no useful types)."""
    try:
        import llama_cpp
    except ImportError as exc:
        raise BenchmarkError(f"{INSTALL_HINT} ({exc})") from exc
    return llama_cpp


def runtime_version() -> str | None:
    """``llama-cpp-python X.Y.Z`` when installed."""
    from importlib import metadata

    try:
        return f"llama-cpp-python {metadata.version('llama_cpp_python')}"
    except metadata.PackageNotFoundError:
        return None


@dataclass(frozen=True)
class LlamaSettings:
    """How the file is loaded: context, threads, layers offloaded to a GPU."""

    n_ctx: int
    threads: int | None
    gpu_layers: int


class LlamaModel:
    """A loaded ``llama_cpp.Llama`` behind the runner's ``LoadedModel`` interface."""

    def __init__(self, llm: Any, *, path: Path, settings: LlamaSettings) -> None:
        self.llm: Any = llm
        self.path = path
        self.settings = settings

    @property
    def context_length(self) -> int | None:
        """The context the model was loaded with (``--context``)."""
        return int(self.llm.n_ctx()) if self.llm is not None else None

    def prompt(self, text: str, n_tokens: int) -> object:
        """Exactly ``n_tokens`` token ids of the text, without a BOS token."""
        ids = list(self.llm.tokenize(text.encode("utf-8"), add_bos=False))
        if not ids:
            raise BenchmarkError("the model's tokenizer turned the benchmark text into no tokens")
        return (ids * math.ceil(n_tokens / len(ids)))[:n_tokens]

    def time_prefill(self, prompt: object) -> float:
        """One ``eval`` of the prompt on an empty KV cache."""
        ids = _ids(prompt)
        self.llm.reset()
        started = time.perf_counter()
        self.llm.eval(ids)
        return time.perf_counter() - started

    def time_generate(
        self, prompt: object, *, gen_tokens: int, cancel: threading.Event | None
    ) -> GenerateTiming:
        """Greedy generation of exactly ``gen_tokens`` tokens, the clock read per token."""
        ids = _ids(prompt)
        self.llm.reset()
        times: list[float] = []
        started = time.perf_counter()
        tokens = self.llm.generate(ids, top_k=1, top_p=1.0, min_p=0.0, temp=0.0,
                                   repeat_penalty=1.0, reset=True)  # fmt: skip
        try:
            for _token in tokens:
                times.append(time.perf_counter())
                if cancel is not None and cancel.is_set():
                    raise BenchmarkCancelled()
                if len(times) == gen_tokens:
                    break
        finally:
            tokens.close()
        total = time.perf_counter() - started
        if len(times) != gen_tokens:
            raise BenchmarkError(f"llama.cpp generated {len(times)} tokens instead of {gen_tokens}")
        return GenerateTiming(
            ttft_s=times[0] - started, decode_s=times[-1] - times[0], total_s=total
        )

    def perplexity(self, text: str) -> tuple[float, int]:
        """Windows of ``PERPLEXITY_WINDOW`` tokens scored on a context that keeps every logit."""
        import numpy as np

        ids = list(self.llm.tokenize(text.encode("utf-8"), add_bos=True))
        window = min(PERPLEXITY_WINDOW, self.settings.n_ctx)
        self.release()  # the speed context's memory goes before the scoring context comes
        scorer = _load(self.path, LlamaSettings(window, self.settings.threads,
                                                self.settings.gpu_layers), logits_all=True)  # fmt: skip
        self.llm = scorer
        nll = 0.0
        count = 0
        for start in range(0, len(ids), window):
            chunk = ids[start : start + window]
            if len(chunk) < 2:
                continue
            scorer.reset()
            scorer.eval(chunk)
            logits = np.asarray(scorer.scores[: len(chunk) - 1], dtype=np.float64)
            peak = logits.max(axis=1, keepdims=True)
            log_norm = np.log(np.exp(logits - peak).sum(axis=1)) + peak[:, 0]
            picked = logits[np.arange(len(chunk) - 1), np.asarray(chunk[1:])]
            nll += float((log_norm - picked).sum())
            count += len(chunk) - 1
        return perplexity_of(nll, count)

    def release(self) -> None:
        """Close the model and its context."""
        if self.llm is not None:
            self.llm.close()
            self.llm = None
            gc.collect()


def _ids(prompt: object) -> list[int]:
    assert isinstance(prompt, list)
    return prompt


def _load(path: Path, settings: LlamaSettings, *, logits_all: bool = False) -> Any:
    llama_cpp = _llama_cpp()
    try:
        return llama_cpp.Llama(
            model_path=str(path),
            n_ctx=settings.n_ctx,
            n_batch=min(settings.n_ctx, 512),
            n_threads=settings.threads,
            n_threads_batch=settings.threads,
            n_gpu_layers=settings.gpu_layers,
            seed=SEED,
            logits_all=logits_all,
            verbose=False,
        )
    except (ValueError, RuntimeError, OSError) as exc:
        raise BenchmarkError(f"llama.cpp cannot load {path}: {exc}") from exc


class LlamaCppRuntime:
    """A GGUF file, read and checked, ready to load with llama.cpp."""

    name: BackendName = "llama-cpp"

    def __init__(self, info: GGUFInfo, settings: LlamaSettings) -> None:
        self.info = info
        self.settings = settings
        self.placement = Placement(
            device="gpu" if settings.gpu_layers else "cpu",
            dtype=info.quantization,
            quantization=info.quantization,
            weights_format="gguf",
        )

    @contextlib.contextmanager
    def session(self) -> Iterator[int]:
        """llama.cpp's own log lines off for the run; yields the threads it will use."""
        import multiprocessing

        yield self.settings.threads or max(multiprocessing.cpu_count() // 2, 1)

    def load(self) -> tuple[LoadedModel, float]:
        """Memory-map the file and build a context of ``n_ctx`` tokens."""
        started = time.perf_counter()
        llm = _load(self.info.path, self.settings)
        return LlamaModel(llm, path=self.info.path, settings=self.settings), (
            time.perf_counter() - started
        )

    def reset_gpu_peak(self) -> None:
        """llama.cpp does not report device memory peaks."""

    def gpu_peaks(self) -> tuple[int, int] | None:
        """Not reported by llama.cpp."""
        return None

    def gpus(self) -> list[GpuInfo]:
        """llama.cpp lists no devices through its Python API; none are recorded."""
        return []


def prepare(
    path: Path,
    *,
    context: int | None,
    threads: int | None,
    gpu_layers: int,
    needed_tokens: int,
) -> LlamaCppRuntime:
    """Read the GGUF header (nothing is loaded yet) and choose the context size.

    Args:
        path: the GGUF file (an Ollama blob is one).
        context: ``--context``; by default the prompt plus the generation, rounded up.
        threads: ``--threads``; llama-cpp-python's default (half the CPUs) when None.
        gpu_layers: ``--gpu-layers``: layers offloaded to a GPU (0: all on the CPU).
        needed_tokens: prompt plus generated tokens of one round.

    Raises:
        GGUFError: the file is not a readable GGUF model (truncated, damaged).
        UsageError: a setting is out of range, or the model's context is too short.
        BenchmarkError: llama-cpp-python is missing, or has no GPU offload and layers were asked for.
    """
    info = read_gguf(path)
    llama_cpp = _llama_cpp()
    if gpu_layers < 0:
        raise UsageError(f"--gpu-layers cannot be negative, not {gpu_layers}")
    if gpu_layers and not llama_cpp.llama_supports_gpu_offload():
        raise BenchmarkError(
            f"--gpu-layers {gpu_layers}: this llama-cpp-python build has no GPU offload "
            "(rebuild it with CMAKE_ARGS for CUDA, Metal or Vulkan)"
        )
    trained = info.context_length
    if context is None:
        n_ctx = -(-needed_tokens // _CONTEXT_STEP) * _CONTEXT_STEP
        n_ctx = min(n_ctx, trained) if trained else n_ctx
    else:
        if context < 1:
            raise UsageError(f"--context must be at least 1, not {context}")
        n_ctx = context
    if n_ctx < needed_tokens:
        limit = (
            f"the model's trained context of {trained}" if context is None else f"--context {n_ctx}"
        )
        raise UsageError(
            f"{needed_tokens} tokens (prompt + generated) exceed {limit}; "
            "lower --prompt-tokens or --gen-tokens"
        )
    return LlamaCppRuntime(info, LlamaSettings(n_ctx=n_ctx, threads=threads, gpu_layers=gpu_layers))

"""What the runner needs from a runtime that loads a model in this process.

``run_benchmark`` owns the order of a run (checks, load, warm-up, measured rounds, memory,
perplexity), the progress reports, cancellation and the result; a runtime only loads, times
and scores. The transformers and llama.cpp runtimes implement this; the OpenAI-compatible
client measures a server instead and has its own loop (``catalog.bench.backends.openai``).
"""

from __future__ import annotations

import math
import threading
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Literal, Protocol, get_args

from catalog.bench.machine import GpuInfo
from catalog.errors import BenchmarkError

BackendName = Literal["transformers", "llama-cpp", "openai"]
BACKENDS: tuple[str, ...] = get_args(BackendName)


@dataclass(frozen=True)
class GenerateTiming:
    """Clock readings of one generation of exactly ``gen_tokens`` tokens."""

    ttft_s: float
    """From the call to the first generated token (the prefill included)."""
    decode_s: float
    """From the first to the last generated token."""
    total_s: float


def perplexity_of(nll: float, count: int) -> tuple[float, int]:
    """``exp(mean negative log-likelihood)`` over ``count`` predicted tokens (inf on overflow).

    Raises:
        BenchmarkError: nothing was predicted (a text too short for the tokenizer).
    """
    if count == 0:
        raise BenchmarkError("the perplexity text is too short for this tokenizer")
    try:
        return math.exp(nll / count), count
    except OverflowError:
        return math.inf, count


@dataclass(frozen=True)
class Placement:
    """Where and how the weights run, as the result records it."""

    device: str
    """``cpu``, ``cuda`` (torch), ``gpu`` (llama.cpp offload) or ``server``."""
    dtype: str
    """What the weights compute in: ``fp32``/``bf16``/``fp16``, or the GGUF type."""
    quantization: str
    """The weights as stored: the torch dtype, or the GGUF type (``Q4_K_M``...)."""
    weights_format: str
    notes: tuple[str, ...] = ()
    """What the user must know to read the figures (the folder's own code was ignored)."""


class LoadedModel(Protocol):
    """A model in memory, ready to be timed."""

    @property
    def context_length(self) -> int | None:
        """Tokens the model (or the context it was loaded with) can hold."""
        ...

    def prompt(self, text: str, n_tokens: int) -> object:
        """Exactly ``n_tokens`` tokens of ``text`` (repeated as needed), ready to feed."""
        ...

    def time_prefill(self, prompt: object) -> float:
        """Seconds for one pass over the prompt that builds the KV cache."""
        ...

    def time_generate(
        self, prompt: object, *, gen_tokens: int, cancel: threading.Event | None
    ) -> GenerateTiming:
        """Greedy generation of exactly ``gen_tokens`` tokens after the prompt, timed per token."""
        ...

    def perplexity(self, text: str) -> tuple[float, int]:
        """Perplexity on ``text`` and the number of predicted tokens."""
        ...

    def release(self) -> None:
        """Free the model before the caller goes on."""
        ...


class InProcessRuntime(Protocol):
    """A runtime that loads the model into this process."""

    name: BackendName
    placement: Placement

    def session(self) -> AbstractContextManager[int]:
        """Settings for the run (threads, log levels), restored on exit; yields the threads."""
        ...

    def load(self) -> tuple[LoadedModel, float]:
        """Load the weights; return the model and the seconds it took."""
        ...

    def reset_gpu_peak(self) -> None:
        """Start counting device memory from now (nothing where it cannot be read)."""
        ...

    def gpu_peaks(self) -> tuple[int, int] | None:
        """Peak allocated and reserved device bytes, where the runtime reports them."""
        ...

    def gpus(self) -> list[GpuInfo]:
        """The accelerators the runtime sees, for the machine record."""
        ...

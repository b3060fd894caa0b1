"""The transformers runtime: the one module that touches torch and transformers, both
imported inside functions.

Objects from those libraries cross this module's boundary as ``Any`` (transformers is
untyped); everything else is typed.
"""

from __future__ import annotations

import contextlib
import gc
import inspect
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
from catalog.bench.params import SEED, Device, DType, DTypeChoice
from catalog.bench.progress import BenchmarkCancelled
from catalog.bench.safety import LoadPlan, check_model_folder
from catalog.errors import BenchmarkError

INSTALL_HINT = (
    "modelcat bench needs torch and transformers: pip install 'modelcat[bench]'. "
    "On a machine without an NVIDIA GPU install the CPU build of torch first, so pip does not "
    "pull a multi-gigabyte CUDA build: pip install torch --index-url https://download.pytorch.org/whl/cpu"
)

_TORCH_DTYPES: dict[DType, str] = {"fp32": "float32", "bf16": "bfloat16", "fp16": "float16"}
_CONTEXT_KEYS = (
    "max_position_embeddings",
    "n_positions",
    "max_sequence_length",
    "seq_length",
    "n_ctx",
)


def runtime_version() -> str | None:
    """``transformers X / torch Y`` when both are installed."""
    from importlib import metadata

    try:
        return (
            f"transformers {metadata.version('transformers')} / torch {metadata.version('torch')}"
        )
    except metadata.PackageNotFoundError:
        return None


def _transformers() -> Any:
    """transformers, typed as ``Any``: its own annotations do not survive its decorators."""
    import transformers

    return transformers


def ensure_available() -> None:
    """Import torch and transformers, or say how to install them.

    Raises:
        BenchmarkError: either library is missing or fails to import.
    """
    try:
        import torch  # noqa: F401
        import transformers  # noqa: F401
    except ImportError as exc:
        raise BenchmarkError(f"{INSTALL_HINT} ({exc})") from exc


@dataclass
class Loaded:
    """A model and tokenizer on a device, with what the timing code needs to know about them."""

    model: Any
    tokenizer: Any
    device: Device
    context_length: int | None
    pad_token_id: int
    eos_token_id: Any
    keeps_last_logits: bool
    """The forward accepts ``logits_to_keep``, as generate uses it for the prefill."""


def native_model_types() -> frozenset[str]:
    """The ``model_type`` values this transformers implements without remote code."""
    return frozenset(str(key) for key in _transformers().CONFIG_MAPPING.keys())


def is_native_tokenizer(name: str) -> bool:
    """Whether transformers has a tokenizer class named ``name``."""
    try:
        return hasattr(_transformers(), name)
    except Exception:  # a lazy submodule failing to import means "not available here"
        return False


def pick_device(choice: str) -> Device:
    """``auto`` means CUDA when torch sees a device, else CPU.

    Raises:
        BenchmarkError: CUDA was asked for and torch has none.
    """
    import torch

    if choice == "cpu":
        return "cpu"
    if torch.cuda.is_available():
        return "cuda"
    if choice == "cuda":
        raise BenchmarkError(
            "--device cuda was asked for, but torch sees no CUDA device (a CPU build of torch?)"
        )
    return "cpu"


def pick_dtype(choice: DTypeChoice, device: Device) -> DType:
    """``auto`` means fp32 on CPU (bf16 kernels are slow or missing on many CPUs), bf16 on CUDA
    when supported, else fp16."""
    import torch

    if choice != "auto":
        return choice
    if device == "cuda":
        return "bf16" if torch.cuda.is_bf16_supported() else "fp16"
    return "fp32"


def gpu_info() -> list[GpuInfo]:
    """The CUDA devices torch sees."""
    import torch

    if not torch.cuda.is_available():
        return []
    return [
        GpuInfo(name=str(props.name), memory_bytes=int(props.total_memory))
        for props in (torch.cuda.get_device_properties(i) for i in range(torch.cuda.device_count()))
    ]


@contextlib.contextmanager
def session(*, threads: int | None, device: Device) -> Iterator[int]:
    """Set the thread count, quieten transformers and fork the RNG; restore all on exit.

    Yields:
        The number of intra-op threads torch uses for the run.
    """
    import torch

    hf_logging = _transformers().utils.logging
    previous_threads = torch.get_num_threads()
    verbosity = hf_logging.get_verbosity()
    bars = hf_logging.is_progress_bar_enabled()
    hf_logging.set_verbosity_error()
    hf_logging.disable_progress_bar()
    try:
        if threads is not None:
            torch.set_num_threads(threads)
        devices = [torch.cuda.current_device()] if device == "cuda" else []
        with torch.random.fork_rng(devices=devices):
            yield torch.get_num_threads()
    finally:
        torch.set_num_threads(previous_threads)
        hf_logging.set_verbosity(verbosity)
        if bars:
            hf_logging.enable_progress_bar()


def synchronize(device: Device) -> None:
    """Wait for queued device work, so a clock reading covers it."""
    if device == "cuda":
        import torch

        torch.cuda.synchronize()


def load(
    plan: LoadPlan, *, device: Device, dtype: DType, trust_remote_code: bool
) -> tuple[Loaded, float]:
    """Load tokenizer and model; return them with the model's load time in seconds.

    Raises:
        BenchmarkError: transformers cannot load the folder (its message is kept).
    """
    import torch

    tf = _transformers()
    path = str(plan.path)
    try:
        tokenizer = tf.AutoTokenizer.from_pretrained(
            path, local_files_only=True, trust_remote_code=trust_remote_code
        )
    except Exception as exc:  # transformers raises many types; the user needs the message
        raise BenchmarkError(f"cannot load the tokenizer from {path}: {exc}") from exc
    synchronize(device)
    started = time.perf_counter()
    try:
        model = tf.AutoModelForCausalLM.from_pretrained(
            path,
            local_files_only=True,
            trust_remote_code=trust_remote_code,
            use_safetensors=plan.weights_format == "safetensors",
            weights_only=True,
            dtype=getattr(torch, _TORCH_DTYPES[dtype]),
        )
        model.to(device)
        model.eval()
    except Exception as exc:
        raise BenchmarkError(f"cannot load the model from {path}: {exc}") from exc
    synchronize(device)
    load_s = time.perf_counter() - started
    config = model.config
    eos = model.generation_config.eos_token_id
    if eos is None:
        eos = tokenizer.eos_token_id
    pad = tokenizer.pad_token_id
    if pad is None:
        pad = eos[0] if isinstance(eos, list) and eos else eos
    loaded = Loaded(
        model=model,
        tokenizer=tokenizer,
        device=device,
        context_length=next(
            (v for k in _CONTEXT_KEYS if isinstance(v := getattr(config, k, None), int) and v > 0),
            None,
        ),
        pad_token_id=int(pad) if pad is not None else 0,
        eos_token_id=eos,
        keeps_last_logits="logits_to_keep" in inspect.signature(model.forward).parameters,
    )
    return loaded, load_s


def release(loaded: Loaded) -> None:
    """Drop the model so its memory returns before the caller goes on."""
    loaded.model = None
    loaded.tokenizer = None
    gc.collect()
    if loaded.device == "cuda":
        import torch

        torch.cuda.empty_cache()


def prompt_ids(loaded: Loaded, text: str, n_tokens: int) -> Any:
    """Exactly ``n_tokens`` token ids of real text (repeated as needed), shape ``[1, n]``."""
    import torch

    ids = loaded.tokenizer(text, add_special_tokens=False)["input_ids"]
    if not ids:
        raise BenchmarkError("the tokenizer turned the benchmark text into no tokens")
    tokens = (ids * math.ceil(n_tokens / len(ids)))[:n_tokens]
    return torch.tensor([tokens], dtype=torch.long, device=loaded.device)


def generation_config(loaded: Loaded, gen_tokens: int) -> Any:
    """Plain greedy decoding of exactly ``gen_tokens`` tokens (end-of-sequence suppressed until
    then), as llama-bench decodes: the model's own penalties are switched off so they cost
    no time. Unset fields are filled from the model's generation_config by transformers."""
    return _transformers().GenerationConfig(
        max_new_tokens=gen_tokens,
        min_new_tokens=gen_tokens,
        do_sample=False,
        num_beams=1,
        repetition_penalty=1.0,
        no_repeat_ngram_size=0,
        use_cache=True,
        pad_token_id=loaded.pad_token_id,
        eos_token_id=loaded.eos_token_id,
    )


def time_prefill(loaded: Loaded, ids: Any) -> float:
    """Seconds for one forward pass over the prompt, building the KV cache as generate does."""
    import torch

    extra = {"logits_to_keep": 1} if loaded.keeps_last_logits else {}
    with torch.inference_mode():
        synchronize(loaded.device)
        started = time.perf_counter()
        loaded.model(input_ids=ids, attention_mask=torch.ones_like(ids), use_cache=True, **extra)
        synchronize(loaded.device)
        return time.perf_counter() - started


class _TokenClock:
    """A generate streamer that only reads the clock (and honours cancellation) per token."""

    def __init__(self, cancel: threading.Event | None) -> None:
        self.times: list[float] = []
        self._cancel = cancel
        self._prompt_seen = False

    def put(self, value: Any) -> None:
        now = time.perf_counter()
        if not self._prompt_seen:  # generate first hands over the prompt itself
            self._prompt_seen = True
            return
        self.times.append(now)
        if self._cancel is not None and self._cancel.is_set():
            raise BenchmarkCancelled()

    def end(self) -> None:
        return None


def time_generate(
    loaded: Loaded, ids: Any, *, gen_tokens: int, cancel: threading.Event | None
) -> GenerateTiming:
    """Generate ``gen_tokens`` tokens greedily after the prompt and time each one.

    Raises:
        BenchmarkCancelled: the cancel event was set while generating.
        BenchmarkError: the model produced another number of tokens.
    """
    import torch

    clock = _TokenClock(cancel)
    config = generation_config(loaded, gen_tokens)
    with torch.inference_mode():
        torch.manual_seed(SEED)
        synchronize(loaded.device)
        started = time.perf_counter()
        out = loaded.model.generate(
            input_ids=ids,
            attention_mask=torch.ones_like(ids),
            generation_config=config,
            streamer=clock,
        )
        synchronize(loaded.device)
        total = time.perf_counter() - started
    produced = int(out.shape[1]) - int(ids.shape[1])
    if produced != gen_tokens or len(clock.times) != gen_tokens:
        raise BenchmarkError(f"the model generated {produced} tokens instead of {gen_tokens}")
    return GenerateTiming(
        ttft_s=clock.times[0] - started,
        decode_s=clock.times[-1] - clock.times[0],
        total_s=total,
    )


def perplexity(loaded: Loaded, text: str, *, max_window: int = 1024) -> tuple[float, int]:
    """Perplexity of the model on ``text`` and the number of predicted tokens.

    The text is cut into non-overlapping windows no longer than the context; each window is
    scored on its own (the first token of a window has no earlier context).
    """
    import torch

    ids = loaded.tokenizer(text)["input_ids"]
    window = min(loaded.context_length or max_window, max_window)
    nll = 0.0
    count = 0
    with torch.inference_mode():
        for start in range(0, len(ids), window):
            chunk = ids[start : start + window]
            if len(chunk) < 2:
                continue
            tensor = torch.tensor([chunk], dtype=torch.long, device=loaded.device)
            loss = loaded.model(input_ids=tensor, labels=tensor).loss
            nll += float(loss) * (len(chunk) - 1)
            count += len(chunk) - 1
    return perplexity_of(nll, count)


def reset_cuda_peak() -> None:
    """Start CUDA peak-memory counting from now."""
    import torch

    torch.cuda.reset_peak_memory_stats()


def cuda_peaks() -> tuple[int, int]:
    """Peak allocated and peak reserved CUDA bytes since ``reset_cuda_peak``."""
    import torch

    return int(torch.cuda.max_memory_allocated()), int(torch.cuda.max_memory_reserved())


class TorchModel:
    """A loaded transformers model behind the runner's ``LoadedModel`` interface."""

    def __init__(self, loaded: Loaded) -> None:
        self.loaded = loaded

    @property
    def context_length(self) -> int | None:
        """The model's maximum positions, from its config."""
        return self.loaded.context_length

    def prompt(self, text: str, n_tokens: int) -> object:
        """A ``[1, n_tokens]`` tensor of token ids on the model's device."""
        return prompt_ids(self.loaded, text, n_tokens)

    def time_prefill(self, prompt: object) -> float:
        """One forward pass over the prompt."""
        return time_prefill(self.loaded, prompt)

    def time_generate(
        self, prompt: object, *, gen_tokens: int, cancel: threading.Event | None
    ) -> GenerateTiming:
        """``model.generate`` with a per-token clock."""
        return time_generate(self.loaded, prompt, gen_tokens=gen_tokens, cancel=cancel)

    def perplexity(self, text: str) -> tuple[float, int]:
        """Non-overlapping windows of the text, scored with the model's own loss."""
        return perplexity(self.loaded, text)

    def release(self) -> None:
        """Drop model and tokenizer."""
        release(self.loaded)


class TransformersRuntime:
    """A checked model folder, its device and dtype, ready to load with transformers."""

    name: BackendName = "transformers"

    def __init__(
        self, plan: LoadPlan, *, device: Device, dtype: DType, threads: int | None,
        trust_remote_code: bool,
    ) -> None:  # fmt: skip
        self.plan = plan
        self.device = device
        self.dtype = dtype
        self.threads = threads
        self.trust_remote_code = trust_remote_code
        self.placement = Placement(
            device=device,
            dtype=dtype,
            quantization=dtype,
            weights_format=plan.weights_format,
            notes=(plan.ignored_code,) if plan.ignored_code else (),
        )

    def session(self) -> contextlib.AbstractContextManager[int]:
        """torch threads, quiet transformers logging, a forked RNG."""
        return session(threads=self.threads, device=self.device)

    def load(self) -> tuple[LoadedModel, float]:
        """Tokenizer and model from the folder."""
        loaded, seconds = load(
            self.plan, device=self.device, dtype=self.dtype,
            trust_remote_code=self.trust_remote_code,
        )  # fmt: skip
        return TorchModel(loaded), seconds

    def reset_gpu_peak(self) -> None:
        """CUDA peak counters from now."""
        if self.device == "cuda":
            reset_cuda_peak()

    def gpu_peaks(self) -> tuple[int, int] | None:
        """CUDA peak allocated and reserved bytes."""
        return cuda_peaks() if self.device == "cuda" else None

    def gpus(self) -> list[GpuInfo]:
        """The CUDA devices torch sees."""
        return gpu_info()


def prepare(
    path: Path,
    *,
    device: str,
    dtype: DTypeChoice,
    threads: int | None,
    trust_remote_code: bool,
    allow_pickle: bool,
) -> TransformersRuntime:
    """Check the folder (nothing is loaded yet) and choose device and dtype.

    Raises:
        BenchmarkError: torch or transformers missing, or the folder cannot be loaded.
        UnsafeModelError: the folder needs ``trust_remote_code`` or ``allow_pickle``.
    """
    ensure_available()
    plan = check_model_folder(
        path,
        trust_remote_code=trust_remote_code,
        allow_pickle=allow_pickle,
        native_model_types=native_model_types(),
        is_native_tokenizer=is_native_tokenizer,
    )
    on = pick_device(device)
    return TransformersRuntime(
        plan, device=on, dtype=pick_dtype(dtype, on), threads=threads,
        trust_remote_code=trust_remote_code,
    )  # fmt: skip

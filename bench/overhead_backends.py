"""The llama-cpp and openai halves of ``bench/harness_overhead.py``: the harness against a bare
loop of the same runtime, on a random-weight Llama written as GGUF (no download).

- llama-cpp: ``run_benchmark`` against plain ``llama_cpp.Llama`` calls (a fresh load, one
  warm-up round, one measured ``eval`` of the prompt and one ``generate`` of ``gen`` tokens);
- openai: ``run_benchmark --endpoint`` against a plain ``httpx`` streaming loop, both talking to
  one ``llama_cpp.server`` the script starts on 127.0.0.1 (and stops).

Paired runs alternate sides (harness, bare, bare, harness, ...) as the transformers half does.
"""

from __future__ import annotations

import math
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from catalog.bench import BenchProgress, perplexity_text, run_benchmark
from catalog.testing.tiny_gguf import TinyShape, parameter_count, write_tiny_llama

SMALL = TinyShape(n_embd=768, n_layer=12, n_head=12, n_head_kv=4, n_ff=2048, n_ctx=2048)
"""About the transformers half's 76M-parameter Llama, with the tests' small vocabulary."""


Pair = tuple[float, ...]


def _pairs(
    samples: int, harness: Callable[[], Pair], bare: Callable[[], Pair]
) -> tuple[list[Pair], list[Pair]]:
    h: list[Pair] = []
    b: list[Pair] = []
    for i in range(samples):
        for side in ("harness", "bare") if i % 2 == 0 else ("bare", "harness"):
            (h if side == "harness" else b).append(harness() if side == "harness" else bare())
    return h, b


def _prompt_ids(llm: object, n: int) -> list[int]:
    ids = list(llm.tokenize(perplexity_text().encode(), add_bos=False))  # type: ignore[attr-defined]
    return (ids * math.ceil(n / len(ids)))[:n]


def llama_cpp_pairs(*, samples: int, prompt: int, gen: int, threads: int) -> dict[str, list[float]]:
    """Prefill and generate seconds, wall and thread CPU (with one thread llama.cpp computes
    on the calling thread, so CPU time is immune to other processes' load), harness and bare."""
    import llama_cpp

    with tempfile.TemporaryDirectory(prefix="modelcat-overhead-gguf-") as tmp:
        path = write_tiny_llama(Path(tmp) / "small-Q8_0.gguf", shape=SMALL)
        print(f"model: random Llama GGUF Q8_0, {parameter_count(SMALL) / 1e6:.1f}M parameters; "
              f"llama-cpp-python {llama_cpp.__version__}; prompt {prompt}, gen {gen}; "
              f"{samples} runs per side, alternating; {threads} thread(s)")  # fmt: skip

        def harness() -> Pair:
            marks: dict[str, float] = {}

            def mark(report: BenchProgress) -> None:
                if report.repeat in (None, 1) and report.phase in (
                    "prefill",
                    "decode",
                    "perplexity",
                ):
                    marks[report.phase] = time.thread_time()

            result = run_benchmark(path_or_model=path, prompt_tokens=prompt, gen_tokens=gen,
                                   repeat=1, warmup=1, threads=threads, progress=mark)  # fmt: skip
            assert result.prefill_tps is not None
            return (prompt / result.prefill_tps.samples[0], result.generate_s.samples[0],
                    marks["decode"] - marks["prefill"], marks["perplexity"] - marks["decode"])  # fmt: skip

        def bare() -> Pair:
            # The context the harness loads with: prompt + generated, rounded up to 256.
            n_ctx = -(-(prompt + gen) // 256) * 256
            llm = llama_cpp.Llama(model_path=str(path), n_ctx=n_ctx, n_batch=512,
                                  n_threads=threads, n_threads_batch=threads, verbose=False)  # fmt: skip
            ids = _prompt_ids(llm, prompt)
            clocks: list[float] = []
            cpu: list[float] = []
            for _ in range(2):  # warm-up, then the measured round
                llm.reset()
                clocks = [time.perf_counter()]
                cpu = [time.thread_time()]
                llm.eval(ids)
                clocks.append(time.perf_counter())
                cpu.append(time.thread_time())
                llm.reset()
                tokens = llm.generate(ids, top_k=1, top_p=1.0, min_p=0.0, temp=0.0,
                                      repeat_penalty=1.0)  # fmt: skip
                for count, _token in enumerate(tokens, start=1):
                    if count == gen:
                        break
                tokens.close()
                clocks.append(time.perf_counter())
                cpu.append(time.thread_time())
            llm.close()
            return (clocks[1] - clocks[0], clocks[2] - clocks[1], cpu[1] - cpu[0], cpu[2] - cpu[1])

        h, b = _pairs(samples, harness, bare)
    names = ("prefill", "generate", "prefill thread CPU", "generate thread CPU")
    return {
        f"{name} {side}": [x[i] for x in runs]
        for i, name in enumerate(names)
        for side, runs in (("harness", h), ("bare", b))
    }


@contextmanager
def _server(path: Path, threads: int) -> Iterator[str]:
    import httpx

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    process = subprocess.Popen(
        [sys.executable, "-m", "llama_cpp.server", "--model", str(path), "--host", "127.0.0.1",
         "--port", str(port), "--n_ctx", "2048", "--n_threads", str(threads),
         "--verbose", "false", "--interrupt_requests", "false"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}/v1"
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                if httpx.get(f"{url}/models", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                if time.monotonic() > deadline or process.poll() is not None:
                    raise
            time.sleep(0.5)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=30)


def openai_pairs(*, samples: int, prompt: int, gen: int, threads: int) -> dict[str, list[float]]:
    """Request latency (send to the end of the stream) and time to first token, harness and
    bare, against one llama_cpp.server."""
    import httpx

    with tempfile.TemporaryDirectory(prefix="modelcat-overhead-server-") as tmp:
        path = write_tiny_llama(Path(tmp) / "small-Q8_0.gguf", shape=SMALL)
        with _server(path, threads) as url:
            print(f"server: llama_cpp.server on {url} serving a {parameter_count(SMALL) / 1e6:.1f}M "
                  f"Q8_0 Llama; prompt ~{prompt}, gen {gen}; {samples} runs per side")  # fmt: skip
            from catalog.bench.backends.openai import _calibrate

            with httpx.Client(base_url=url, timeout=120) as client:
                # The prompt the harness sends: calibrated on the server's token count.
                text, _ = _calibrate(client, model=str(path), text=perplexity_text(),
                                     target=prompt, cancel=None)  # fmt: skip

            def harness() -> Pair:
                result = run_benchmark(endpoint=url, server_model=str(path), prompt_tokens=prompt,
                                       gen_tokens=gen, repeat=1, warmup=1)  # fmt: skip
                return result.generate_s.samples[0], result.ttft_s.samples[0]

            def bare() -> Pair:
                body = {"model": str(path), "prompt": text, "max_tokens": gen, "min_tokens": gen,
                        "temperature": 0, "stream": True}  # fmt: skip
                with httpx.Client(base_url=url, timeout=120) as client:
                    marks: list[float] = []
                    for _ in range(2):
                        sent = time.perf_counter()
                        first = None
                        with client.stream("POST", "/completions", json=body) as response:
                            for line in response.iter_lines():
                                if first is None and line.startswith("data:"):
                                    first = time.perf_counter()
                        marks = [sent, first or sent, time.perf_counter()]
                return marks[2] - marks[0], marks[1] - marks[0]

            h, b = _pairs(samples, harness, bare)
    return {"request harness": [x[0] for x in h], "request bare": [x[0] for x in b],
            "ttft harness": [x[1] for x in h], "ttft bare": [x[1] for x in b]}  # fmt: skip


def paired_median(harness: list[float], bare: list[float]) -> float:
    """The median of harness/bare over neighbouring pairs."""
    return statistics.median(x / y for x, y in zip(harness, bare, strict=True))

"""Does the benchmark harness distort what it measures?

Runs ``catalog.bench.run_benchmark`` and a bare ``model.generate`` loop on the same model, the
same prompt tokens and the same greedy generation settings, alternating the two (harness, bare,
bare, harness, ...) so drift on a busy machine hits both alike. Each side loads the model fresh,
warms up once and measures one round, so the only difference is the harness itself. Prints the
medians of the wall time of a prefill forward and of a whole ``generate`` call, and the median of
the paired ratios; the same for thread CPU time (with one torch thread all the model's work runs
on the calling thread), which a busy shared machine does not disturb. Target: the harness within
3 % of the bare loop.

    .venv/bin/python bench/harness_overhead.py                 # ~76M-parameter random Llama
    .venv/bin/python bench/harness_overhead.py --size tiny     # the 2-layer test model
    .venv/bin/python bench/harness_overhead.py --backend llama-cpp   # vs bare llama_cpp.Llama
    .venv/bin/python bench/harness_overhead.py --backend openai      # vs a bare httpx stream

The model is built on the fly with random weights (no download).
"""

from __future__ import annotations

import argparse
import math
import os
import statistics
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch
from transformers import AutoModelForCausalLM, AutoTokenizer, LlamaConfig
from transformers.utils import logging as hf_logging

from catalog.bench import BenchProgress, perplexity_text, run_benchmark
from catalog.testing.tiny_models import build_model, build_tokenizer

TARGET = 0.03


def build_small(dest: Path) -> Path:
    """A ~76M-parameter Llama (12 layers, hidden 768) with random weights and the tiny tokenizer."""
    build_tokenizer(dest)
    tokenizer = AutoTokenizer.from_pretrained(str(dest), local_files_only=True)
    eos = tokenizer.convert_tokens_to_ids("<|endoftext|>")
    config = LlamaConfig(
        vocab_size=len(tokenizer),
        hidden_size=768,
        intermediate_size=2048,
        num_hidden_layers=12,
        num_attention_heads=12,
        num_key_value_heads=4,
        max_position_embeddings=2048,
        bos_token_id=eos,
        eos_token_id=eos,
    )
    torch.manual_seed(0)
    model = AutoModelForCausalLM.from_config(config)
    model.save_pretrained(str(dest))
    return dest


@dataclass
class Sample:
    """One measured prefill forward and one generate call: wall and thread CPU seconds."""

    prefill_wall: float
    prefill_cpu: float
    generate_wall: float
    generate_cpu: float


def bare_sample(path: Path, *, prompt_tokens: int, gen_tokens: int) -> Sample:
    """The reference, shaped like one harness run (fresh load, one warm-up round, one measured
    round) but with plain transformers calls and a stopwatch."""
    tokenizer = AutoTokenizer.from_pretrained(str(path), local_files_only=True)
    model = AutoModelForCausalLM.from_pretrained(
        str(path), local_files_only=True, dtype=torch.float32
    ).eval()
    ids_list = tokenizer(perplexity_text(), add_special_tokens=False)["input_ids"]
    ids = torch.tensor([(ids_list * math.ceil(prompt_tokens / len(ids_list)))[:prompt_tokens]])
    mask = torch.ones_like(ids)
    eos = model.generation_config.eos_token_id
    settings: dict[str, Any] = {
        "max_new_tokens": gen_tokens,
        "min_new_tokens": gen_tokens,
        "do_sample": False,
        "num_beams": 1,
        "repetition_penalty": 1.0,
        "no_repeat_ngram_size": 0,
        "pad_token_id": eos,
        "eos_token_id": eos,
    }
    clocks: list[tuple[float, float]] = []
    with torch.inference_mode():
        for _ in range(2):  # warm-up, then the measured round
            clocks = [(time.perf_counter(), time.thread_time())]
            model(input_ids=ids, attention_mask=mask, use_cache=True, logits_to_keep=1)
            clocks.append((time.perf_counter(), time.thread_time()))
            out = model.generate(input_ids=ids, attention_mask=mask, **settings)
            clocks.append((time.perf_counter(), time.thread_time()))
            assert out.shape[1] == prompt_tokens + gen_tokens
    (w0, c0), (w1, c1), (w2, c2) = clocks
    return Sample(w1 - w0, c1 - c0, w2 - w1, c2 - c1)


def harness_sample(
    path: Path, *, prompt_tokens: int, gen_tokens: int, threads: int
) -> tuple[Sample, float]:
    """One harness run (repeat=1, warmup=1): its own wall figures, plus thread CPU time read at
    the phase boundaries its progress callback reports. Also returns its decode tokens/s."""
    marks: dict[str, float] = {}

    def mark(report: BenchProgress) -> None:
        if report.repeat in (None, 1) and report.phase in ("prefill", "decode", "perplexity"):
            marks[report.phase] = time.thread_time()

    result = run_benchmark(
        path_or_model=path,
        device="cpu",
        dtype="fp32",
        threads=threads,
        prompt_tokens=prompt_tokens,
        gen_tokens=gen_tokens,
        repeat=1,
        warmup=1,
        progress=mark,
    )
    sample = Sample(
        prefill_wall=prompt_tokens / result.prefill_tps.samples[0],
        prefill_cpu=marks["decode"] - marks["prefill"],
        generate_wall=result.generate_s.samples[0],
        generate_cpu=marks["perplexity"] - marks["decode"],
    )
    return sample, result.decode_tps.samples[0]


def report(name: str, harness: list[float], bare: list[float]) -> float:
    """Print medians and the median of paired ratios (each harness run against the bare run next
    to it, so a burst of load from another process spoils one pair, not a whole side)."""
    h, b = statistics.median(harness), statistics.median(bare)
    paired = statistics.median(x / y for x, y in zip(harness, bare, strict=True))
    print(
        f"{name:<22} median harness {h * 1000:9.2f} ms  bare {b * 1000:9.2f} ms  "
        f"ratio {h / b:.4f}  paired ratio {paired:.4f} ({(paired - 1) * 100:+.2f} %)"
    )
    return paired


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", choices=["small", "tiny"], default="small")
    parser.add_argument("--samples", type=int, default=9, help="runs on each side")
    parser.add_argument("--prompt-tokens", type=int, default=512)
    parser.add_argument("--gen-tokens", type=int, default=128)
    parser.add_argument(
        "--threads", type=int, default=1, help="torch threads; 1 makes thread CPU time exact"
    )
    parser.add_argument(
        "--backend", choices=["transformers", "llama-cpp", "openai"], default="transformers"
    )
    args = parser.parse_args()
    if args.backend != "transformers":
        return other_backend(args)
    hf_logging.disable_progress_bar()
    torch.set_num_threads(args.threads)
    load_before = os.getloadavg()[0]
    harness: list[Sample] = []
    bare: list[Sample] = []
    decode_tps: list[float] = []
    with tempfile.TemporaryDirectory(prefix="modelcat-overhead-") as tmp:
        path = (
            build_small(Path(tmp) / "small")
            if args.size == "small"
            else build_model(Path(tmp) / "tiny")
        )
        weights = AutoModelForCausalLM.from_pretrained(
            str(path), local_files_only=True
        ).parameters()
        params = sum(t.numel() for t in weights)
        print(
            f"model: {args.size} random Llama, {params / 1e6:.1f}M parameters; prompt {args.prompt_tokens}, "
            f"gen {args.gen_tokens}; {args.samples} runs per side, alternating; {args.threads} thread(s); "
            f"torch {torch.__version__}"
        )
        for i in range(args.samples):
            for side in ("harness", "bare") if i % 2 == 0 else ("bare", "harness"):
                if side == "bare":
                    bare.append(
                        bare_sample(
                            path, prompt_tokens=args.prompt_tokens, gen_tokens=args.gen_tokens
                        )
                    )
                else:
                    sample, tps = harness_sample(
                        path,
                        prompt_tokens=args.prompt_tokens,
                        gen_tokens=args.gen_tokens,
                        threads=args.threads,
                    )
                    harness.append(sample)
                    decode_tps.append(tps)
    load_after = os.getloadavg()[0]

    report("prefill wall", [s.prefill_wall for s in harness], [s.prefill_wall for s in bare])
    report("prefill thread CPU", [s.prefill_cpu for s in harness], [s.prefill_cpu for s in bare])
    wall = report(
        "generate wall", [s.generate_wall for s in harness], [s.generate_wall for s in bare]
    )
    cpu = report(
        "generate thread CPU", [s.generate_cpu for s in harness], [s.generate_cpu for s in bare]
    )
    print(f"harness decode median {statistics.median(decode_tps):.1f} tok/s")
    print(f"load average {load_before:.2f} -> {load_after:.2f} on {os.cpu_count()} CPUs")
    for name, ratio in (("wall", wall), ("thread CPU", cpu)):
        verdict = "within" if abs(ratio - 1) <= TARGET else "OUTSIDE"
        print(
            f"generate overhead ({name}): {(ratio - 1) * 100:+.2f} %, {verdict} the {TARGET * 100:.0f} % target"
        )
    if max(load_before, load_after) > 1:
        print(
            "the machine was busy: wall times carry other processes' load; thread CPU time does not"
        )
    return 0


def other_backend(args: argparse.Namespace) -> int:
    """The llama-cpp or openai harness against a bare loop of the same runtime."""
    from bench.overhead_backends import llama_cpp_pairs, openai_pairs

    pairs = llama_cpp_pairs if args.backend == "llama-cpp" else openai_pairs
    load_before = os.getloadavg()[0]
    figures = pairs(
        samples=args.samples,
        prompt=args.prompt_tokens,
        gen=args.gen_tokens,
        threads=args.threads,
    )
    load_after = os.getloadavg()[0]
    names = sorted({key.rsplit(" ", 1)[0] for key in figures})
    ratios = {n: report(n, figures[f"{n} harness"], figures[f"{n} bare"]) for n in names}
    main = ["generate", "generate thread CPU"] if args.backend == "llama-cpp" else ["request"]
    print(f"load average {load_before:.2f} -> {load_after:.2f} on {os.cpu_count()} CPUs")
    for figure in main:
        ratio = ratios[figure]
        verdict = "within" if abs(ratio - 1) <= TARGET else "OUTSIDE"
        print(
            f"{args.backend} {figure} overhead: {(ratio - 1) * 100:+.2f} %, {verdict} "
            f"the {TARGET * 100:.0f} % target"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""How long a whole ``modelcat estimate`` process takes, beside ``python -c "import sqlmodel"``.

The estimate of a known architecture runs on the analytic formulas: it must not import torch or
transformers, and its whole process should take at most 1.3x the bare ``import sqlmodel``
(target from issue 18). Runs each command ``--repeat`` times, interleaved so a busy machine slows
all alike, after one warm-up round (which also builds the scratch store and the bytecode caches),
and prints for each the median wall time and the median CPU time (user + system of the process,
which other load on a shared machine disturbs far less than wall time), each with its ratio of
medians to the baseline:

    .venv/bin/python bench/estimate_startup.py            # 15 rounds
    .venv/bin/python bench/estimate_startup.py --repeat 31

Commands measured: the baseline; the imports every store command starts with (the CLI and
``catalog.api``), for where the time goes; ``estimate llama-2-7b --format json`` (a catalog
model: the store is opened); ``estimate --config FILE --format json`` (a config file, no store).
``--with-exact`` also times the catalog estimate with ``--exact`` (transformers on the meta
device, what the default was before the formulas covered every common family).
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

TARGET = 1.3
CONFIG = {
    "model_type": "qwen3_moe",
    "vocab_size": 151936,
    "hidden_size": 2048,
    "intermediate_size": 6144,
    "moe_intermediate_size": 768,
    "num_hidden_layers": 48,
    "num_attention_heads": 32,
    "num_key_value_heads": 4,
    "head_dim": 128,
    "num_experts": 128,
    "num_experts_per_tok": 8,
    "tie_word_embeddings": False,
}
"""Qwen3-30B-A3B's shape: a mixture of experts, counted by the formulas."""


def _modelcat() -> str:
    script = Path(sys.executable).parent / "modelcat"
    if not script.exists():
        sys.exit(f"no modelcat script beside {sys.executable}: run with the venv's python")
    return str(script)


def _cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _time(command: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Wall and CPU seconds of one run of ``command``."""
    cpu, start = _cpu_seconds(), time.perf_counter()
    done = subprocess.run(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        sys.exit(f"{' '.join(command)} failed ({done.returncode}): {done.stderr.decode()[-500:]}")
    return elapsed, _cpu_seconds() - cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=15, help="rounds (default 15)")
    parser.add_argument(
        "--with-exact", action="store_true", help="also time --exact (the meta device)"
    )
    args = parser.parse_args()
    with_exact = args.with_exact and all(
        importlib.util.find_spec(name) is not None for name in ("torch", "transformers")
    )
    with tempfile.TemporaryDirectory(prefix="modelcat-bench-") as scratch:
        config = Path(scratch) / "config.json"
        config.write_text(json.dumps(CONFIG), encoding="utf-8")
        env = {**os.environ, "MODELCAT_DB": str(Path(scratch) / "modelcat.db")}
        env.pop("PYTHONDONTWRITEBYTECODE", None)  # measured as installed: bytecode cached
        estimate = [_modelcat(), "estimate"]
        commands = {
            'python -c "import sqlmodel"': [sys.executable, "-c", "import sqlmodel"],
            "(imports: catalog.cli.main, catalog.api)": [
                sys.executable,
                "-c",
                "import catalog.cli.main, catalog.api",
            ],
            "estimate llama-2-7b --format json": [*estimate, "llama-2-7b", "--format", "json"],
            "estimate --config FILE --format json": [
                *estimate,
                "--config",
                str(config),
                "--format",
                "json",
            ],
        }
        if with_exact:
            commands["estimate llama-2-7b --exact --format json"] = [
                *estimate,
                "llama-2-7b",
                "--exact",
                "--format",
                "json",
            ]
        samples: dict[str, list[tuple[float, float]]] = {name: [] for name in commands}
        for command in commands.values():  # warm-up: disk cache, bytecode, the store's build
            _time(command, env)
        for round_ in range(args.repeat):
            order = list(commands.items())
            if round_ % 2:
                order.reverse()
            for name, command in order:
                samples[name].append(_time(command, env))
    base_wall, base_cpu = (
        statistics.median(value[i] for value in samples[next(iter(commands))]) for i in (0, 1)
    )
    print(f"{args.repeat} rounds, whole processes (target: <= {TARGET}x the baseline)")
    print(f"{'command':<44} {'wall':>8} {'ratio':>6} {'cpu':>8} {'ratio':>6}")
    for name, values in samples.items():
        wall = statistics.median(value[0] for value in values)
        cpu = statistics.median(value[1] for value in values)
        print(
            f"{name:<44} {wall * 1000:>6.0f}ms {wall / base_wall:>5.2f}x "
            f"{cpu * 1000:>6.0f}ms {cpu / base_cpu:>5.2f}x"
        )


if __name__ == "__main__":
    main()

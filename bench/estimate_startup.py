"""How long a whole ``modelcat estimate`` process takes, beside ``python -c "import sqlmodel"``.

The estimate of a known architecture runs on the analytic formulas: it must not import torch or
transformers, and its whole process should take at most 1.3x the bare ``import sqlmodel``
(target from issue 18). Runs each command ``--repeat`` times and prints the medians of wall and
CPU time with their ratios to the baseline (see ``bench/process_timing.py``):

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
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from process_timing import BASELINE, baseline_command, measure, modelcat, report  # noqa: E402

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
        estimate = [modelcat(), "estimate"]
        commands = {
            BASELINE: baseline_command(),
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
        samples = measure(commands, env, repeat=args.repeat)
    report(samples, target=TARGET)


if __name__ == "__main__":
    main()

"""Accuracy is measured, not claimed: the inference estimate against a real forward pass on CPU.

A small Llama (8 layers, hidden 512, grouped-query attention with 4 KV heads, 32,000-token vocabulary,
56M parameters, random weights) is saved to disk with transformers, loaded in a fresh process in
float32, and run over a prompt with the KV cache kept. The process's resident-set peak above its
baseline is compared with the estimate's model-dependent part: weights + KV cache + prefill
workspace. The fixed runtime reserve (CUDA context, 512 MiB) is not part of the comparison: on CPU the
runtime is the already-imported library, which the baseline contains.

The child runs with ``MALLOC_MMAP_THRESHOLD_=65536``: glibc's adaptive threshold otherwise keeps
freed tensor buffers in the heap, so the resident set depends on allocation history rather than on
live tensors, and the peak wanders by tens of MB between identical runs.
"""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from catalog.estimate import inference_memory

HAS_TRANSFORMERS = all(importlib.util.find_spec(m) is not None for m in ("torch", "transformers"))

pytestmark = [
    pytest.mark.bench,
    pytest.mark.skipif(not HAS_TRANSFORMERS, reason="needs torch and transformers"),
    pytest.mark.skipif(not sys.platform.startswith("linux"), reason="peak RSS is read from /proc"),
]

TOLERANCE = 0.15
"""Largest accepted relative error of the estimate against the measured peak."""

SCENARIOS = [(2048, 2), (512, 1)]
SCRIPT = Path(__file__).with_name("measure_inference.py")


@pytest.fixture(scope="module")
def small_llama(tmp_path_factory: pytest.TempPathFactory) -> Path:
    import torch
    from transformers import LlamaConfig, LlamaForCausalLM

    config = LlamaConfig(
        vocab_size=32000,
        hidden_size=512,
        intermediate_size=1408,
        num_hidden_layers=8,
        num_attention_heads=8,
        num_key_value_heads=4,
        max_position_embeddings=4096,
        tie_word_embeddings=False,
    )
    torch.manual_seed(0)
    path = tmp_path_factory.mktemp("small-llama")
    LlamaForCausalLM(config).save_pretrained(path)
    return path


def _measure(model_dir: Path) -> dict[str, Any]:
    env = {
        **os.environ,
        "MALLOC_MMAP_THRESHOLD_": "65536",
        "OMP_NUM_THREADS": "2",
        "HF_HUB_OFFLINE": "1",
        "TRANSFORMERS_OFFLINE": "1",
        "PYTHONPATH": os.pathsep.join(sys.path),
    }
    args = [f"{context}:{batch}" for context, batch in SCENARIOS]
    done = subprocess.run(
        [sys.executable, str(SCRIPT), str(model_dir), *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=600,
    )
    if done.returncode == 3:
        pytest.skip(done.stderr.strip())
    assert done.returncode == 0, done.stderr[-2000:]
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def test_inference_estimate_matches_the_measured_peak(
    small_llama: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = json.loads((small_llama / "config.json").read_text(encoding="utf-8"))
    measured = _measure(small_llama)
    lines = []
    for scenario in measured["scenarios"]:
        estimate = inference_memory(
            config=config, dtype="fp32", context=scenario["context"], batch=scenario["batch"]
        )
        assert estimate.kv_cache_bytes is not None and estimate.activation_bytes is not None
        model_part = estimate.weights_bytes + estimate.kv_cache_bytes + estimate.activation_bytes
        error = model_part / scenario["peak_bytes"] - 1
        weights_error = estimate.weights_bytes / measured["weights_bytes"] - 1
        forward_error = (estimate.kv_cache_bytes + estimate.activation_bytes) / scenario[
            "forward_peak_bytes"
        ] - 1
        lines.append(
            f"context {scenario['context']} x batch {scenario['batch']}: estimated {model_part / 1e6:.1f} MB, "
            f"measured peak {scenario['peak_bytes'] / 1e6:.1f} MB, error {error:+.1%} "
            f"(weights {weights_error:+.1%}, KV cache + workspace {forward_error:+.1%})"
        )
        assert abs(error) <= TOLERANCE, lines[-1]
    with capsys.disabled():
        print("\nestimate vs measured (fp32, CPU):\n  " + "\n  ".join(lines))

"""Measure the real memory of a prefill on CPU, in a fresh process (run by test_estimate_measured.py).

Usage: python measure_inference.py MODEL_DIR CONTEXT:BATCH [CONTEXT:BATCH ...]

Prints one JSON object: ``weights_bytes`` (resident set growth from loading the model and touching
every weight) and, per scenario, ``peak_bytes``: the resident-set high-water mark during a forward
pass of CONTEXT x BATCH tokens with the KV cache kept, minus the resident set before loading. The
high-water mark (VmHWM) is reset between phases through /proc/self/clear_refs, so each peak is its
own. Exits with status 3 when the platform cannot do that (not Linux).
"""

from __future__ import annotations

import gc
import json
import sys
from pathlib import Path


def _status_bytes(key: str) -> int:
    for line in Path("/proc/self/status").read_text(encoding="utf-8").splitlines():
        if line.startswith(key + ":"):
            return int(line.split()[1]) * 1024
    raise RuntimeError(f"{key} missing from /proc/self/status")


def _reset_peak() -> None:
    Path("/proc/self/clear_refs").write_text("5", encoding="utf-8")  # 5: reset VmHWM to VmRSS


def main(model_dir: str, scenarios: list[tuple[int, int]]) -> dict[str, object]:
    import torch
    from transformers import AutoModelForCausalLM, LlamaConfig, LlamaForCausalLM

    torch.manual_seed(0)
    # Warm up kernels, thread pools and allocator arenas on a throwaway model, so their one-off
    # memory is part of the baseline and not of the measurement.
    warm = LlamaForCausalLM(
        LlamaConfig(
            vocab_size=64,
            hidden_size=32,
            intermediate_size=64,
            num_hidden_layers=1,
            num_attention_heads=4,
        )
    )
    with torch.no_grad():
        warm(torch.zeros(1, 16, dtype=torch.long), use_cache=True)
    del warm
    gc.collect()

    baseline = _status_bytes("VmRSS")
    model = AutoModelForCausalLM.from_pretrained(model_dir, dtype=torch.float32)
    model.eval()
    with torch.no_grad():
        for parameter in model.parameters():
            parameter.sum()  # page in every weight (safetensors are memory-mapped lazily)
    gc.collect()
    loaded = _status_bytes("VmRSS")
    results = []
    for context, batch in scenarios:
        gc.collect()
        before = _status_bytes("VmRSS")
        _reset_peak()
        ids = torch.randint(0, model.config.vocab_size, (batch, context))
        with torch.no_grad():
            output = model(ids, use_cache=True, logits_to_keep=1)
        peak = _status_bytes("VmHWM")
        results.append(
            {
                "context": context,
                "batch": batch,
                "forward_peak_bytes": peak - before,
                "peak_bytes": peak - baseline,
            }
        )
        del output, ids
    return {"weights_bytes": loaded - baseline, "scenarios": results}


if __name__ == "__main__":
    try:
        _reset_peak()
        _status_bytes("VmHWM")
    except (OSError, RuntimeError) as error:
        print(f"cannot measure peak memory here: {error}", file=sys.stderr)
        sys.exit(3)
    pairs = [tuple(int(part) for part in arg.split(":")) for arg in sys.argv[2:]]
    print(json.dumps(main(sys.argv[1], [(c, b) for c, b in pairs])))

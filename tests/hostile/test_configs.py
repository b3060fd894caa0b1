"""Issue 13, point 5: an absurd or hostile config.json is exit 2 before anything is built, and
reading one never blocks or runs away (each run guarded: address space capped, timeout)."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from catalog.testing.guard import run_guarded

LLAMA = {
    "model_type": "llama",
    "architectures": ["LlamaForCausalLM"],
    "hidden_size": 4096,
    "intermediate_size": 11008,
    "num_attention_heads": 32,
    "num_key_value_heads": 32,
    "num_hidden_layers": 32,
    "vocab_size": 32000,
    "max_position_embeddings": 4096,
}


def estimate(config: Path) -> tuple[int, str]:
    run = run_guarded(["estimate", "--config", str(config)], timeout=60)
    assert not run.timed_out and run.peak_mb < 400, (run.seconds, run.peak_mb)
    assert "Traceback" not in run.stderr
    return run.code, run.stderr


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (json.dumps({**LLAMA, "num_hidden_layers": 1e9}), "num_hidden_layers is 1000000000.0"),
        (json.dumps({**LLAMA, "hidden_size": 10**12}), "at most 131,072"),
        (json.dumps(LLAMA)[:-1] + ', "rope_theta": NaN}', "NaN is not a number"),
        (json.dumps(LLAMA)[:-1] + f', "x": {"9" * 5000}}}', "5000 digits"),
        ('{"a": ' + "[" * 100_000 + "]" * 100_000 + "}", "nested too deeply"),
    ],
    ids=["1e9-layers", "huge-hidden", "nan", "5000-digits", "100k-deep"],
)
def test_absurd_configs_are_refused_before_anything_is_built(
    tmp_path: Path, text: str, message: str
) -> None:
    config = tmp_path / "config.json"
    config.write_text(text, encoding="utf-8")
    code, err = estimate(config)
    assert code == 2 and message in err, err


def test_a_fifo_is_refused_without_blocking(tmp_path: Path) -> None:
    fifo = tmp_path / "config.json"
    os.mkfifo(fifo)
    code, err = estimate(fifo)
    assert code == 2 and "not a regular file" in err


def test_a_device_that_never_ends_is_refused(tmp_path: Path) -> None:
    code, err = estimate(Path("/dev/zero"))
    assert code == 2 and "not a regular file" in err


def test_a_huge_config_file_is_refused_unread(tmp_path: Path) -> None:
    config = tmp_path / "config.json"
    config.write_text(json.dumps({**LLAMA, "pad": "x" * 5_000_000}), encoding="utf-8")
    code, err = estimate(config)
    assert code == 2 and "larger than" in err

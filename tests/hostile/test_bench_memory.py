"""Issue 13, point 5 (bench): the model's memory estimate is compared with the free memory of
the device it will run on before anything is loaded; what cannot fit is refused (exit 2, both
figures on one line) unless ``--force``."""

from __future__ import annotations

import json
import shutil
import struct
from pathlib import Path

import pytest

from catalog.bench.precheck import check_fits
from catalog.errors import BenchmarkError
from catalog.fit.hardware import detect_hardware
from catalog.testing.guard import run_guarded
from catalog.testing.tiny_models import TinyModels, session_models

HUGE = {
    "model_type": "llama",
    "architectures": ["LlamaForCausalLM"],
    "hidden_size": 65_536,
    "intermediate_size": 262_144,
    "num_hidden_layers": 1_000,
    "num_attention_heads": 512,
    "num_key_value_heads": 512,
    "vocab_size": 1_000_000,
    "max_position_embeddings": 4_096,
}
"""Every field within its bound (catalog/estimate/bounds.py), 69 trillion parameters in all."""
TORCH_ADDRESS_SPACE = 8 * 1024**3
"""torch maps several GB of address space at import; the model itself would need 276 TB."""


@pytest.fixture(scope="module")
def tiny_models(tmp_path_factory: pytest.TempPathFactory) -> TinyModels:
    pytest.importorskip("torch")
    pytest.importorskip("transformers")
    return session_models(tmp_path_factory)


def huge_folder(root: Path, *, tokenizer_of: Path | None = None) -> Path:
    """A model folder whose config claims 276 TB in fp32, beside a valid 4-byte safetensors
    (and the tokenizer of ``tokenizer_of``, so that nothing but memory stops a load)."""
    folder = root / "huge"
    folder.mkdir()
    if tokenizer_of is not None:
        for name in ("tokenizer.json", "tokenizer_config.json"):
            shutil.copy(tokenizer_of / name, folder / name)
    (folder / "config.json").write_text(json.dumps(HUGE), encoding="utf-8")
    header = json.dumps({"x": {"dtype": "F32", "shape": [1], "data_offsets": [0, 4]}}).encode()
    (folder / "model.safetensors").write_bytes(struct.pack("<Q", len(header)) + header + bytes(4))
    return folder


def test_a_model_far_beyond_ram_is_refused_before_loading(
    tiny_models: TinyModels, tmp_path: Path
) -> None:
    folder = huge_folder(tmp_path, tokenizer_of=tiny_models.llama)
    run = run_guarded(
        ["bench", str(folder), "--no-store"], timeout=180, address_space=TORCH_ADDRESS_SPACE
    )
    assert not run.timed_out and run.code == 2, (run.code, run.stderr[-2000:])
    lines = run.stderr.splitlines()
    assert len(lines) == 1 and "Traceback" not in run.stderr, run.stderr
    assert lines[0].startswith(f"modelcat: {folder} needs about 275.7 TB (fp32, 640 tokens")
    assert "this machine's RAM has" in lines[0] and "GB free" in lines[0]
    assert "nothing was loaded" in lines[0] and "--force" in lines[0]
    assert run.peak_mb < 2_000, run.peak_mb


def test_force_goes_on_to_loading(tiny_models: TinyModels, tmp_path: Path) -> None:
    """With --force the estimate is not judged: the run reaches the loader, which here stops at
    the missing tokenizer, before the model's weights are allocated."""
    folder = huge_folder(tmp_path)
    run = run_guarded(
        ["bench", str(folder), "--no-store", "--force", "--format", "json"],
        timeout=180,
        address_space=TORCH_ADDRESS_SPACE,
    )
    assert run.code == 2 and "cannot load the tokenizer" in run.stderr, run.stderr[-2000:]
    assert "needs about" not in run.stderr


def test_the_verdict_is_judged_on_the_device_free_memory(tiny_models: TinyModels) -> None:
    from catalog.bench.backends import transformers

    runtime = transformers.prepare(
        tiny_models.llama, device="cpu", dtype="fp32", threads=None,
        trust_remote_code=False, allow_pickle=False,
    )  # fmt: skip
    verdict = check_fits(runtime, tokens=640)
    assert verdict is not None and verdict.level != "no" and verdict.device == "cpu"
    small = detect_hardware(memory="100MB", probe_gpus=False)
    with pytest.raises(BenchmarkError) as refused:
        check_fits(runtime, tokens=640, hardware=small)
    message = str(refused.value)
    assert f"{tiny_models.llama} needs about" in message and "(fp32, 640 tokens" in message
    assert "has 100.0 MB free" in message


def test_a_gguf_file_is_judged_by_its_header(tmp_path: Path) -> None:
    pytest.importorskip("gguf")
    from catalog.bench.backends.llama_cpp import LlamaCppRuntime, LlamaSettings
    from catalog.local.gguf_meta import read_gguf
    from catalog.testing.tiny_gguf import write_tiny_llama

    path = write_tiny_llama(tmp_path / "tiny.gguf")
    runtime = LlamaCppRuntime(
        read_gguf(path), LlamaSettings(n_ctx=1024, threads=None, gpu_layers=0)
    )
    assert check_fits(runtime, tokens=640) is not None
    with pytest.raises(BenchmarkError, match=r"Q8_0, 1024 tokens, from the GGUF header"):
        check_fits(runtime, tokens=640, hardware=detect_hardware(memory="1MB", probe_gpus=False))

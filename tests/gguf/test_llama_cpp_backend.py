"""The llama.cpp backend on the tiny GGUF models, in process through llama-cpp-python."""

from __future__ import annotations

import json
import math
import threading
from pathlib import Path

import pytest
from typer.testing import CliRunner

from catalog.bench import BenchmarkCancelled, BenchProgress, run_benchmark
from catalog.cli.main import app
from catalog.errors import BenchmarkError, UsageError
from catalog.local.gguf_meta import GGUFError

pytest.importorskip("llama_cpp")
pytestmark = pytest.mark.gguf

SMALL = {"prompt_tokens": 32, "gen_tokens": 8, "repeat": 2, "warmup": 1, "threads": 1}


def test_measures_a_gguf_file_in_process(tiny_gguf: Path) -> None:
    reports: list[BenchProgress] = []
    result = run_benchmark(path_or_model=tiny_gguf, progress=reports.append, **SMALL)  # type: ignore[arg-type]
    assert result.backend == "llama-cpp"  # chosen from the file
    assert result.quantization == "Q8_0" and result.weights_format == "gguf"
    assert result.device == "cpu"
    assert result.runtime is not None and result.runtime.startswith("llama-cpp-python")
    assert result.load_s is not None and result.load_s > 0
    assert result.prefill_tps is not None and len(result.prefill_tps.samples) == 2
    assert len(result.decode_tps.samples) == 2 and result.decode_tps.mean > 0
    assert all(t > 0 for t in result.ttft_s.samples)
    assert result.memory is not None
    assert result.memory.peak_rss_bytes >= result.memory.baseline_rss_bytes
    # Random weights over a vocabulary of a few hundred tokens: finite, well above 1.
    assert math.isfinite(result.perplexity) and result.perplexity > 1
    assert result.perplexity_tokens > 100
    assert result.params.context is not None and result.params.context >= 40
    assert result.params.threads == 1
    assert [r.phase for r in reports][0] == "load" and reports[-1].phase == "done"


def test_each_quantization_is_recorded(gguf_dir: Path) -> None:
    result = run_benchmark(path_or_model=gguf_dir / "tiny-llama-Q4_0.gguf", **SMALL)  # type: ignore[arg-type]
    assert result.quantization == "Q4_0"
    assert result.label == "llama-cpp Q4_0"


def test_a_context_too_small_is_refused_before_loading(tiny_gguf: Path) -> None:
    with pytest.raises(UsageError, match="--context 16"):
        run_benchmark(path_or_model=tiny_gguf, context=16, **SMALL)  # type: ignore[arg-type]
    with pytest.raises(UsageError, match="trained context of 1024"):
        run_benchmark(path_or_model=tiny_gguf, **{**SMALL, "prompt_tokens": 1100})  # type: ignore[arg-type]


def test_gpu_layers_need_a_gpu_build(tiny_gguf: Path) -> None:
    import llama_cpp

    if llama_cpp.llama_supports_gpu_offload():
        pytest.skip("this llama-cpp-python build can offload")
    with pytest.raises(BenchmarkError, match="no GPU offload"):
        run_benchmark(path_or_model=tiny_gguf, gpu_layers=4, **SMALL)  # type: ignore[arg-type]


def test_a_truncated_gguf_is_a_clear_error(tiny_gguf: Path, tmp_path: Path) -> None:
    cut = tmp_path / "cut.gguf"
    cut.write_bytes(tiny_gguf.read_bytes()[:-1000])
    with pytest.raises(GGUFError, match="truncated"):
        run_benchmark(path_or_model=cut, **SMALL)  # type: ignore[arg-type]
    runner = CliRunner()
    out = runner.invoke(app, ["bench", str(cut), "-p", "16", "-n", "4", "-r", "1"])
    assert out.exit_code == 2
    assert "truncated" in out.output and "Traceback" not in out.output
    history = runner.invoke(app, ["bench", "--history", "--format", "json"])
    assert json.loads(history.output) == []


def test_cancel_stops_the_run(tiny_gguf: Path) -> None:
    cancel = threading.Event()
    seen: list[BenchProgress] = []

    def on_progress(report: BenchProgress) -> None:
        seen.append(report)
        if report.phase == "decode":
            cancel.set()

    with pytest.raises(BenchmarkCancelled):
        run_benchmark(path_or_model=tiny_gguf, progress=on_progress, cancel=cancel, **SMALL)  # type: ignore[arg-type]
    assert "perplexity" not in [r.phase for r in seen]


def test_the_cli_stores_backend_and_quantization_side_by_side(gguf_dir: Path) -> None:
    runner = CliRunner()
    for quant in ("Q8_0", "Q4_0"):
        out = runner.invoke(
            app,
            ["bench", str(gguf_dir / f"tiny-llama-{quant}.gguf"),
             "-p", "16", "-n", "4", "-r", "1", "-t", "1", "--format", "json"],
        )  # fmt: skip
        assert out.exit_code == 0, out.output
        document = json.loads(out.output)
        assert document["backend"] == "llama-cpp" and document["quantization"] == quant
    history = runner.invoke(app, ["bench", "--history", "--format", "json"])
    stored = json.loads(history.output)
    assert sorted(r["quantization"] for r in stored) == ["Q4_0", "Q8_0"]
    table = runner.invoke(app, ["bench", "--history"], env={"COLUMNS": "250"})
    assert "llama-cpp" in table.output and "Q4_0" in table.output and "Q8_0" in table.output

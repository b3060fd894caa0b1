"""``run_benchmark`` on tiny real models: it measures, refuses what is unsafe, and cancels cleanly."""

from __future__ import annotations

import json
import math
import sys
import threading
from pathlib import Path

import pytest

from catalog.bench import BenchmarkCancelled, BenchProgress, BenchResult, run_benchmark
from catalog.errors import BenchmarkError, UnsafeModelError, UsageError
from catalog.testing.tiny_models import REMOTE_CODE_MARKER_ENV, TinyModels, write_hf_cache

pytestmark = pytest.mark.bench

SMALL = {"prompt_tokens": 16, "gen_tokens": 6, "repeat": 2, "warmup": 1, "threads": 1}
JSON_KEYS = {
    "model",
    "device",
    "dtype",
    "load_s",
    "prefill_tps",
    "decode_tps",
    "ttft_s",
    "peak_memory_bytes",
    "perplexity",
    "repeat",
    "machine",
}


def test_measures_a_tiny_llama_with_sane_numbers(tiny_models: TinyModels) -> None:
    import torch

    threads_before = torch.get_num_threads()
    reports: list[BenchProgress] = []

    result = run_benchmark(path_or_model=tiny_models.llama, progress=reports.append, **SMALL)

    assert (result.device, result.dtype, result.weights_format) == ("cpu", "fp32", "safetensors")
    assert result.model == str(tiny_models.llama) and result.hub_id is None
    assert result.load_s > 0
    for stat in (result.prefill_tps, result.decode_tps, result.ttft_s, result.generate_s):
        assert len(stat.samples) == 2
        assert all(s > 0 for s in stat.samples)
        assert stat.mean == pytest.approx(sum(stat.samples) / 2)
        assert stat.std >= 0
    # The first token needs the whole prompt, so it cannot come after the whole call ended.
    assert all(
        t <= g for t, g in zip(result.ttft_s.samples, result.generate_s.samples, strict=True)
    )
    assert math.isfinite(result.perplexity) and result.perplexity > 1
    assert result.perplexity_tokens > 100
    assert result.peak_memory_bytes >= result.memory.baseline_rss_bytes > 0
    assert result.params.threads == 1
    assert torch.get_num_threads() == threads_before  # restored after the run
    phases = [r.phase for r in reports]
    assert phases == [
        "load",
        "warmup",
        "warmup",
        "prefill",
        "decode",
        "prefill",
        "decode",
        "perplexity",
        "done",
    ]
    fractions = [r.fraction for r in reports]
    assert fractions == sorted(fractions) and fractions[0] == 0.0 and fractions[-1] == 1.0
    assert [r.repeat for r in reports if r.phase == "decode"] == [1, 2]


def test_json_has_the_documented_keys_and_round_trips(tiny_models: TinyModels) -> None:
    result = run_benchmark(path_or_model=tiny_models.gpt2, **SMALL)

    data = json.loads(json.dumps(result.to_json()))

    assert JSON_KEYS <= set(data)
    assert set(data["decode_tps"]) == {"mean", "std", "samples"}
    assert data["repeat"] == 2 and len(data["decode_tps"]["samples"]) == 2
    assert {
        "cpu",
        "cpu_cores",
        "ram_bytes",
        "gpus",
        "torch",
        "transformers",
        "python",
        "os",
        "hash",
    } <= set(data["machine"])
    assert data["machine"]["torch"].startswith("2.")
    assert BenchResult.from_json(data) == result


def test_the_same_greedy_run_is_reproducible(tiny_models: TinyModels) -> None:
    first = run_benchmark(path_or_model=tiny_models.llama, **SMALL)
    second = run_benchmark(path_or_model=tiny_models.llama, **SMALL)

    assert first.perplexity == second.perplexity
    assert first.machine.fingerprint == second.machine.fingerprint


def test_a_cached_hub_id_is_benchmarked_from_the_cache(
    tiny_models: TinyModels, hf_cache: Path
) -> None:
    cached = write_hf_cache(hf_cache, repo_id="tiny-org/tiny-gpt2", source=tiny_models.gpt2)

    result = run_benchmark(path_or_model="tiny-org/tiny-gpt2", **SMALL)

    assert (result.model, result.hub_id, result.revision) == (
        "tiny-org/tiny-gpt2",
        "tiny-org/tiny-gpt2",
        cached.commit,
    )
    assert result.path == str(cached.snapshot)


def test_an_uncached_hub_id_is_not_downloaded(hf_cache: Path) -> None:
    with pytest.raises(
        BenchmarkError, match="not in the Hugging Face cache.*hf download tiny-org/absent"
    ):
        run_benchmark(path_or_model="tiny-org/absent", **SMALL)


def test_invalid_ids_and_missing_folders_are_rejected_before_any_path_is_built(
    tmp_path: Path,
) -> None:
    with pytest.raises(BenchmarkError, match="no model folder"):
        run_benchmark(path_or_model="../../no/such/model")
    with pytest.raises(BenchmarkError, match="is a file; pass the model folder"):
        run_benchmark(path_or_model=Path(__file__))
    with pytest.raises(BenchmarkError, match="no model folder"):
        run_benchmark(path_or_model=tmp_path / "absent")
    with pytest.raises(BenchmarkError, match="neither an existing folder nor a valid Hub repo id"):
        run_benchmark(path_or_model="bad id!")


class TestSafety:
    def test_pickle_only_weights_are_refused_without_the_flag(
        self, tiny_models: TinyModels
    ) -> None:
        with pytest.raises(UnsafeModelError, match="--allow-pickle") as caught:
            run_benchmark(path_or_model=tiny_models.pickle_only, **SMALL)

        assert "pytorch_model.bin" in str(caught.value)
        assert caught.value.exit_code == 2

    def test_pickle_only_weights_load_with_allow_pickle(self, tiny_models: TinyModels) -> None:
        result = run_benchmark(path_or_model=tiny_models.pickle_only, allow_pickle=True, **SMALL)

        assert result.weights_format == "pickle"
        assert result.params.allow_pickle is True
        assert math.isfinite(result.perplexity)

    def test_remote_code_is_refused_and_never_runs(
        self, tiny_models: TinyModels, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        marker = tmp_path / "remote-code-ran"
        monkeypatch.setenv(REMOTE_CODE_MARKER_ENV, str(marker))

        with pytest.raises(UnsafeModelError, match="--trust-remote-code") as caught:
            run_benchmark(path_or_model=tiny_models.remote_code, **SMALL)

        assert "auto_map" in str(caught.value)
        assert not marker.exists()

    def test_remote_code_runs_with_trust_remote_code(
        self, tiny_models: TinyModels, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        import transformers.dynamic_module_utils as dynamic_modules

        marker = tmp_path / "remote-code-ran"
        monkeypatch.setenv(REMOTE_CODE_MARKER_ENV, str(marker))
        # Keep transformers' copy of the model code out of the user's ~/.cache.
        monkeypatch.setattr(dynamic_modules, "HF_MODULES_CACHE", str(tmp_path / "modules"))
        monkeypatch.delitem(sys.modules, "transformers_modules", raising=False)

        result = run_benchmark(
            path_or_model=tiny_models.remote_code, trust_remote_code=True, **SMALL
        )

        assert marker.exists()
        assert result.params.trust_remote_code is True
        assert result.decode_tps.mean > 0

    def test_corrupt_safetensors_gives_a_clear_error(self, tiny_models: TinyModels) -> None:
        with pytest.raises(
            BenchmarkError, match="not a valid safetensors file.*download it again"
        ) as caught:
            run_benchmark(path_or_model=tiny_models.corrupt_safetensors, **SMALL)

        assert not isinstance(caught.value, UnsafeModelError)

    def test_missing_config_gives_a_clear_error(self, tiny_models: TinyModels) -> None:
        with pytest.raises(BenchmarkError, match="has no config.json"):
            run_benchmark(path_or_model=tiny_models.missing_config, **SMALL)

    def test_a_gguf_file_is_not_for_this_backend(self, tiny_models: TinyModels) -> None:
        with pytest.raises(BenchmarkError, match="GGUF"):
            run_benchmark(path_or_model=tiny_models.gguf, backend="transformers", **SMALL)


class TestCancel:
    def test_a_set_event_stops_before_loading(self, tiny_models: TinyModels) -> None:
        cancel = threading.Event()
        cancel.set()
        reports: list[BenchProgress] = []

        with pytest.raises(BenchmarkCancelled):
            run_benchmark(
                path_or_model=tiny_models.llama, cancel=cancel, progress=reports.append, **SMALL
            )

        assert reports == []

    def test_cancelling_during_decode_stops_mid_generation(self, tiny_models: TinyModels) -> None:
        cancel = threading.Event()
        reports: list[BenchProgress] = []

        def press_ctrl_c_at_decode(report: BenchProgress) -> None:
            reports.append(report)
            if report.phase == "decode":
                cancel.set()

        with pytest.raises(BenchmarkCancelled, match="nothing was recorded"):
            run_benchmark(
                path_or_model=tiny_models.llama,
                cancel=cancel,
                progress=press_ctrl_c_at_decode,
                **SMALL,
            )

        assert [r.phase for r in reports][-1] == "decode"
        assert all(r.phase != "done" for r in reports)


class TestUsage:
    @pytest.mark.parametrize(
        ("field", "value"),
        [("gen_tokens", 1), ("prompt_tokens", 0), ("repeat", 0), ("warmup", -1), ("threads", 0)],
    )
    def test_out_of_range_settings_are_usage_errors(
        self, tiny_models: TinyModels, field: str, value: int
    ) -> None:
        settings = {**SMALL, field: value}

        with pytest.raises(UsageError):
            run_benchmark(path_or_model=tiny_models.llama, **settings)  # type: ignore[arg-type]

    def test_a_prompt_longer_than_the_context_is_a_usage_error(
        self, tiny_models: TinyModels
    ) -> None:
        with pytest.raises(UsageError, match="exceed the model's context of 1024"):
            run_benchmark(
                path_or_model=tiny_models.llama,
                prompt_tokens=1020,
                gen_tokens=8,
                repeat=1,
                warmup=0,
            )

    def test_unknown_device_is_a_usage_error(self, tiny_models: TinyModels) -> None:
        with pytest.raises(UsageError, match="device must be one of"):
            run_benchmark(path_or_model=tiny_models.llama, device="tpu")  # type: ignore[arg-type]


def test_missing_torch_says_how_to_install(
    tiny_models: TinyModels, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(
        sys.modules, "torch", None
    )  # what `import torch` sees when it is not installed

    with pytest.raises(BenchmarkError, match=r"pip install 'modelcat\[bench\]'.*CPU build"):
        run_benchmark(path_or_model=tiny_models.llama, **SMALL)

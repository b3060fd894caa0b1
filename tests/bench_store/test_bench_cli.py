"""``modelcat bench`` on tiny real models: measure, store, show, history; refuse and cancel."""

from __future__ import annotations

import csv
import io
import json
import os
import signal
import subprocess
import sys
import threading
import uuid
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from catalog.api import Catalog
from catalog.bench import BenchmarkCancelled, BenchProgress
from catalog.bench.store import benchmark_and_store, load_results, save_result
from catalog.cli.main import app
from catalog.testing.tiny_models import REMOTE_CODE_MARKER_ENV, TinyModels, write_hf_cache
from tests.bench_store.results import machine, result

pytestmark = pytest.mark.bench

SMALL = ["--repeat", "2", "--prompt-tokens", "16", "--gen-tokens", "6", "--warmup", "1",
         "--threads", "1"]  # fmt: skip
ISSUE_KEYS = {
    "model", "device", "dtype", "load_s", "prefill_tps", "decode_tps", "ttft_s",
    "peak_memory_bytes", "perplexity", "repeat", "machine",
}  # fmt: skip
ROOT = Path(__file__).resolve().parents[2]

runner = CliRunner()


def bench(*args: str) -> Any:
    return runner.invoke(app, ["bench", *args])


def stored(db: Path) -> list[Any]:
    with Catalog.open(db) as cat:
        return load_results(cat)


def test_a_catalog_model_is_measured_on_its_cached_copy_stored_and_shown(
    tiny_models: TinyModels, hf_cache: Path, db_path: Path
) -> None:
    write_hf_cache(hf_cache, repo_id="meta-llama/Llama-2-7b-hf", source=tiny_models.llama)

    ran = bench("llama-2-7b", *SMALL, "--machine-name", "ci-box", "--format", "json")

    assert ran.exit_code == 0, ran.output
    doc = json.loads(ran.stdout)
    assert ISSUE_KEYS <= doc.keys()
    assert set(doc["prefill_tps"]) == {"mean", "std", "samples"}
    assert len(doc["decode_tps"]["samples"]) == doc["repeat"] == 2
    assert (doc["model"], doc["catalog_id"], doc["machine_name"]) == (
        "meta-llama/Llama-2-7b-hf", "llama-2-7b", "ci-box",
    )  # fmt: skip
    assert ran.stderr == ""  # quiet under --format json
    [run] = stored(db_path)
    assert run.id == doc["id"] == str(uuid.UUID(doc["id"]))
    assert run.machine_fingerprint == doc["machine"]["hash"]

    shown = json.loads(runner.invoke(app, ["show", "llama-2-7b", "--format", "json"]).stdout)
    [entry] = shown["benchmarks"]
    assert entry["id"] == run.id and entry["machine"]["name"] == "ci-box"
    assert entry["decode_tps"]["mean"] == doc["decode_tps"]["mean"]
    [copy] = shown["local"]
    assert (copy["hub_id"], copy["catalog_id"]) == ("meta-llama/Llama-2-7b-hf", "llama-2-7b")

    history = json.loads(bench("--history", "llama-2-7b", "--format", "json").stdout)
    assert [h["id"] for h in history] == [run.id]
    by_hub = json.loads(bench("--history", "META-LLAMA/llama-2-7b-hf", "--format", "json").stdout)
    assert [h["id"] for h in by_hub] == [run.id]


def test_history_compares_a_model_across_machines_and_filters_by_machine(
    cat: Catalog,
) -> None:
    home = save_result(cat, result(on=machine(cpu="Home CPU")), catalog_id="llama-2-7b",
                       machine_name="home")  # fmt: skip
    lab = save_result(cat, result(on=machine(cpu="Lab CPU"), decode=(300.0, 310.0)),
                      catalog_id="llama-2-7b", machine_name="lab")  # fmt: skip
    save_result(cat, result(model="other/model", hub_id="other/model"), machine_name="home")

    table = bench("--history", "llama-2-7b")
    rows = list(
        csv.DictReader(io.StringIO(bench("--history", "llama-2-7b", "--format", "csv").stdout))
    )
    only_lab = json.loads(bench("--history", "--machine", "lab", "--format", "json").stdout)
    nothing = bench("--history", "llama-2-7b", "--machine", "nowhere")

    assert table.exit_code == 0
    assert "2 runs of llama-2-7b on 2 machines" in table.stdout
    assert "305.00 ± 7.07" in table.stdout and "105.00 ± 7.07" in table.stdout
    assert {r["machine"]: float(r["decode_tps_mean"]) for r in rows} == {
        "home": 105.0,
        "lab": 305.0,
    }
    assert {r["id"] for r in rows} == {home.id, lab.id}
    assert [r["id"] for r in only_lab] == [lab.id]
    assert nothing.exit_code == 0 and "No stored benchmark runs of llama-2-7b" in nothing.stderr


def test_markdown_and_csv_print_one_row_per_figure_like_llama_bench(
    tiny_models: TinyModels, db_path: Path
) -> None:
    md = bench(str(tiny_models.gpt2), *SMALL, "--format", "md", "--no-store")
    assert md.exit_code == 0, md.output
    lines = md.stdout.splitlines()
    assert lines[0] == (
        "| model | backend | quant | device | dtype | threads | test | result | unit |"
    )
    tests = [line.split(" | ")[6] for line in lines[2:]]
    assert tests == ["load", "pp16", "tg6", "ttft pp16", "peak memory", "perplexity"]
    assert " ± " in lines[3] and lines[3].endswith("| tokens/s |")

    out = bench(str(tiny_models.gpt2), *SMALL, "--format", "csv", "--no-store").stdout
    rows = {r["test"]: r for r in csv.DictReader(io.StringIO(out))}
    assert float(rows["tg6"]["mean"]) > 0 and float(rows["tg6"]["std"]) >= 0
    assert int(rows["peak memory"]["mean"]) > 0 and rows["peak memory"]["unit"] == "bytes"
    assert stored(db_path) == []  # --no-store


@pytest.mark.parametrize(
    ("model", "flag", "why"),
    [
        ("pickle_only", "--allow-pickle", "has only pickle weights"),
        ("remote_code", "--trust-remote-code", "ships its own Python code"),
    ],
)
def test_unsafe_models_are_refused_naming_the_flag(
    tiny_models: TinyModels, db_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    model: str, flag: str, why: str,
) -> None:  # fmt: skip
    marker = tmp_path / "remote-code-ran"
    monkeypatch.setenv(REMOTE_CODE_MARKER_ENV, str(marker))

    refused = bench(str(getattr(tiny_models, model)), *SMALL)

    assert refused.exit_code == 2
    assert why in refused.stderr and flag in refused.stderr
    assert "Traceback" not in refused.output
    assert not marker.exists()
    assert stored(db_path) == []


@pytest.mark.parametrize(
    ("model", "message"),
    [
        ("corrupt_safetensors", "is not a valid safetensors file"),
        ("missing_config", "has no config.json, so it is not a transformers model folder"),
        # A GGUF file goes to the llama-cpp backend, which reads its header first.
        ("gguf", "is not a readable GGUF model"),
    ],
)
def test_damaged_or_unloadable_folders_exit_2_with_a_clear_message(
    tiny_models: TinyModels, db_path: Path, model: str, message: str
) -> None:
    failed = bench(str(getattr(tiny_models, model)), *SMALL)

    assert failed.exit_code == 2
    assert message in failed.stderr and "Traceback" not in failed.output
    assert stored(db_path) == []


def test_a_catalog_model_without_a_local_copy_says_how_to_get_one(hf_cache: Path) -> None:
    missing = bench("llama-2-13b", *SMALL)
    api_only = bench("gpt-4", *SMALL)

    assert missing.exit_code == 2
    assert "hf download meta-llama/Llama-2-13b-hf" in missing.stderr
    assert api_only.exit_code == 2 and "API-only" in api_only.stderr


def test_usage_errors_exit_2() -> None:
    assert bench().exit_code == 2
    wrong = bench("x", "--machine", "lab")
    assert wrong.exit_code == 2 and "--machine and --limit go with --history" in wrong.stderr
    assert bench("x", "--device", "tpu").exit_code == 2


@pytest.mark.parametrize("stop_at", ["decode", "done"])
def test_a_cancelled_run_stores_nothing(
    tiny_models: TinyModels, cat: Catalog, stop_at: str
) -> None:
    cancel = threading.Event()

    def progress(report: BenchProgress) -> None:
        if report.phase == stop_at:
            cancel.set()  # "done": cancelled after the last step, before the result is stored

    with pytest.raises(BenchmarkCancelled):
        benchmark_and_store(
            cat, path_or_model=tiny_models.llama, prompt_tokens=16, gen_tokens=6, repeat=2,
            warmup=0, threads=1, progress=progress, cancel=cancel,
        )  # fmt: skip

    assert load_results(cat) == []


def test_the_same_pipeline_stores_a_run_when_not_cancelled(
    tiny_models: TinyModels, cat: Catalog
) -> None:
    run = benchmark_and_store(
        cat, catalog_id="llama-2-7b", machine_name="here", path_or_model=tiny_models.llama,
        prompt_tokens=16, gen_tokens=6, repeat=2, warmup=0, threads=1,
    )  # fmt: skip

    assert load_results(cat) == [run]
    assert (run.catalog_id, run.machine_name) == ("llama-2-7b", "here")


def _cli(*args: str, env: dict[str, str], prelude: str = "") -> subprocess.Popen[str]:
    code = f"{prelude}import sys; from catalog.cli.main import run; sys.argv[0] = 'modelcat'; run()"
    return subprocess.Popen(
        [sys.executable, "-c", code, *args], cwd=ROOT, env=env, text=True,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )  # fmt: skip


def test_ctrl_c_stops_the_cli_cleanly_and_stores_nothing(
    tiny_models: TinyModels, db_path: Path
) -> None:
    proc = _cli("bench", str(tiny_models.llama), "--repeat", "10000", "--prompt-tokens", "16",
                "--gen-tokens", "32", "--threads", "1", env=dict(os.environ))  # fmt: skip
    assert proc.stderr is not None
    seen: list[str] = []
    for line in proc.stderr:  # piped: one line per phase; decode means the run is under way
        seen.append(line)
        if "measuring decode" in line:
            break
    assert any("measuring decode" in line for line in seen), (seen, proc.poll())
    proc.send_signal(signal.SIGINT)
    _, rest = proc.communicate(timeout=120)

    assert proc.returncode == 130, rest
    assert "benchmark cancelled; nothing was recorded" in rest
    assert "Traceback" not in rest
    assert stored(db_path) == []

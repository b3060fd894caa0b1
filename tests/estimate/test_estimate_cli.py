"""``modelcat estimate (MODEL | --config PATH)``: the JSON contract, the card and bad input."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from catalog.api import Catalog
from catalog.cli.main import app
from catalog.estimate import estimate
from tests.advisor.catalog_data import PARAMS_ONLY, write_overlay
from tests.estimate.reference import reference_config

runner = CliRunner()
INFERENCE_KEYS = {"dtype", "weights_bytes", "kv_cache_bytes", "overhead_bytes", "total_bytes"}
METHODS = {"full", "lora", "qlora", "prompt_tuning", "prompt_engineering"}


@pytest.fixture
def configured(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """The reference models carry their configs (an overlay over the shipped data)."""
    folder = write_overlay(tmp_path / "overlay")
    monkeypatch.setenv("MODELCAT_DATA", str(folder))
    yield folder


def run(*args: str) -> Any:
    return runner.invoke(app, ["estimate", *args])


def run_json(*args: str) -> dict[str, Any]:
    result = run(*args, "--fast", "--format", "json")
    assert result.exit_code == 0, result.output
    payload: dict[str, Any] = json.loads(result.stdout)
    return payload


def write_config(tmp_path: Path, repo_id: str) -> Path:
    path = tmp_path / "config.json"
    path.write_text(json.dumps(reference_config(repo_id)), encoding="utf-8")
    return path


def test_json_of_a_catalog_model_has_every_part(configured: Path) -> None:
    doc = run_json("llama-2-7b")
    assert {
        "model",
        "params",
        "active_params",
        "inference",
        "training",
        "assumptions",
    } <= doc.keys()
    assert doc["model"] == "llama-2-7b" and doc["params"] == 6_738_415_616
    assert INFERENCE_KEYS <= doc["inference"].keys()
    assert METHODS <= doc["training"].keys()
    for method in METHODS:
        assert {"trainable_params", "total_bytes", "storage_per_task_bytes"} <= doc["training"][
            method
        ].keys()
    expected = estimate(config=reference_config("meta-llama/Llama-2-7b-hf"), exact=False)
    assert doc["inference"]["total_bytes"] == expected.inference.total_bytes
    assert doc["training"]["lora"]["total_bytes"] == expected.training["lora"].total_bytes
    assert any("curated config" in line for line in doc["assumptions"])
    assert doc["source"] == {
        "kind": "catalog",
        "id": "llama-2-7b",
        "hub_id": doc["source"]["hub_id"],
    }


def test_a_hub_id_names_the_same_model(configured: Path) -> None:
    assert run_json("meta-llama/Llama-2-7b-hf")["model"] == "llama-2-7b"


def test_trainable_parameters_follow_the_options(configured: Path) -> None:
    doc = run_json("llama-2-7b", "--lora-rank", "8", "--virtual-tokens", "30")
    # q_proj and v_proj: 32 layers x 2 matrices x rank 8 x (4096 in + 4096 out)
    assert doc["training"]["lora"]["trainable_params"] == 32 * 2 * 8 * (4096 + 4096)
    assert doc["training"]["qlora"]["trainable_params"] == 32 * 2 * 8 * (4096 + 4096)
    assert doc["training"]["prompt_tuning"]["trainable_params"] == 30 * 4096
    assert doc["training"]["full"]["trainable_params"] == doc["params"]
    assert doc["training"]["prompt_engineering"]["trainable_params"] == 0
    wide = run_json("llama-2-7b", "--lora-rank", "8", "--lora-targets", "all-linear")
    assert (
        wide["training"]["lora"]["trainable_params"] > doc["training"]["lora"]["trainable_params"]
    )


def test_grouped_query_attention_from_a_config_file(tmp_path: Path) -> None:
    path = write_config(tmp_path, "meta-llama/Llama-2-70b-hf")
    doc = run_json("--config", str(path), "--lora-rank", "8", "--context", "1024")
    # v_proj of a GQA layer maps 8192 to 8 KV heads x 128 = 1024
    assert doc["training"]["lora"]["trainable_params"] == 80 * 8 * ((8192 + 8192) + (8192 + 1024))
    assert doc["inference"]["kv_cache_bytes"] == 2 * 80 * 8 * 128 * 1024 * 2
    assert doc["source"]["kind"] == "config-file"


def test_dtype_changes_the_weights(configured: Path) -> None:
    bf16 = run_json("llama-2-7b")["inference"]
    q4 = run_json("llama-2-7b", "--dtype", "q4_k_m")["inference"]
    assert q4["dtype"] == "q4_k_m" and q4["weights_bytes"] < bf16["weights_bytes"] / 3


def test_gradient_checkpointing_can_be_switched_off(configured: Path) -> None:
    on = run_json("llama-2-7b")["training"]["full"]
    off = run_json("llama-2-7b", "--no-gradient-checkpointing")["training"]["full"]
    assert off["gradient_checkpointing"] is False
    assert off["total_bytes"] > on["total_bytes"]


def test_a_model_without_config_is_estimated_from_its_size_and_says_so(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = write_overlay(tmp_path / "sized", extra=[PARAMS_ONLY])
    monkeypatch.setenv("MODELCAT_DATA", str(folder))
    doc = run_json("params-only-7b")
    assert doc["params"] == PARAMS_ONLY["params"]
    assert doc["inference"]["total_is_lower_bound"] is True
    assert doc["training"]["lora"]["trainable_params"] is None
    assert any("parameter count only" in line for line in doc["assumptions"])


def test_api_models_are_not_estimated(cat: Catalog) -> None:
    result = run("gpt-4", "--format", "json")
    assert result.exit_code == 2
    assert result.stdout == ""
    assert "API-only" in result.stderr and "nothing can be estimated" in result.stderr


def test_the_card_compares_the_three_ways(configured: Path) -> None:
    # Wide enough that no cell wraps (at 100 columns "a full model copy" spans two lines).
    result = runner.invoke(app, ["estimate", "llama-2-7b", "--fast"], env={"COLUMNS": "160"})
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "fine-tuning vs prompt tuning vs prompt engineering" in out
    for text in ("KV cache", "LoRA", "QLoRA", "soft prompt", "81.9K", "a full model copy"):
        assert text in out
    md = run("llama-2-7b", "--fast", "--format", "md").stdout
    assert md.startswith("## llama-2-7b") and "| way | method |" in md
    csv = run("llama-2-7b", "--fast", "--format", "csv").stdout
    assert csv.splitlines()[0].startswith("method,trainable_params")
    assert len(csv.splitlines()) == 1 + len(METHODS)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["llama-2-7b", "--context", "-5"], "context must be a positive integer"),
        (["llama-2-7b", "--dtype", "fp7"], "unknown dtype 'fp7'"),
        (["llama-2-7b", "--lora-targets", "nope"], "match no module"),
        (["llama-2-7b", "--lora-rank", "0"], "lora_rank must be a positive integer"),
        (["no-such-model"], "unknown model"),
        ([], "give a MODEL"),
    ],
)
def test_bad_input_exits_2(configured: Path, args: list[str], message: str) -> None:
    result = run(*args, "--fast")
    assert result.exit_code == 2
    assert message in result.stderr


def test_bad_config_files_exit_2(tmp_path: Path) -> None:
    not_json = tmp_path / "bad.json"
    not_json.write_text("{not json", encoding="utf-8")
    a_list = tmp_path / "list.json"
    a_list.write_text("[1, 2]", encoding="utf-8")
    cases = [
        (["--config", str(not_json)], "is not JSON"),
        (["--config", str(a_list)], "must be a JSON object"),
        (["--config", str(tmp_path / "missing.json")], "cannot read config"),
        (["llama-2-7b", "--config", str(a_list)], "not both"),
    ]
    for args, message in cases:
        result = run(*args)
        assert result.exit_code == 2, args
        assert message in result.stderr, (args, result.stderr)

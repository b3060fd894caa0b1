"""``modelcat local``: tiny real models in a temporary HF cache and in plain folders."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from catalog.cli.main import app
from catalog.testing.tiny_models import TinyModels, copy_model, write_hf_cache

pytestmark = pytest.mark.bench

JSON_KEYS = [
    "path", "hub_id", "catalog_id", "revision", "size_bytes", "formats", "remote_code",
    "source", "name", "architecture", "parameters", "context_length", "quantization",
]  # fmt: skip
SHAPE_KEYS = (
    "model_type", "vocab_size", "hidden_size", "intermediate_size", "num_hidden_layers",
    "num_attention_heads", "num_key_value_heads", "max_position_embeddings", "tie_word_embeddings",
)  # fmt: skip

runner = CliRunner()


def local_json(*args: str) -> tuple[list[dict[str, Any]], str]:
    result = runner.invoke(app, ["local", *args, "--format", "json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout), result.stderr


def test_finds_cached_models_with_exact_keys_and_links_a_curated_hub_id(
    tiny_models: TinyModels, hf_cache: Path
) -> None:
    curated = write_hf_cache(hf_cache, repo_id="meta-llama/Llama-2-7b-hf", source=tiny_models.llama)
    other = write_hf_cache(hf_cache, repo_id="tiny-org/tiny-gpt2", source=tiny_models.gpt2)

    models, _ = local_json()

    assert [list(m) for m in models] == [JSON_KEYS, JSON_KEYS]
    by_hub = {m["hub_id"]: m for m in models}
    assert by_hub["meta-llama/Llama-2-7b-hf"] == {
        "path": str(curated.snapshot),
        "hub_id": "meta-llama/Llama-2-7b-hf",
        "catalog_id": "llama-2-7b",
        "revision": curated.commit,
        "size_bytes": sum(p.stat().st_size for p in (curated.repo_dir / "blobs").iterdir()),
        "formats": ["safetensors"],
        "remote_code": False,
        "source": "hf-cache",
        "name": None,
        "architecture": None,
        "parameters": None,
        "context_length": None,
        "quantization": None,
    }
    assert by_hub["tiny-org/tiny-gpt2"]["catalog_id"] is None
    assert by_hub["tiny-org/tiny-gpt2"]["revision"] == other.commit


def test_plain_folders_are_searched_and_report_formats_and_remote_code(
    tiny_models: TinyModels, hf_cache: Path
) -> None:
    models, stderr = local_json("--path", str(tiny_models.root), "--no-hf-cache")

    by_path = {Path(m["path"]).relative_to(tiny_models.root).as_posix(): m for m in models}
    assert set(by_path) == {
        "llama", "gpt2", "pickle-only", "remote-code", "corrupt-safetensors", "gguf/tiny-Q8_0.gguf",
    }  # fmt: skip
    assert by_path["pickle-only"]["formats"] == ["pickle"]
    assert by_path["gguf/tiny-Q8_0.gguf"]["formats"] == ["gguf"]
    assert by_path["remote-code"]["remote_code"] is True
    assert by_path["llama"]["remote_code"] is False
    assert all(m["hub_id"] is None and m["revision"] is None for m in models)
    assert "missing-config holds weights but no config.json" in stderr


def test_the_hf_cache_and_folders_together_and_no_hf_cache(
    tiny_models: TinyModels, hf_cache: Path
) -> None:
    write_hf_cache(hf_cache, repo_id="tiny-org/tiny-llama", source=tiny_models.llama)

    both, _ = local_json("--path", str(tiny_models.llama))
    only_folder, _ = local_json("--path", str(tiny_models.llama), "--no-hf-cache")

    assert [m["hub_id"] for m in both] == ["tiny-org/tiny-llama", None]
    assert [m["path"] for m in only_folder] == [str(tiny_models.llama)]


def test_paths_come_from_the_config_file_too(
    tiny_models: TinyModels, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, hf_cache: Path
) -> None:
    config = tmp_path / "config.yaml"
    config.write_text(f"paths:\n  - {tiny_models.gpt2}\n", encoding="utf-8")
    monkeypatch.setenv("MODELCAT_CONFIG", str(config))

    models, _ = local_json("--path", str(tiny_models.llama))

    assert [m["path"] for m in models] == [str(tiny_models.gpt2), str(tiny_models.llama)]


def test_a_bad_config_file_is_a_clear_usage_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, hf_cache: Path
) -> None:
    config = tmp_path / "config.yaml"
    config.write_text("paths: ~/models\n", encoding="utf-8")
    monkeypatch.setenv("MODELCAT_CONFIG", str(config))

    result = runner.invoke(app, ["local"])

    assert result.exit_code == 2
    assert f"config file {config}:1: 'paths' must be a list of folders" in result.stderr
    assert "Traceback" not in result.output


def test_a_plain_copy_links_by_architecture_to_a_curated_entry(
    tiny_models: TinyModels, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, hf_cache: Path
) -> None:
    shape = json.loads((tiny_models.llama / "config.json").read_text(encoding="utf-8"))
    overlay = tmp_path / "data"
    overlay.mkdir()
    entry = {
        "id": "tiny-test-llama", "name": "Tiny Test Llama", "family": "Tiny", "publisher": "tests",
        "release_date": "2025-01-01", "variant": "base", "architecture": "llama",
        "config": {k: shape[k] for k in SHAPE_KEYS if k in shape},
        "hub_id": "tiny-org/tiny-test-llama", "license": "apache-2.0", "access": "open",
        "sources": {"license": "https://example.org/l", "access": "https://example.org/a",
                    "config": "https://example.org/c"},
    }  # fmt: skip
    # JSON is YAML: the overlay's models.yaml adds one curated entry with the tiny shape.
    (overlay / "models.yaml").write_text(json.dumps({"models": [entry]}), encoding="utf-8")
    monkeypatch.setenv("MODELCAT_DATA", str(overlay))
    copy = copy_model(tiny_models.llama, tmp_path / "my-copy")

    models, _ = local_json("--path", str(copy), "--path", str(tiny_models.gpt2), "--no-hf-cache")

    assert {m["path"]: m["catalog_id"] for m in models} == {
        str(copy): "tiny-test-llama",
        str(tiny_models.gpt2): None,  # another shape: not linked rather than guessed
    }


def test_an_empty_scan_says_where_it_looked(hf_cache: Path) -> None:
    result = runner.invoke(app, ["local"])

    assert result.exit_code == 0
    assert f"No models found in the Hugging Face cache ({hf_cache})" in result.stderr

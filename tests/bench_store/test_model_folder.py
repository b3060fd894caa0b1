"""``copy_to_benchmark``: the one rule for which copy of a catalog model a benchmark measures."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from catalog.api import Catalog
from catalog.errors import BenchmarkError
from catalog.local.model_folder import copy_to_benchmark
from catalog.testing.tiny_models import write_hf_cache


def _copy_of(cat: Catalog, model_id: str, folder: Path) -> Path:
    folder.mkdir(parents=True)
    (folder / "config.json").write_text(json.dumps(cat.get(model_id).config), encoding="utf-8")
    (folder / "model.safetensors").write_bytes(b"")
    return folder


@pytest.fixture
def config_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "models"
    folder.mkdir()
    config = tmp_path / "config.yaml"
    config.write_text(f"paths:\n  - {folder}\n", encoding="utf-8")
    monkeypatch.setenv("MODELCAT_CONFIG", str(config))
    monkeypatch.setenv("HF_HUB_CACHE", str(tmp_path / "hf-cache"))
    return folder


def test_the_cached_snapshot_wins_over_a_folder_copy(
    cat: Catalog, config_file: Path, tmp_path: Path
) -> None:
    _copy_of(cat, "pythia-1b", config_file / "pythia")
    source = _copy_of(cat, "pythia-1b", tmp_path / "source")
    snapshot = write_hf_cache(
        tmp_path / "hf-cache", repo_id="EleutherAI/pythia-1b", source=source
    ).snapshot
    assert copy_to_benchmark(cat, cat.get("pythia-1b")).path == snapshot


def test_a_folder_copy_is_found_through_the_config_file(cat: Catalog, config_file: Path) -> None:
    copy = _copy_of(cat, "pythia-1b", config_file / "pythia")
    model = cat.get("pythia-1b")
    assert copy_to_benchmark(cat, model).path == copy
    assert copy_to_benchmark(cat, model, backend="transformers").path == copy
    with pytest.raises(BenchmarkError, match="no GGUF copy of pythia-1b"):
        copy_to_benchmark(cat, model, backend="llama-cpp")


def test_no_copy_and_api_only_say_why(cat: Catalog, config_file: Path) -> None:
    with pytest.raises(BenchmarkError, match="hf download EleutherAI/pythia-1b"):
        copy_to_benchmark(cat, cat.get("pythia-1b"))
    with pytest.raises(BenchmarkError, match="API-only"):
        copy_to_benchmark(cat, cat.get("gpt-4o"))

"""``modelcat local``, ``show`` and ``estimate --gguf`` on tiny GGUF files where people keep
them: --path folders, the Hugging Face cache, LM Studio, llama.cpp's cache and Ollama."""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from catalog.cli.main import app
from catalog.local.gguf_meta import read_gguf
from catalog.testing.tiny_gguf import TinyShape, parameter_count, write_tiny_llama
from catalog.testing.tiny_models import write_hf_cache

runner = CliRunner()
LOCAL_KEYS = [
    "path", "hub_id", "catalog_id", "revision", "size_bytes", "formats", "remote_code",
    "source", "name", "architecture", "parameters", "context_length", "quantization",
]  # fmt: skip


@pytest.fixture(autouse=True)
def machine_folders(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A home of its own (LM Studio's folder), and empty llama.cpp and Ollama folders."""
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("HF_HUB_CACHE", str(tmp_path / "hf-cache"))
    monkeypatch.setenv("LLAMA_CACHE", str(tmp_path / "llama-cache"))
    monkeypatch.setenv("OLLAMA_MODELS", str(tmp_path / "ollama"))
    monkeypatch.delenv("XDG_CACHE_HOME", raising=False)
    monkeypatch.delenv("MODELCAT_CONFIG", raising=False)
    return home


@pytest.fixture
def tiny_entry(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """An overlay catalog entry for the tiny Llama (name, size and shape of the test files)."""
    shape = TinyShape()
    overlay = tmp_path / "data"
    overlay.mkdir()
    entry = {
        "id": "tiny-gguf-llama", "name": "Tiny Llama", "family": "Tiny", "publisher": "tests",
        "release_date": "2025-01-01", "variant": "base", "architecture": "llama",
        "params": parameter_count(),
        "config": {"model_type": "llama", "hidden_size": shape.n_embd,
                   "num_hidden_layers": shape.n_layer, "num_attention_heads": shape.n_head,
                   "num_key_value_heads": shape.n_head_kv, "intermediate_size": shape.n_ff,
                   "vocab_size": 366},
        "hub_id": "tiny-org/tiny-llama", "license": "apache-2.0", "access": "open",
        "sources": {"license": "https://example.org/l", "access": "https://example.org/a",
                    "config": "https://example.org/c", "params": "https://example.org/p"},
    }  # fmt: skip
    (overlay / "models.yaml").write_text(json.dumps({"models": [entry]}), encoding="utf-8")
    monkeypatch.setenv("MODELCAT_DATA", str(overlay))
    return "tiny-gguf-llama"


def local_json(*args: str) -> tuple[list[dict[str, Any]], str]:
    result = runner.invoke(app, ["local", "--no-hf-cache", *args, "--format", "json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout), result.stderr


def test_gguf_files_in_a_folder_are_read_from_their_headers(gguf_dir: Path) -> None:
    models, _ = local_json("--path", str(gguf_dir))
    assert [list(m) for m in models] == [LOCAL_KEYS] * 3
    by_quant = {m["quantization"]: m for m in models}
    assert set(by_quant) == {"Q8_0", "Q4_0", "F16"}
    q8 = by_quant["Q8_0"]
    assert q8["formats"] == ["gguf"] and q8["source"] == "folder"
    assert q8["architecture"] == "llama"
    assert q8["parameters"] == parameter_count()
    assert q8["context_length"] == TinyShape().n_ctx
    assert q8["size_bytes"] == (gguf_dir / "tiny-llama-Q8_0.gguf").stat().st_size
    # The quantizations differ in size as they should.
    sizes = {q: m["size_bytes"] for q, m in by_quant.items()}
    assert sizes["Q4_0"] < sizes["Q8_0"] < sizes["F16"]
    table = runner.invoke(app, ["local", "--no-hf-cache", "--path", str(gguf_dir)],
                          env={"COLUMNS": "250"})  # fmt: skip
    assert "Q4_0" in table.output and "llama" not in table.stderr


def test_lm_studio_and_llama_cpp_cache_are_searched(
    tiny_gguf: Path, machine_folders: Path, tmp_path: Path
) -> None:
    lm = machine_folders / ".lmstudio" / "models" / "tiny-org" / "Tiny-GGUF"
    lm.mkdir(parents=True)
    shutil.copy(tiny_gguf, lm / "tiny-Q8_0.gguf")
    cache = tmp_path / "llama-cache"
    cache.mkdir()
    shutil.copy(tiny_gguf, cache / "tiny-org_Tiny-GGUF_tiny-Q8_0.gguf")
    models, _ = local_json()
    assert {m["source"] for m in models} == {"lm-studio", "llama.cpp"}
    assert all(m["quantization"] == "Q8_0" for m in models)


def write_ollama(root: Path, model: Path, *, name: str = "tinyllama", tag: str = "latest") -> Path:
    """Ollama's layout: a manifest naming the GGUF blob by its sha256."""
    digest = hashlib.sha256(model.read_bytes()).hexdigest()
    (root / "blobs").mkdir(parents=True, exist_ok=True)
    blob = root / "blobs" / f"sha256-{digest}"
    shutil.copy(model, blob)
    manifest = root / "manifests" / "registry.ollama.ai" / "library" / name / tag
    manifest.parent.mkdir(parents=True, exist_ok=True)
    manifest.write_text(json.dumps({
        "schemaVersion": 2,
        "mediaType": "application/vnd.docker.distribution.manifest.v2+json",
        "config": {"mediaType": "application/vnd.docker.container.image.v1+json",
                   "digest": "sha256:" + "0" * 64, "size": 2},
        "layers": [
            {"mediaType": "application/vnd.ollama.image.model", "digest": f"sha256:{digest}",
             "size": model.stat().st_size},
            {"mediaType": "application/vnd.ollama.image.template", "digest": "sha256:" + "1" * 64,
             "size": 10},
        ],
    }), encoding="utf-8")  # fmt: skip
    return blob


def test_an_ollama_layout_is_found_and_linked(
    tiny_gguf: Path, tmp_path: Path, tiny_entry: str
) -> None:
    root = tmp_path / "ollama"
    blob = write_ollama(root, tiny_gguf)
    bad = root / "manifests" / "registry.ollama.ai" / "library" / "evil" / "latest"
    bad.parent.mkdir(parents=True)
    layer = {"mediaType": "application/vnd.ollama.image.model", "digest": "../../../etc/passwd"}
    bad.write_text(json.dumps({"layers": [layer]}), encoding="utf-8")
    models, stderr = local_json()
    assert len(models) == 1
    [found] = models
    assert found["source"] == "ollama" and found["name"] == "tinyllama:latest"
    assert found["path"] == str(blob)
    assert found["quantization"] == "Q8_0"
    assert found["catalog_id"] == tiny_entry
    assert "evil" in stderr and "not sha256" in stderr


def test_gguf_repositories_in_the_hf_cache_list_each_file(
    gguf_dir: Path, tmp_path: Path, tiny_entry: str
) -> None:
    cached = write_hf_cache(
        tmp_path / "hf-cache", repo_id="someone/Tiny-Llama-GGUF", source=gguf_dir
    )
    result = runner.invoke(app, ["local", "--format", "json"])
    assert result.exit_code == 0, result.output
    models = json.loads(result.stdout)
    assert len(models) == 3
    assert {m["hub_id"] for m in models} == {"someone/Tiny-Llama-GGUF"}
    assert {m["revision"] for m in models} == {cached.commit}
    assert {m["source"] for m in models} == {"hf-cache"}
    # The GGUF repository is not a catalog entry; the files are linked by their name and size.
    assert {m["catalog_id"] for m in models} == {tiny_entry}


def test_linking_by_source_name_and_size(tmp_path: Path, tiny_entry: str) -> None:
    folder = tmp_path / "models"
    folder.mkdir()
    write_tiny_llama(folder / "renamed.gguf", name="Something Else",
                     extra={"general.source.huggingface.repository": "tiny-org/tiny-llama"})  # fmt: skip
    write_tiny_llama(folder / "by-name.gguf", name="Tiny Llama")
    bigger = TinyShape(n_embd=128, n_ff=256)
    write_tiny_llama(folder / "same-name-other-size.gguf", name="Tiny Llama", shape=bigger)
    write_tiny_llama(folder / "unknown.gguf", name="Unrelated Model", shape=bigger)
    models, _ = local_json("--path", str(folder))
    linked = {Path(m["path"]).name: m["catalog_id"] for m in models}
    assert linked == {
        "renamed.gguf": tiny_entry,  # the source repository names the catalog's Hub id
        "by-name.gguf": tiny_entry,  # the name, with a matching architecture and size
        "same-name-other-size.gguf": None,  # the name alone is not enough
        "unknown.gguf": None,
    }


def test_a_truncated_gguf_is_listed_with_a_warning(tiny_gguf: Path, tmp_path: Path) -> None:
    folder = tmp_path / "models"
    folder.mkdir()
    (folder / "cut.gguf").write_bytes(tiny_gguf.read_bytes()[:5000])
    models, stderr = local_json("--path", str(folder))
    assert len(models) == 1 and models[0]["quantization"] is None
    assert "truncated" in stderr and "Traceback" not in stderr


def test_show_lists_the_gguf_copies(
    tiny_gguf: Path, machine_folders: Path, tiny_entry: str
) -> None:
    lm = machine_folders / ".lmstudio" / "models" / "tests" / "tiny"
    lm.mkdir(parents=True)
    shutil.copy(tiny_gguf, lm / "Tiny-Llama-Q8_0.gguf")
    result = runner.invoke(app, ["show", tiny_entry, "--format", "json"])
    assert result.exit_code == 0, result.output
    local = json.loads(result.stdout)["local"]
    assert [(c["source"], c["quantization"]) for c in local] == [("lm-studio", "Q8_0")]


def test_estimate_a_gguf_file_at_its_real_quantization(gguf_dir: Path, tiny_entry: str) -> None:
    shape = TinyShape()
    for quant in ("Q8_0", "Q4_0"):
        path = gguf_dir / f"tiny-llama-{quant}.gguf"
        result = runner.invoke(app, ["estimate", "--gguf", str(path), "--context", "512",
                                     "--format", "json"])  # fmt: skip
        assert result.exit_code == 0, result.output
        doc = json.loads(result.stdout)
        info = read_gguf(path)
        assert doc["quantization"] == quant and doc["params"] == parameter_count()
        inference = doc["inference"]
        assert inference["weights_bytes"] == info.tensor_bytes
        head_dim = shape.n_embd // shape.n_head
        kv = shape.n_layer * shape.n_head_kv * 2 * head_dim * 512 * 2  # K and V in f16
        assert inference["kv_cache_type"] == "f16"
        assert inference["kv_cache_bytes"] == kv
        assert inference["total_bytes"] >= inference["weights_bytes"] + kv
        assert doc["source"]["id"] == tiny_entry
    table = runner.invoke(app, ["estimate", "--gguf", str(gguf_dir / "tiny-llama-Q4_0.gguf")])
    assert table.exit_code == 0 and "Q4_0" in table.output and "KV cache" in table.output


def test_estimate_refuses_a_truncated_gguf(tiny_gguf: Path, tmp_path: Path) -> None:
    cut = tmp_path / "cut.gguf"
    cut.write_bytes(tiny_gguf.read_bytes()[:-100])
    result = runner.invoke(app, ["estimate", "--gguf", str(cut)])
    assert result.exit_code == 2
    assert "truncated" in result.output and "Traceback" not in result.output
    both = runner.invoke(app, ["estimate", "llama-2-7b", "--gguf", str(tiny_gguf)])
    assert both.exit_code == 2


@pytest.mark.gguf
def test_runs_of_a_linked_gguf_are_filed_under_its_catalog_entry(
    gguf_dir: Path, machine_folders: Path, tiny_entry: str
) -> None:
    pytest.importorskip("llama_cpp")
    small = ["-p", "16", "-n", "4", "-r", "1", "-t", "1", "--format", "json"]
    by_file = runner.invoke(app, ["bench", str(gguf_dir / "tiny-llama-Q4_0.gguf"), *small])
    assert by_file.exit_code == 0, by_file.output
    assert json.loads(by_file.stdout)["catalog_id"] == tiny_entry
    lm = machine_folders / ".lmstudio" / "models" / "tests" / "tiny"
    lm.mkdir(parents=True)
    shutil.copy(gguf_dir / "tiny-llama-Q8_0.gguf", lm / "Tiny-Llama-Q8_0.gguf")
    by_id = runner.invoke(app, ["bench", tiny_entry, "--backend", "llama-cpp", *small])
    assert by_id.exit_code == 0, by_id.output
    assert json.loads(by_id.stdout)["path"] == str(lm / "Tiny-Llama-Q8_0.gguf")
    history = runner.invoke(app, ["bench", "--history", tiny_entry, "--format", "json"])
    assert sorted(r["quantization"] for r in json.loads(history.stdout)) == ["Q4_0", "Q8_0"]
    shown = json.loads(runner.invoke(app, ["show", tiny_entry, "--format", "json"]).stdout)
    assert sorted(b["label"] for b in shown["benchmarks"]) == ["llama-cpp Q4_0", "llama-cpp Q8_0"]

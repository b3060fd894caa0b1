"""``catalog.local``: models found in a Hub cache layout and in plain folders."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from catalog.local.folders import scan_folder
from catalog.local.hf_cache import cached_snapshot, scan_hf_cache
from catalog.local.link import CatalogRef, link, numbers_from_config
from catalog.local.model import LocalModel
from catalog.local.scan import find_local_models
from catalog.testing.tiny_models import TinyModels, copy_model, write_gguf_stub, write_hf_cache

JSON_KEYS = [
    "path", "hub_id", "catalog_id", "revision", "size_bytes", "formats", "remote_code",
    "source", "name", "architecture", "parameters", "context_length", "quantization",
]  # fmt: skip


def _by_hub_id(models: tuple[LocalModel, ...]) -> dict[str | None, LocalModel]:
    return {m.hub_id: m for m in models}


class TestHubCache:
    @pytest.mark.bench
    def test_finds_each_cached_model_with_revision_size_and_formats(
        self, tiny_models: TinyModels, hf_cache: Path
    ) -> None:
        llama = write_hf_cache(hf_cache, repo_id="tiny-org/tiny-llama", source=tiny_models.llama)
        gpt2 = write_hf_cache(hf_cache, repo_id="tiny-gpt2", source=tiny_models.gpt2)
        remote = write_hf_cache(
            hf_cache, repo_id="tiny-org/tiny-remote", source=tiny_models.remote_code
        )
        pickled = write_hf_cache(
            hf_cache, repo_id="tiny-org/tiny-pickle", source=tiny_models.pickle_only
        )

        scan = scan_hf_cache()  # HF_HUB_CACHE is read now, not at import

        assert scan.warnings == ()
        found = _by_hub_id(scan.models)
        assert set(found) == {
            "tiny-org/tiny-llama",
            "tiny-gpt2",
            "tiny-org/tiny-remote",
            "tiny-org/tiny-pickle",
        }
        model = found["tiny-org/tiny-llama"]
        assert model.path == llama.snapshot
        assert model.revision == llama.commit
        assert model.size_bytes == sum(
            p.stat().st_size for p in (llama.repo_dir / "blobs").iterdir()
        )
        assert model.formats == ("safetensors",)
        assert model.remote_code is False
        assert model.config is not None and model.config["model_type"] == "llama"
        assert model.source == "hf-cache"
        assert found["tiny-gpt2"].revision == gpt2.commit
        assert (
            found["tiny-gpt2"].config is not None
            and found["tiny-gpt2"].config["model_type"] == "gpt2"
        )
        assert found["tiny-org/tiny-remote"].remote_code is True
        assert found["tiny-org/tiny-remote"].revision == remote.commit
        assert found["tiny-org/tiny-pickle"].formats == ("pickle",)
        assert found["tiny-org/tiny-pickle"].revision == pickled.commit

    @pytest.mark.bench
    def test_hf_home_is_honoured_when_hf_hub_cache_is_unset(
        self, tiny_models: TinyModels, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.delenv("HF_HUB_CACHE", raising=False)
        monkeypatch.delenv("HUGGINGFACE_HUB_CACHE", raising=False)
        monkeypatch.setenv("HF_HOME", str(tmp_path / "hf-home"))
        cached = write_hf_cache(
            tmp_path / "hf-home" / "hub", repo_id="tiny-org/tiny-llama", source=tiny_models.llama
        )

        scan = scan_hf_cache()

        assert [m.path for m in scan.models] == [cached.snapshot]

    def test_config_only_repositories_are_not_models(self, hf_cache: Path, tmp_path: Path) -> None:
        source = tmp_path / "config-only"
        source.mkdir()
        (source / "config.json").write_text('{"model_type": "llama"}', encoding="utf-8")
        write_hf_cache(hf_cache, repo_id="meta-llama/Llama-2-7b-hf", source=source)

        assert scan_hf_cache().models == ()

    def test_missing_cache_gives_a_warning_not_an_error(self, tmp_path: Path) -> None:
        scan = scan_hf_cache(cache_dir=tmp_path / "nowhere")

        assert scan.models == ()
        assert len(scan.warnings) == 1 and "no Hugging Face cache" in scan.warnings[0]

    @pytest.mark.bench
    def test_ref_with_trailing_newline_is_skipped_with_a_warning(
        self, tiny_models: TinyModels, hf_cache: Path
    ) -> None:
        good = write_hf_cache(hf_cache, repo_id="tiny-org/good", source=tiny_models.llama)
        bad = write_hf_cache(hf_cache, repo_id="tiny-org/bad", source=tiny_models.gpt2)
        (bad.repo_dir / "refs" / "main").write_text(bad.commit + "\n", encoding="utf-8")

        scan = scan_hf_cache()

        assert [m.hub_id for m in scan.models] == ["tiny-org/good"]
        assert scan.models[0].revision == good.commit
        assert len(scan.warnings) == 1 and "damaged" in scan.warnings[0]

    @pytest.mark.bench
    def test_a_broken_symlink_drops_only_that_repository(
        self, tiny_models: TinyModels, hf_cache: Path
    ) -> None:
        write_hf_cache(hf_cache, repo_id="tiny-org/good", source=tiny_models.llama)
        broken = write_hf_cache(hf_cache, repo_id="tiny-org/broken", source=tiny_models.gpt2)
        for blob in (broken.repo_dir / "blobs").iterdir():
            if (broken.snapshot / "model.safetensors").resolve() == blob.resolve():
                blob.unlink()  # an interrupted cleanup

        scan = scan_hf_cache()

        assert [m.hub_id for m in scan.models] == ["tiny-org/good"]
        assert len(scan.warnings) == 1

    def test_cache_dir_that_is_a_file_gives_a_warning(self, tmp_path: Path) -> None:
        not_a_dir = tmp_path / "cache"
        not_a_dir.write_text("x", encoding="utf-8")

        scan = scan_hf_cache(cache_dir=not_a_dir)

        assert scan.models == () and len(scan.warnings) == 1

    def test_cached_snapshot_validates_the_id_before_building_a_path(self, tmp_path: Path) -> None:
        with pytest.raises(ValueError, match="not a valid Hub repo id"):
            cached_snapshot("../../etc/passwd", cache_dir=tmp_path)
        with pytest.raises(ValueError):
            cached_snapshot("org/..", cache_dir=tmp_path)
        assert cached_snapshot("org/absent", cache_dir=tmp_path) is None

    def test_cached_snapshot_ignores_a_ref_that_is_not_a_commit(self, tmp_path: Path) -> None:
        repo = tmp_path / "models--org--name"
        (repo / "refs").mkdir(parents=True)
        (repo / "refs" / "main").write_text("../../../outside", encoding="utf-8")

        assert cached_snapshot("org/name", cache_dir=tmp_path) is None


class TestFolders:
    @pytest.mark.bench
    def test_finds_model_folders_and_gguf_files_below_a_root(
        self, tiny_models: TinyModels, tmp_path: Path
    ) -> None:
        root = tmp_path / "models"
        copy_model(tiny_models.llama, root / "a" / "llama")
        copy_model(tiny_models.pickle_only, root / "b" / "deeper" / "pickle-only")
        copy_model(tiny_models.remote_code, root / "remote")
        copy_model(tiny_models.missing_config, root / "no-config")
        lm_studio = root / "lmstudio" / "publisher" / "Repo-GGUF"
        write_gguf_stub(lm_studio / "repo-Q4_K_M.gguf")
        write_gguf_stub(lm_studio / "repo-Q8_0-00001-of-00002.gguf")
        write_gguf_stub(lm_studio / "repo-Q8_0-00002-of-00002.gguf")
        write_gguf_stub(lm_studio / "mmproj-repo-f16.gguf")

        scan = scan_folder(root)

        by_path = {m.path: m for m in scan.models}
        assert set(by_path) == {
            root / "a" / "llama",
            root / "b" / "deeper" / "pickle-only",
            root / "remote",
            lm_studio / "repo-Q4_K_M.gguf",
            lm_studio / "repo-Q8_0-00001-of-00002.gguf",
        }
        llama = by_path[root / "a" / "llama"]
        assert (llama.formats, llama.remote_code, llama.hub_id, llama.revision) == (
            ("safetensors",),
            False,
            None,
            None,
        )
        assert llama.size_bytes == sum(p.stat().st_size for p in (root / "a" / "llama").iterdir())
        assert by_path[root / "b" / "deeper" / "pickle-only"].formats == ("pickle",)
        assert by_path[root / "remote"].remote_code is True
        split = by_path[lm_studio / "repo-Q8_0-00001-of-00002.gguf"]
        assert split.formats == ("gguf",)
        assert split.size_bytes == 2 * (lm_studio / "repo-Q4_K_M.gguf").stat().st_size
        assert any("no-config" in w and "no config.json" in w for w in scan.warnings)

    @pytest.mark.bench
    def test_a_model_folder_itself_is_one_model(self, tiny_models: TinyModels) -> None:
        scan = scan_folder(tiny_models.gpt2)

        assert [m.path for m in scan.models] == [tiny_models.gpt2]
        assert scan.models[0].config is not None and scan.models[0].config["n_embd"] == 64

    @pytest.mark.bench
    def test_search_depth_is_bounded(self, tiny_models: TinyModels, tmp_path: Path) -> None:
        deep = tmp_path / "1" / "2" / "3" / "model"
        copy_model(tiny_models.llama, deep)

        assert scan_folder(tmp_path, max_depth=3).models == ()
        assert [m.path for m in scan_folder(tmp_path, max_depth=4).models] == [deep]

    def test_symlink_loops_end(self, tmp_path: Path) -> None:
        (tmp_path / "a").mkdir()
        (tmp_path / "a" / "loop").symlink_to(tmp_path)
        write_gguf_stub(tmp_path / "a" / "m.gguf")

        scan = scan_folder(tmp_path, max_depth=10)

        assert [m.path for m in scan.models] == [tmp_path / "a" / "m.gguf"]

    def test_unreadable_config_is_reported_and_kept(self, tmp_path: Path) -> None:
        folder = tmp_path / "m"
        folder.mkdir()
        (folder / "config.json").write_text("{not json", encoding="utf-8")
        (folder / "model.safetensors").write_bytes(b"\0" * 16)

        scan = scan_folder(folder)

        assert [m.config for m in scan.models] == [None]
        assert len(scan.warnings) == 1 and "cannot be read as JSON" in scan.warnings[0]

    def test_missing_folder_and_plain_file_give_warnings(self, tmp_path: Path) -> None:
        (tmp_path / "notes.txt").write_text("x", encoding="utf-8")

        assert scan_folder(tmp_path / "absent").warnings[0].startswith("no folder at")
        assert "is a file" in scan_folder(tmp_path / "notes.txt").warnings[0]

    def test_a_gguf_file_path_is_a_model(self, tmp_path: Path) -> None:
        gguf = write_gguf_stub(tmp_path / "x.gguf")

        assert [m.formats for m in scan_folder(gguf).models] == [("gguf",)]


@pytest.mark.bench
def test_a_folder_inside_the_cache_is_listed_once_with_its_hub_id(
    tiny_models: TinyModels, hf_cache: Path
) -> None:
    cached = write_hf_cache(hf_cache, repo_id="tiny-org/tiny-llama", source=tiny_models.llama)

    scan = find_local_models(paths=[hf_cache])

    assert [(m.path, m.hub_id, m.revision) for m in scan.models] == [
        (cached.snapshot, "tiny-org/tiny-llama", cached.commit)
    ]
    only_folder = find_local_models(paths=[cached.snapshot], hf_cache=False)
    assert [(m.hub_id, m.revision, m.source) for m in only_folder.models] == [
        ("tiny-org/tiny-llama", cached.commit, "folder")
    ]


@pytest.mark.bench
def test_to_json_has_exactly_the_documented_keys(tiny_models: TinyModels) -> None:
    data = scan_folder(tiny_models.llama).models[0].to_json()

    assert list(data) == JSON_KEYS
    assert json.loads(json.dumps(data)) == data
    assert data["formats"] == ["safetensors"] and data["catalog_id"] is None


class TestLink:
    @pytest.mark.bench
    def test_links_by_hub_id_then_by_architecture_numbers(
        self, tiny_models: TinyModels, hf_cache: Path
    ) -> None:
        write_hf_cache(hf_cache, repo_id="Tiny-Org/Tiny-Llama", source=tiny_models.llama)
        write_hf_cache(hf_cache, repo_id="someone/tiny-llama-finetune", source=tiny_models.llama)
        local = find_local_models(paths=[tiny_models.gpt2]).models
        llama_config = json.loads((tiny_models.llama / "config.json").read_text(encoding="utf-8"))
        gpt2_config = json.loads((tiny_models.gpt2 / "config.json").read_text(encoding="utf-8"))
        catalog = [
            CatalogRef(
                id="tiny-llama",
                hub_id="tiny-org/tiny-llama",
                architecture="llama",
                config=llama_config,
            ),
            CatalogRef(id="tiny-gpt2", hub_id="org/other", architecture="gpt2", config=gpt2_config),
        ]

        linked = {(m.hub_id, m.source): m.catalog_id for m in link(local, catalog)}

        assert linked == {
            ("Tiny-Org/Tiny-Llama", "hf-cache"): "tiny-llama",  # by hub id, case-insensitive
            (
                "someone/tiny-llama-finetune",
                "hf-cache",
            ): None,  # same shape, another repo: not a copy
            (None, "folder"): "tiny-gpt2",  # a plain copy, by its numbers
        }

    @pytest.mark.bench
    def test_ambiguous_shapes_stay_unlinked(self, tiny_models: TinyModels) -> None:
        local = scan_folder(tiny_models.llama).models
        config = json.loads((tiny_models.llama / "config.json").read_text(encoding="utf-8"))
        twins = [
            CatalogRef(id="tiny-base", architecture="llama", config=config),
            CatalogRef(id="tiny-chat", architecture="llama", config=config),
        ]

        assert [m.catalog_id for m in link(local, twins)] == [None]

    def test_numbers_accept_gpt2_aliases(self) -> None:
        numbers = numbers_from_config(
            {"model_type": "gpt2", "n_embd": 768, "n_layer": 12, "n_head": 12, "vocab_size": 50257}
        )

        assert (numbers.hidden_size, numbers.num_layers, numbers.num_heads, numbers.complete) == (
            768,
            12,
            12,
            True,
        )

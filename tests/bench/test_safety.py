"""``catalog.bench.safety``: the checks made before loading, on hand-made folders (no torch)."""

from __future__ import annotations

import json
import struct
from pathlib import Path

import pytest

from catalog.bench.safety import LoadPlan, check_model_folder, check_safetensors
from catalog.errors import BenchmarkError, UnsafeModelError

NATIVE_TYPES = frozenset({"llama", "falcon"})


def _native_tokenizer(name: str) -> bool:
    return name in {"LlamaTokenizer", "PreTrainedTokenizerFast"}


def _safetensors(path: Path, *, tensors: int = 1) -> Path:
    """A valid safetensors file holding ``tensors`` float32 vectors of 4 values."""
    header = {"__metadata__": {"format": "pt"}}
    for i in range(tensors):
        header[f"t{i}"] = {"dtype": "F32", "shape": [4], "data_offsets": [16 * i, 16 * (i + 1)]}
    encoded = json.dumps(header).encode()
    path.write_bytes(struct.pack("<Q", len(encoded)) + encoded + b"\0" * 16 * tensors)
    return path


def _folder(
    tmp_path: Path, config: dict[str, object] | None = None, *, weights: tuple[str, ...] = ()
) -> Path:
    folder = tmp_path / "model"
    folder.mkdir()
    (folder / "config.json").write_text(
        json.dumps(config or {"model_type": "llama"}), encoding="utf-8"
    )
    for name in weights:
        if name.endswith(".safetensors"):
            _safetensors(folder / name)
        else:
            (folder / name).write_bytes(b"PK\x03\x04")
    return folder


def _check(path: Path, *, trust_remote_code: bool = False, allow_pickle: bool = False) -> LoadPlan:
    return check_model_folder(
        path,
        trust_remote_code=trust_remote_code,
        allow_pickle=allow_pickle,
        native_model_types=NATIVE_TYPES,
        is_native_tokenizer=_native_tokenizer,
    )


class TestSafetensorsHeader:
    def test_a_valid_file_passes(self, tmp_path: Path) -> None:
        check_safetensors(_safetensors(tmp_path / "ok.safetensors", tensors=3))

    @pytest.mark.parametrize("cut", [1, 8, 40])
    def test_a_truncated_file_is_damaged(self, tmp_path: Path, cut: int) -> None:
        path = _safetensors(tmp_path / "w.safetensors", tensors=3)
        path.write_bytes(path.read_bytes()[:-cut])

        with pytest.raises(BenchmarkError, match="not a valid safetensors file.*download it again"):
            check_safetensors(path)

    def test_trailing_bytes_are_damage_too(self, tmp_path: Path) -> None:
        path = _safetensors(tmp_path / "w.safetensors")
        path.write_bytes(path.read_bytes() + b"\0")

        with pytest.raises(BenchmarkError, match="need .* bytes but the file has"):
            check_safetensors(path)

    def test_garbage_is_damaged(self, tmp_path: Path) -> None:
        path = tmp_path / "w.safetensors"
        path.write_bytes(b"<html>404 Not Found</html>")

        with pytest.raises(BenchmarkError, match="header claims"):
            check_safetensors(path)

    def test_a_header_that_is_not_json_is_damaged(self, tmp_path: Path) -> None:
        path = tmp_path / "w.safetensors"
        path.write_bytes(struct.pack("<Q", 4) + b"{{{{")

        with pytest.raises(BenchmarkError, match="not valid JSON"):
            check_safetensors(path)

    def test_a_tiny_file_is_damaged(self, tmp_path: Path) -> None:
        path = tmp_path / "w.safetensors"
        path.write_bytes(b"\1\2")

        with pytest.raises(BenchmarkError, match="shorter than the 8-byte header"):
            check_safetensors(path)


class TestWeights:
    def test_safetensors_are_preferred_over_pickle(self, tmp_path: Path) -> None:
        folder = _folder(tmp_path, weights=("model.safetensors", "pytorch_model.bin"))

        assert _check(folder).weights_format == "safetensors"

    @pytest.mark.parametrize("name", ["pytorch_model.bin", "model.pt", "weights.pth", "model.ckpt"])
    def test_pickle_only_needs_allow_pickle(self, tmp_path: Path, name: str) -> None:
        folder = _folder(tmp_path, weights=(name,))

        with pytest.raises(
            UnsafeModelError,
            match=rf"only pickle weights \({name}\).*--allow-pickle.*weights_only=True",
        ):
            _check(folder)
        assert _check(folder, allow_pickle=True).weights_format == "pickle"

    def test_training_leftovers_are_not_weights(self, tmp_path: Path) -> None:
        folder = _folder(tmp_path, weights=("training_args.bin",))

        with pytest.raises(BenchmarkError, match="no weights"):
            _check(folder, allow_pickle=True)

    def test_gguf_only_is_not_for_transformers(self, tmp_path: Path) -> None:
        folder = _folder(tmp_path)
        (folder / "m-Q4_K_M.gguf").write_bytes(b"GGUF")

        with pytest.raises(BenchmarkError, match="only GGUF"):
            _check(folder)

    def test_a_damaged_shard_is_found_before_loading(self, tmp_path: Path) -> None:
        folder = _folder(
            tmp_path,
            weights=("model-00001-of-00002.safetensors", "model-00002-of-00002.safetensors"),
        )
        shard = folder / "model-00002-of-00002.safetensors"
        shard.write_bytes(shard.read_bytes()[:-4])

        with pytest.raises(BenchmarkError, match="model-00002-of-00002.safetensors is not a valid"):
            _check(folder)


class TestRemoteCode:
    def test_auto_map_for_an_unknown_model_type_needs_trust(self, tmp_path: Path) -> None:
        config = {
            "model_type": "mystery",
            "auto_map": {"AutoModelForCausalLM": "modeling_mystery.M"},
        }
        folder = _folder(tmp_path, config, weights=("model.safetensors",))

        with pytest.raises(
            UnsafeModelError, match="ships its own Python code.*'mystery'.*--trust-remote-code"
        ):
            _check(folder)
        assert _check(folder, trust_remote_code=True).needs_remote_code is True

    def test_auto_map_beside_a_native_model_type_loads_natively(self, tmp_path: Path) -> None:
        # Old Falcon repos keep an auto_map although transformers now implements them.
        config = {
            "model_type": "falcon",
            "auto_map": {"AutoModelForCausalLM": "modelling_RW.RWForCausalLM"},
        }
        folder = _folder(tmp_path, config, weights=("model.safetensors",))

        assert _check(folder).needs_remote_code is False

    def test_a_custom_tokenizer_needs_trust(self, tmp_path: Path) -> None:
        folder = _folder(tmp_path, weights=("model.safetensors",))
        tokenizer_config = {
            "tokenizer_class": "MysteryTokenizer",
            "auto_map": {"AutoTokenizer": ["tok.Mystery", None]},
        }
        (folder / "tokenizer_config.json").write_text(
            json.dumps(tokenizer_config), encoding="utf-8"
        )

        with pytest.raises(UnsafeModelError, match="tokenizer_config.json auto_map"):
            _check(folder)

    def test_remote_code_is_checked_before_weights(self, tmp_path: Path) -> None:
        config = {"model_type": "mystery", "auto_map": {"AutoConfig": "c.C"}}
        folder = _folder(tmp_path, config, weights=("pytorch_model.bin",))

        with pytest.raises(UnsafeModelError, match="--trust-remote-code"):
            _check(folder, allow_pickle=True)


class TestFolder:
    def test_missing_config(self, tmp_path: Path) -> None:
        folder = tmp_path / "m"
        folder.mkdir()
        _safetensors(folder / "model.safetensors")

        with pytest.raises(BenchmarkError, match="has no config.json"):
            _check(folder)

    def test_unreadable_config(self, tmp_path: Path) -> None:
        folder = _folder(tmp_path, weights=("model.safetensors",))
        (folder / "config.json").write_text("[1, 2]", encoding="utf-8")

        with pytest.raises(BenchmarkError, match="not a JSON object"):
            _check(folder)

    def test_a_file_is_not_a_folder(self, tmp_path: Path) -> None:
        path = _safetensors(tmp_path / "model.safetensors")

        with pytest.raises(BenchmarkError, match="is a file"):
            _check(path)

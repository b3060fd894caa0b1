"""A folder mapping its own code for an architecture transformers knows: transformers' own class
runs, as transformers does, and the run says so in one line and in the stored result."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from catalog.api import Catalog
from catalog.bench.store import load_results
from catalog.cli.main import app
from catalog.testing.tiny_models import REMOTE_CODE_MARKER_ENV, TinyModels, copy_model

SMALL = ["--repeat", "1", "--prompt-tokens", "8", "--gen-tokens", "4", "--warmup", "0",
         "--threads", "1"]  # fmt: skip
IGNORED = "the folder's own code was ignored"


@pytest.fixture
def stock_with_own_code(tiny_models: TinyModels, tmp_path: Path) -> Path:
    """The remote-code fixture declared as a plain ``llama``: its ``auto_map`` stays."""
    folder = copy_model(tiny_models.remote_code, tmp_path / "llama-with-own-code")
    config = json.loads((folder / "config.json").read_text(encoding="utf-8"))
    config.update(model_type="llama", architectures=["LlamaForCausalLM"])
    (folder / "config.json").write_text(json.dumps(config), encoding="utf-8")
    return folder


def test_the_run_says_the_folders_code_was_ignored_and_stores_it(
    stock_with_own_code: Path, tmp_path: Path, db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    marker = tmp_path / "own-code-ran"
    monkeypatch.setenv(REMOTE_CODE_MARKER_ENV, str(marker))

    result = CliRunner().invoke(app, ["bench", str(stock_with_own_code), *SMALL, "-f", "json"])

    assert result.exit_code == 0, result.output
    assert not marker.exists()  # the folder's configuration_tiny.py never ran
    said = [line for line in result.stderr.splitlines() if IGNORED in line]
    assert len(said) == 1
    assert "'llama'" in said[0] and "modeling_tiny.TinyRemoteForCausalLM" in said[0]
    [note] = json.loads(result.stdout)["notes"]
    assert IGNORED in note
    with Catalog.open(db_path) as cat:
        [stored] = load_results(cat)
    assert stored.result.notes == (note,)


def test_a_stock_folder_has_no_notes(tiny_models: TinyModels) -> None:
    result = CliRunner().invoke(
        app, ["bench", str(tiny_models.llama), *SMALL, "--no-store", "-f", "json"]
    )
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["notes"] == [] and IGNORED not in result.stderr


def test_with_trust_remote_code_the_folders_code_runs_so_nothing_is_ignored(
    stock_with_own_code: Path,
) -> None:
    from catalog.bench.safety import check_model_folder

    def plan(trust: bool) -> str | None:
        return check_model_folder(
            stock_with_own_code, trust_remote_code=trust, allow_pickle=False,
            native_model_types={"llama"}, is_native_tokenizer=lambda _name: True,
        ).ignored_code  # fmt: skip

    assert plan(False) is not None and IGNORED in str(plan(False))
    assert plan(True) is None

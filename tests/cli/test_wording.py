"""What people read: counts with the right plural, empty results said once and plainly, hints
that name the right thing, context windows in vendor units, tables that fit."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from catalog.local.download_hint import download_command
from tests.cli.conftest import cli


def test_one_model_is_one_model() -> None:
    result = cli("list", "--family", "BLOOM", "--max-params", "1B")
    assert result.stdout.splitlines()[0] == "1 model"


def test_one_saved_policy(tmp_path: Path) -> None:
    policy = tmp_path / "p.yaml"
    policy.write_text("use: research\n", encoding="utf-8")
    assert cli("license", "policy", "save", "lab", str(policy)).exit_code == 0
    assert cli("license", "policy", "list").stdout.splitlines()[0] == "1 saved policy"


def test_no_runs_yet_rather_than_zero_runs_on_zero_machines() -> None:
    result = cli("bench", "--history", "llama-2-7b")
    assert result.exit_code == 0
    assert result.stdout == "no runs of llama-2-7b yet\n"


def test_an_empty_listing_prints_its_title_without_headers() -> None:
    result = cli("list", "--search", "no-such-model-anywhere")
    assert result.stdout == "0 models\n"
    assert "search" in result.stderr  # which filter emptied it


def test_a_context_length_type_error_gives_a_context_example(tmp_path: Path) -> None:
    folder = tmp_path / "overlay"
    folder.mkdir()
    (folder / "models.yaml").write_text(
        "models:\n  - id: long-window\n    name: L\n    family: L\n    publisher: L\n"
        "    release_date: 2024-01-01\n    variant: base\n    context_length: 8K\n"
        "    license: mit\n    access: open\n"
        "    sources: {license: 'https://a.example', access: 'https://a.example'}\n",
        encoding="utf-8",
    )
    result = cli("--data", str(folder), "list")
    assert result.exit_code == 2
    assert "1 problem in the curated data" in result.stderr
    assert "context_length" in result.stderr and "e.g. 4096" in result.stderr
    assert "7000000000" not in result.stderr


def test_local_says_a_missing_cache_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HF_HOME", str(tmp_path / "nowhere"))
    result = cli("local")
    assert result.exit_code == 0
    assert result.stderr.count(str(tmp_path / "nowhere")) == 1, result.stderr


def test_the_no_local_copy_hint_names_the_installed_download_command(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from importlib.metadata import distribution

    scripts = {e.name for e in distribution("huggingface_hub").entry_points}
    tool = "hf" if "hf" in scripts else "huggingface-cli"
    assert download_command("org/model") == f"{tool} download org/model"

    monkeypatch.setenv("HF_HOME", str(tmp_path / "empty-home"))
    result = cli("bench", "llama-2-7b")
    assert result.exit_code == 2
    assert f"`{tool} download meta-llama/Llama-2-7b-hf`" in result.stderr


def test_list_shows_context_windows_in_vendor_units() -> None:
    table = cli("list", columns="200").stdout
    rows = {line.split()[0]: line for line in table.splitlines()[2:] if line.strip()}
    assert " 2K " in rows["bloom"] and " 128K " in rows["llama-3.1-8b"]
    assert " 4K " in rows["llama-2-7b"] and "2.05K" not in table and "131K" not in table


def test_tui_without_a_terminal_exits_2_with_one_line() -> None:
    result = cli("tui")
    assert result.exit_code == 2 and result.stdout == ""
    assert len(result.stderr.strip().splitlines()) == 1
    assert "needs a terminal" in result.stderr


def test_tui_piped_ends_at_once_instead_of_hanging(tmp_path: Path) -> None:
    done = subprocess.run(
        [str(Path(sys.executable).parent / "modelcat"), "tui"],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=60,
        cwd=tmp_path,
    )
    assert done.returncode == 2 and done.stdout == ""
    assert "needs a terminal" in done.stderr and "\x1b" not in done.stderr

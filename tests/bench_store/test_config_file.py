"""``catalog.config_file``: the folders list of the user's config file, validated clearly."""

from __future__ import annotations

from pathlib import Path

import pytest

from catalog.config_file import config_path, load_config
from catalog.errors import UsageError


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_no_file_in_the_user_config_folder_means_no_paths(user_config_dir: Path) -> None:
    assert config_path() == user_config_dir / "modelcat" / "config.yaml"
    assert load_config().paths == ()


def test_the_default_file_is_read_when_it_exists(user_config_dir: Path) -> None:
    folder = user_config_dir / "modelcat"
    folder.mkdir()
    _write(folder / "config.yaml", "paths:\n  - /srv/models\n")

    config = load_config()

    assert config.paths == (Path("/srv/models"),)
    assert config.source == folder / "config.yaml"


def test_paths_expand_home_and_are_relative_to_the_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    file = _write(tmp_path / "conf.yaml", "paths:\n  - ~/models\n  - lmstudio/models\n")
    monkeypatch.setenv("MODELCAT_CONFIG", str(file))

    assert load_config().paths == (
        tmp_path / "home" / "models",
        tmp_path / "lmstudio" / "models",
    )


def test_a_missing_file_named_by_the_environment_is_an_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MODELCAT_CONFIG", str(tmp_path / "nope.yaml"))

    with pytest.raises(UsageError, match=r"nope\.yaml not found \(named by \$MODELCAT_CONFIG\)"):
        load_config()


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("paths: /one/folder\n", r"conf\.yaml:1: 'paths' must be a list of folders"),
        ("paths:\n  - /ok\n  - 42\n", r"conf\.yaml:3: paths\[1\] must be a folder path, not 42"),
        ("paths:\n  - /ok\n  - ''\n", r"conf\.yaml:3: paths\[1\] must be a folder path"),
        ("path:\n  - /typo\n", r"conf\.yaml:1: unknown key 'path' \(known: paths\)"),
        ("- /a\n- /b\n", r"conf\.yaml:1: expected a mapping with a 'paths' list"),
        ("paths: [unclosed\n", r"conf\.yaml is not valid YAML"),
    ],
)
def test_a_malformed_file_names_file_line_and_problem(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, text: str, message: str
) -> None:
    monkeypatch.setenv("MODELCAT_CONFIG", str(_write(tmp_path / "conf.yaml", text)))

    with pytest.raises(UsageError, match=message):
        load_config()


def test_an_empty_file_is_fine(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MODELCAT_CONFIG", str(_write(tmp_path / "conf.yaml", "# nothing yet\n")))

    assert load_config().paths == ()

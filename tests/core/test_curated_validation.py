"""A malformed overlay file gets one clear message per problem: file, line, entry, field."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from typer.testing import CliRunner

from catalog.cli.main import app
from catalog.curated import load_curated
from catalog.errors import DataFileError, Problem

GOOD = """\
models:
  - id: my-model
    name: My Model
    family: Mine
    publisher: Me
    release_date: 2024-05-01
    variant: base
    params: 7000000000
    context_length: 4096
    architecture: llama
    hub_id: me/my-model
    license: apache-2.0
    access: open
    tunability:
      methods: [full, lora]
      routes: [peft]
    sources:
      license: https://huggingface.co/me/my-model
      access: https://huggingface.co/me/my-model
"""


def _overlay(tmp_path: Path, text: str) -> Path:
    folder = tmp_path / "overlay"
    folder.mkdir(exist_ok=True)
    (folder / "models.yaml").write_text(textwrap.dedent(text), encoding="utf-8")
    return folder


def _problems(tmp_path: Path, text: str) -> list[Problem]:
    with pytest.raises(DataFileError) as info:
        load_curated(_overlay(tmp_path, text))
    return info.value.problems


def _line_of(text: str, needle: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), 1) if needle in line)


def test_a_good_overlay_adds_its_model(tmp_path: Path) -> None:
    data = load_curated(_overlay(tmp_path, GOOD))
    assert data.models["my-model"].params == 7_000_000_000


def test_overlay_entry_replaces_shipped_entry(tmp_path: Path) -> None:
    text = GOOD.replace("id: my-model", "id: llama-2-7b").replace("name: My Model", "name: Patched")
    data = load_curated(_overlay(tmp_path, text))
    assert data.models["llama-2-7b"].name == "Patched"
    assert data.models["llama-2-7b"].publisher == "Me"


@pytest.mark.parametrize(
    ("old", "new", "field", "needle", "message"),
    [
        (
            "license: apache-2.0",
            "license: no-such-license",
            "license",
            "license: no-such",
            "unknown license id 'no-such-license'",
        ),
        (
            "access: open",
            "access: sometimes",
            "access",
            "access: sometimes",
            "unknown access mode 'sometimes'",
        ),
        ("params: 7000000000", "params: -5", "params", "params: -5", "must be positive"),
        (
            "params: 7000000000",
            "params: seven billion",
            "params",
            "params: seven",
            "not a number: 'seven billion'",
        ),
        (
            "release_date: 2024-05-01",
            "release_date: 2024-13-45",
            "release_date",
            "release_date",
            "bad date '2024-13-45'",
        ),
        (
            "      access: https://huggingface.co/me/my-model\n",
            "",
            "sources",
            "sources:",
            "missing source URL for access",
        ),
        (
            "      license: https://huggingface.co/me/my-model\n",
            "      license: not-a-url\n",
            "sources.license",
            "license: not-a-url",
            "not an http(s) URL",
        ),
    ],
)
def test_each_bad_field_is_located(
    tmp_path: Path, old: str, new: str, field: str, needle: str, message: str
) -> None:
    text = GOOD.replace(old, new, 1)
    assert text != GOOD
    problems = _problems(tmp_path, text)
    assert len(problems) == 1, problems
    problem = problems[0]
    assert problem.file.endswith("overlay/models.yaml")
    assert problem.entry == "my-model"
    assert problem.field == field
    assert problem.line == _line_of(text, needle)
    assert message in problem.message


def test_duplicate_id_names_both_lines(tmp_path: Path) -> None:
    body = GOOD.split("\n", 1)[1]
    text = GOOD + body
    problems = _problems(tmp_path, text)
    assert [p.field for p in problems] == ["id"]
    assert problems[0].line == text.splitlines().index("  - id: my-model", 3) + 1
    assert "duplicate id (first defined at line 2)" in problems[0].message


def test_yaml_syntax_error_names_the_line(tmp_path: Path) -> None:
    text = GOOD.replace("    variant: base", "    variant: [base")
    problems = _problems(tmp_path, text)
    assert len(problems) == 1
    assert "YAML syntax error" in problems[0].message
    assert problems[0].line is not None and problems[0].line >= _line_of(text, "variant")


def test_every_problem_is_reported_at_once(tmp_path: Path) -> None:
    text = GOOD.replace("access: open", "access: sometimes").replace(
        "params: 7000000000", "params: -1"
    )
    assert {p.field for p in _problems(tmp_path, text)} == {"access", "params"}


def test_duplicate_key_is_reported(tmp_path: Path) -> None:
    text = GOOD.replace("    variant: base\n", "    variant: base\n    variant: chat\n")
    problems = _problems(tmp_path, text)
    assert [(p.field, p.message) for p in problems] == [("variant", "duplicate key")]


def test_cli_reports_bad_data_with_exit_2_and_no_traceback(tmp_path: Path) -> None:
    folder = _overlay(tmp_path, GOOD.replace("access: open", "access: sometimes"))
    result = CliRunner().invoke(app, ["--data", str(folder), "list", "--format", "json"])
    assert result.exit_code == 2
    assert "Traceback" not in result.output
    assert (
        f"{folder}/models.yaml:{_line_of(GOOD, 'access: open')}: entry 'my-model': field 'access'"
        in result.stderr
    )
    assert result.stdout == ""


def test_unknown_license_in_overlay_licenses_file(tmp_path: Path) -> None:
    folder = _overlay(tmp_path, GOOD)
    (folder / "licenses.yaml").write_text(
        "licenses:\n  - id: my-license\n    name: Mine\n    source: https://example.com/l\n    terms:\n      free_lunch: {value: yes, clause: x}\n",
        encoding="utf-8",
    )
    with pytest.raises(DataFileError) as info:
        load_curated(folder)
    [problem] = info.value.problems
    assert problem.file.endswith("licenses.yaml")
    assert problem.entry == "my-license"
    assert problem.line == 5
    assert "unknown term 'free_lunch'" in problem.message

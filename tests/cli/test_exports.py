"""Exports machines can trust: CSV is the JSON flattened (exact numbers, ISO dates, JSON keys),
inert in spreadsheets, never split by a stray CR; Markdown escapes its cells and says it rounds."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from catalog.render import csv_cell, csv_text, json_csv, markdown_cell, write_json_csv
from tests.cli.conftest import cli

ENTRY = """\
  - id: {id}
    name: '{name}'
    family: '{family}'
    publisher: '{publisher}'
    release_date: 2024-05-01
    variant: base
    params: 1500000000
    context_length: 2048
    license: apache-2.0
    access: open
    notes: "{notes}"
    sources: {{license: "https://example.org/l", access: "https://example.org/a"}}
"""


def overlay(tmp_path: Path, **fields: str) -> Path:
    values = {
        "id": "sheet-trap",
        "name": "Trap",
        "family": "Trap",
        "publisher": "Nobody",
        "notes": "plain",
        **fields,
    }
    folder = tmp_path / "overlay"
    folder.mkdir(exist_ok=True)
    (folder / "models.yaml").write_text("models:\n" + ENTRY.format(**values), encoding="utf-8")
    return folder


def rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def test_list_csv_is_the_json_with_exact_figures_and_json_keys() -> None:
    as_json = json.loads(cli("list", "--format", "json").stdout)
    as_csv = rows(cli("list", "--format", "csv").stdout)

    assert [r["id"] for r in as_csv] == [m["id"] for m in as_json]
    scalar_keys = [k for k, v in as_json[0].items() if not isinstance(v, dict | type(None))]
    assert set(scalar_keys) <= set(as_csv[0])
    for model, row in zip(as_json, as_csv, strict=True):
        for key in ("params", "active_params", "context_length"):
            assert row[key] == ("" if model[key] is None else str(model[key])), (model["id"], key)
        assert row["release_date"] == model["release_date"]  # ISO, as in JSON
        pricing = (model["api"] or {}).get("pricing") or {}
        for key, value in pricing.items():
            cell = row[f"api.pricing.{key}"]
            assert cell == ("" if value is None else str(value)), (model["id"], key)
    bloom = next(r for r in as_csv if r["id"] == "bloom")
    assert bloom["context_length"] == "2048" and bloom["params"] == "176247271424"
    priced = [r for r in as_csv if r["api.pricing.input_per_mtok"]]
    assert priced and all(float(r["api.pricing.input_per_mtok"]) >= 0 for r in priced)


def test_export_and_shortlist_csv_carry_exact_counts() -> None:
    exported = {r["id"]: r for r in rows(cli("export", "--format", "csv").stdout)}
    assert exported["babbage-002"]["context_length"] == "16384"  # not "16.4K"
    assert exported["llama-2-7b"]["params"] == "6738415616"
    shortlisted = rows(cli("shortlist", "--family", "Llama 2", "--format", "csv").stdout)
    assert {r["params"] for r in shortlisted} >= {"6738415616"}


def test_formula_cells_are_neutralised_and_the_row_stays_whole(tmp_path: Path) -> None:
    folder = overlay(
        tmp_path,
        name='=HYPERLINK("http://evil.example","x")',
        family="+SUM(1)",
        publisher="@cmd",
        notes="-2+3 first line\\nsecond line, with a comma",
    )
    result = cli("--data", str(folder), "list", "--search", "sheet-trap", "--format", "csv")
    assert result.exit_code == 0, result.output
    [row] = rows(result.stdout)

    assert row["name"] == '\'=HYPERLINK("http://evil.example","x")'
    assert row["family"] == "'+SUM(1)" and row["publisher"] == "'@cmd"
    assert row["notes"] == "'-2+3 first line\nsecond line, with a comma"
    assert row["params"] == "1500000000"  # numbers are never prefixed


def test_csv_cells_numbers_stay_numbers() -> None:
    assert csv_cell(-1) == "-1" and csv_cell(2.5) == "2.5" and csv_cell(True) == "true"
    assert csv_cell(None) == "" and csv_cell(["full", "lora"]) == "full; lora"
    assert csv_cell("\tcmd") == "'\tcmd"
    assert csv_cell("x=1") == "x=1"


def test_a_bare_cr_is_quoted_so_no_reader_splits_the_row() -> None:
    text = csv_text(["a", "b"], [["x\ry", "z"]])
    assert list(csv.reader(io.StringIO(text, newline=""))) == [["a", "b"], ["x\\x0dy", "z"]]
    header_cr = csv_text(["a\rb"], [])
    assert list(csv.reader(io.StringIO(header_cr, newline=""))) == [["a\rb"]]


def test_markdown_escapes_pipes_and_newlines_and_says_it_rounds(tmp_path: Path) -> None:
    assert markdown_cell("a|b\nc") == "a\\|b<br>c"
    assert markdown_cell("back\\slash|") == "back\\\\slash\\|"
    folder = overlay(tmp_path, family="Pipe|Family")
    result = cli("--data", str(folder), "list", "--search", "sheet-trap", "--format", "md")
    lines = result.stdout.splitlines()

    assert "Rounded for reading: params, active" in lines[0]
    assert "CSV and JSON have exact figures" in lines[0]
    row = next(line for line in lines if line.startswith("| sheet-trap |"))
    assert "Pipe\\|Family" in row
    cells = row.replace("\\|", "").strip("|").split("|")
    assert len(cells) == len(lines[2].strip("|").split("|"))


_text = st.text(st.characters(blacklist_categories=("Cs", "Cc")), max_size=12)
_scalar = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**18), max_value=10**18),
    st.floats(allow_nan=False, allow_infinity=False),
    _text,
)
_records = st.lists(
    st.builds(
        lambda plain, nested: {**plain, **({"api": nested} if nested else {})},
        st.dictionaries(st.sampled_from(["id", "params", "name", "note"]), _scalar, min_size=1),
        st.dictionaries(st.sampled_from(["vendor", "price"]), _scalar, max_size=2),
    ),
    min_size=1,
    max_size=5,
)
"""JSON documents as listings have them: the same key always a value, or always an object."""


def _expected(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    return "'" + value if value.startswith(("=", "+", "-", "@")) else value


@given(_records)
def test_json_csv_round_trips_through_a_csv_reader(records: list[dict[str, Any]]) -> None:
    read = list(csv.DictReader(io.StringIO(json_csv(records), newline="")))
    assert len(read) == len(records)
    for record, row in zip(records, read, strict=True):
        for key, value in record.items():
            if key == "api":
                for sub, inner in value.items():
                    assert row[f"api.{sub}"] == _expected(inner)
                continue
            assert row[key] == _expected(value)
            if isinstance(value, int) and not isinstance(value, bool):
                assert int(row[key]) == value  # exact, however large


@given(_records)
def test_csv_written_row_by_row_is_the_csv_of_the_whole_list(records: list[dict[str, Any]]) -> None:
    out = io.StringIO()
    write_json_csv(lambda: iter(records), out=out)
    assert out.getvalue() == json_csv(records)

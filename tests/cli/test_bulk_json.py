"""Bulk JSON (issue 18): listings streamed model by model, the same documents as before.

``list``, ``shortlist`` and ``export`` write JSON and JSON Lines as the store is read (never the
whole listing in memory): the data a consumer parses is what the listing held before
(``Model.to_json()`` of every model the search engine answers), indented on a terminal as it
was, byte for byte, compact when piped or with ``--compact``. A reader that stops reading
(``| head``) ends the command quietly. Speed is measured by ``bench/bulk_json.py``.
"""

from __future__ import annotations

import fcntl
import json
import os
import pty
import subprocess
import sys
import tty
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from catalog.api import Catalog
from catalog.domain import Model, listing_json
from catalog.render import json_csv, to_json_text, write_json, write_jsonl
from catalog.search import LIST_SORT, SHORTLIST_SORT, SearchEngine, Sort, make_filters
from tests.cli.conftest import cli

MODELCAT = [sys.executable, "-c", "from catalog.cli.main import run; run()"]


def before(cat: Catalog, **filters: Any) -> list[dict[str, Any]]:
    """What a listing held before streaming: every matching model's ``to_json()``."""
    sort = filters.pop("sort", LIST_SORT)
    top = filters.pop("top", None)
    return [m.to_json() for m in cat.query(make_filters(**filters), sort=sort, top=top)]


def lines(text: str) -> list[Any]:
    return [json.loads(line) for line in text.splitlines()]


# -- the same data as before -----------------------------------------------------------------


LISTINGS: list[tuple[list[str], dict[str, Any]]] = [
    (["list"], {}),
    (["list", "--access", "open", "--max-params", "8B", "--sort", "params:desc"],
     {"access": "open", "max_params": "8B", "sort": Sort.parse("params:desc", default=LIST_SORT)}),
    (["list", "--tier", "hub"], {"tier": "hub"}),  # empty
    (["shortlist", "--include-retired"], {"sort": SHORTLIST_SORT}),
    # a ranked text search: ids by rank, then the documents in batches
    (["shortlist", "--include-retired", "--search", "llama", "--top", "7"],
     {"sort": SHORTLIST_SORT, "search": "llama", "top": 7}),
]  # fmt: skip


@pytest.mark.parametrize(("args", "filters"), LISTINGS, ids=[" ".join(a) for a, _ in LISTINGS])
def test_json_and_jsonl_hold_what_the_listing_held_before(
    cat: Catalog, args: list[str], filters: dict[str, Any]
) -> None:
    expected = before(cat, **filters)
    as_json = cli(*args, "--format", "json")
    as_jsonl = cli(*args, "--format", "jsonl")
    assert as_json.exit_code == 0 and as_jsonl.exit_code == 0, as_json.output + as_jsonl.output
    assert json.loads(as_json.stdout) == expected
    assert lines(as_jsonl.stdout) == expected


def test_export_json_is_the_models_and_licenses_object_as_before(cat: Catalog) -> None:
    result = cli("export", "--format", "json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == {
        "models": before(cat),
        "licenses": [lic.model_dump(mode="json") for lic in cat.licenses()],
    }
    jsonl = cli("export", "--format", "jsonl", "--tier", "curated")
    assert lines(jsonl.stdout) == before(cat, tier="curated")


def test_csv_written_row_by_row_is_the_csv_of_before(cat: Catalog) -> None:
    assert cli("list", "--format", "csv").stdout == json_csv(before(cat))
    exported = cli("export", "--format", "csv", "--tier", "curated")
    assert exported.stdout == json_csv(before(cat, tier="curated"))
    assert cli("list", "--tier", "hub", "--format", "csv").stdout == json_csv([])


@pytest.mark.parametrize("fmt", ["jsonl", "csv"])
def test_a_saved_streamed_shortlist_keeps_the_ids_it_wrote(cat: Catalog, fmt: str) -> None:
    # CSV reads the listing twice (columns, then rows): the ids saved are those written once.
    shown = cli("shortlist", "--top", "4", "-f", fmt, "--save", "picks")
    assert shown.exit_code == 0, shown.output
    written = [m["id"] for m in lines(cli("shortlist", "--top", "4", "-f", "jsonl").stdout)]
    assert len(written) == 4
    assert cat.saved_list("picks") == written
    loaded = cli("shortlist", "--load", "picks", "-f", "jsonl")
    assert [m["id"] for m in lines(loaded.stdout)] == written


def test_the_stored_documents_become_the_listing_documents_of_the_models(cat: Catalog) -> None:
    # Every curated entry (API models with a lifecycle, open ones without), through both ways.
    engine = cat.search
    streamed = list(engine.stream_json(make_filters(), sort=LIST_SORT))
    assert streamed == [m.to_json() for m in cat.query(make_filters())]
    hits = list(engine.stream_hits(make_filters(), sort=LIST_SORT))
    assert [h.model.to_json() for h in hits] == streamed
    assert any(h.coefficients is not None for h in hits)


def test_a_stored_document_of_another_layout_goes_through_the_model(cat: Catalog) -> None:
    model = cat.get("llama-2-7b")
    stored = model.to_json(with_config=True)
    assert listing_json(dict(stored)) == model.to_json()
    older = {k: v for k, v in stored.items() if k != "kind"}  # written before `kind` existed
    assert listing_json(dict(older)) == Model.from_json(older).to_json()
    assert listing_json(dict(older))["kind"] == "decoder"
    stale = {**stored, "status": "retired"}  # status is worked out on the day, not stored
    assert listing_json(stale)["status"] == "active"


# -- laid out for a terminal or a pipe -------------------------------------------------------


def test_piped_json_is_compact_one_model_per_line(cat: Catalog) -> None:
    rows = cli("list", "--format", "json").stdout.splitlines()
    expected = before(cat)
    assert len(rows) == len(expected)
    assert rows[0].startswith("[") and rows[-1].endswith("]")
    for row, model in zip(rows, expected, strict=True):
        bare = row.removeprefix("[").removesuffix(",").removesuffix("]")
        assert bare == json.dumps(model, ensure_ascii=False, separators=(",", ":"))


def _on_a_terminal(args: list[str], env: dict[str, str]) -> str:
    """``modelcat ARGS`` with stdout on a pseudo-terminal (raw: no CRLF translation)."""
    main, child = pty.openpty()
    tty.setraw(child)
    process = subprocess.Popen(
        [*MODELCAT, *args],
        stdout=child,
        stderr=subprocess.PIPE,
        env=env,
    )
    os.close(child)
    chunks = []
    while True:
        try:
            chunk = os.read(main, 65536)
        except OSError:  # EIO: the child closed the terminal
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(main)
    _, errors = process.communicate(timeout=120)
    assert process.returncode == 0, errors
    return b"".join(chunks).decode("utf-8")


def test_a_terminal_gets_the_indented_json_of_before_byte_for_byte(cat: Catalog) -> None:
    env = {**os.environ, "COLUMNS": "100"}
    expected = before(cat, tier="curated", access="open")
    args = ["list", "--tier", "curated", "--access", "open", "--format", "json"]
    assert _on_a_terminal(args, env) == to_json_text(expected) + "\n"
    compact = _on_a_terminal([*args, "--compact"], env)
    assert json.loads(compact) == expected
    assert len(compact.splitlines()) == len(expected)


def test_write_json_with_an_indent_is_to_json_text_of_the_lists() -> None:
    payload = {"models": [{"a": [1, {"b": None}], "c": "x\x85y"}, 2, "é"], "licenses": [], "n": 1}
    streamed = {k: iter(v) if isinstance(v, list) else v for k, v in payload.items()}
    out = _Capture()
    write_json(streamed, indent=2, out=out)
    assert out.getvalue() == to_json_text(payload) + "\n"
    compact = _Capture()
    write_json({k: iter(v) if isinstance(v, list) else v for k, v in payload.items()},
               indent=None, out=compact)  # fmt: skip
    assert json.loads(compact.getvalue()) == payload
    assert "\x85" not in compact.getvalue()  # C1 controls escaped, as before


# -- streamed, not materialised --------------------------------------------------------------


class _Capture:
    """A text stream that remembers what was written (and is not a terminal)."""

    def __init__(self) -> None:
        self.parts: list[str] = []

    def write(self, text: str) -> int:
        self.parts.append(text)
        return len(text)

    def getvalue(self) -> str:
        return "".join(self.parts)

    def isatty(self) -> bool:
        return False


@pytest.mark.parametrize("indent", [None, 2])
def test_each_item_is_written_before_the_next_is_read(indent: int | None) -> None:
    out = _Capture()
    seen: list[int] = []

    def items() -> Iterator[dict[str, int]]:
        for n in range(5):
            seen.append(out.getvalue().count('"n"'))  # items already written when n is asked
            yield {"n": n}

    write_json(items(), indent=indent, out=out)
    assert seen == [0, 1, 2, 3, 4]
    seen.clear()
    out = _Capture()
    write_jsonl(items(), out=out)
    assert seen == [0, 1, 2, 3, 4]


@pytest.mark.parametrize("fmt", ["json", "jsonl"])
@pytest.mark.parametrize("command", [["list"], ["shortlist", "--search", "llama"], ["export"]])
def test_the_cli_writes_each_model_before_reading_the_next(
    cat: Catalog, monkeypatch: pytest.MonkeyPatch, command: list[str], fmt: str
) -> None:
    written: list[int] = []

    def spy(name: str) -> None:
        original = getattr(SearchEngine, name)

        def spying(self: SearchEngine, *args: Any, **kwargs: Any) -> Iterator[Any]:
            for document in original(self, *args, **kwargs):
                sys.stdout.flush()
                written.append(sys.stdout.buffer.getvalue().count(b'"tunability_notes":'))
                yield document

        monkeypatch.setattr(SearchEngine, name, spying)

    spy("stream_json")  # dictionaries (CSV, a shortlist that remembers its ids)
    spy("stream_lines")  # JSON and JSON Lines as the store keeps them
    result = cli(*command, "--format", fmt)
    assert result.exit_code == 0, result.output
    assert len(written) > 10
    assert written == list(range(len(written)))


# -- errors, exit codes and a reader that goes away ------------------------------------------


def test_a_usage_error_writes_no_half_document() -> None:
    for fmt in ("json", "jsonl"):
        result = cli("list", "--family", "no-such-family", "--format", fmt)
        assert result.exit_code == 2
        assert result.stdout == ""
        assert "unknown family" in result.stderr


def test_an_empty_listing_is_an_empty_list_and_exit_0() -> None:
    result = cli("list", "--tier", "hub", "--format", "json")
    assert (result.exit_code, result.stdout) == (0, "[]\n")
    assert cli("list", "--tier", "hub", "--format", "jsonl").stdout == ""


def _buffered(env: dict[str, str]) -> dict[str, str]:
    """``env`` without PYTHONUNBUFFERED: stdout buffered, as a user's shell has it."""
    return {k: v for k, v in env.items() if k != "PYTHONUNBUFFERED"}


@pytest.mark.parametrize("fmt", ["json", "jsonl", "csv", "table"])
def test_a_reader_that_stops_reading_ends_the_command_quietly(
    cat: Catalog, db_path: Path, fmt: str
) -> None:
    # A pipe of one page: the listing (100 kB and more) cannot fit, so writing it breaks.
    read, write = os.pipe()
    fcntl.fcntl(write, fcntl.F_SETPIPE_SZ, 4096)
    process = subprocess.Popen(
        [*MODELCAT, "export", "--format", fmt],
        stdout=write,
        stderr=subprocess.PIPE,
        env=_buffered({**os.environ, "MODELCAT_DB": str(db_path), "COLUMNS": "100"}),
    )
    os.close(write)
    with os.fdopen(read, "rb") as reader:
        assert reader.read(100)  # like `head -c 100`: read a little, then go away
    _, errors = process.communicate(timeout=120)
    assert (process.returncode, errors) == (0, b"")


@pytest.mark.parametrize("fmt", ["json", "jsonl", "table"])
def test_a_reader_gone_before_the_first_flush_ends_the_command_quietly(
    cat: Catalog, db_path: Path, fmt: str
) -> None:
    # One model stays in stdout's buffer until the process exits: the flush on the way out
    # meets the closed pipe, after the command has ended.
    read, write = os.pipe()
    os.close(read)
    process = subprocess.Popen(
        [*MODELCAT, "list", "--top", "1", "--format", fmt],
        stdout=write,
        stderr=subprocess.PIPE,
        env=_buffered({**os.environ, "MODELCAT_DB": str(db_path), "COLUMNS": "100"}),
    )
    os.close(write)
    _, errors = process.communicate(timeout=120)
    assert (process.returncode, errors) == (0, b"")

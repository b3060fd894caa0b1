"""Print records as a table, JSON, CSV or Markdown: the one output layer every command uses.

stdout carries data only; diagnostics go to stderr (see ``catalog.cli.common.err``). Every
cell is text from data, so it is shown with its control characters escaped
(``catalog.text.printable``) and never read as Rich markup: no escape sequence or hyperlink
from a model card reaches the terminal. JSON escapes C1 controls too (``json`` escapes C0).
"""

from __future__ import annotations

import csv
import io
import json
import re
import sys
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, TextIO

from catalog.text import printable

_C1 = re.compile(r"[\x7f-\x9f]")


class Format(StrEnum):
    """Output formats of every listing command."""

    table = "table"
    json = "json"
    csv = "csv"
    md = "md"


@dataclass(frozen=True)
class Column:
    """One column of a table/CSV/Markdown listing."""

    header: str
    get: Callable[[Any], Any]
    justify: str = "left"


def to_json_text(payload: Any) -> str:
    """Stable, readable JSON (keys in insertion order, UTF-8 kept as is but C1 controls)."""
    text = json.dumps(payload, indent=2, ensure_ascii=False, default=_json_default)
    # Raw C1 characters can only stand inside JSON strings, where \u escapes mean the same.
    return _C1.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def emit(
    records: Sequence[Any],
    columns: Sequence[Column],
    fmt: Format,
    *,
    json_payload: Any = None,
    title: str | None = None,
    out: TextIO | None = None,
) -> None:
    """Write ``records`` in ``fmt``; JSON writes ``json_payload`` (the full objects) instead."""
    stream = out or sys.stdout
    if fmt is Format.json:
        stream.write(to_json_text(json_payload) + "\n")
        return
    cells = [[_cell(col.get(rec)) for col in columns] for rec in records]
    headers = [col.header for col in columns]
    if fmt is Format.csv:
        stream.write(csv_text(headers, cells))
    elif fmt is Format.md:
        stream.write(markdown_table(headers, cells))
    else:
        print_table(headers, cells, [c.justify for c in columns], title=title, out=stream)


def csv_text(headers: Sequence[str], rows: Iterable[Sequence[str]]) -> str:
    """RFC 4180 CSV with a header row."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(headers)
    writer.writerows(rows)
    return buffer.getvalue()


def markdown_table(headers: Sequence[str], rows: Iterable[Sequence[str]]) -> str:
    """A GitHub-flavoured Markdown table; pipes inside cells are escaped."""

    def esc(text: str) -> str:
        return printable(text.replace("|", "\\|").replace("\n", " "))

    lines = ["| " + " | ".join(esc(h) for h in headers) + " |"]
    lines.append("|" + "|".join("---" for _ in headers) + "|")
    lines.extend("| " + " | ".join(esc(c) for c in row) + " |" for row in rows)
    return "\n".join(lines) + "\n"


def print_table(
    headers: Sequence[str],
    rows: Sequence[Sequence[str]],
    justify: Sequence[str],
    *,
    title: str | None = None,
    out: TextIO | None = None,
) -> None:
    """A rich table on a terminal (plain text when piped)."""
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    stream = out or sys.stdout
    shown_title = Text(printable(title)) if title is not None else None
    table = Table(title=shown_title, header_style="bold", box=None, pad_edge=False)
    for i, (header, just) in enumerate(zip(headers, justify, strict=True)):
        # The first column is the id people copy into the next command: never fold it.
        table.add_column(header, justify=just, no_wrap=i == 0, overflow="fold")  # type: ignore[arg-type]
    for row in rows:
        # Text, not str: a cell reading "[link=...]" stays text, not Rich markup.
        table.add_row(*(Text(printable(cell, keep_layout=True)) for cell in row))
    # Piped output keeps whole rows rather than wrapping at an imaginary 80 columns.
    width = None if stream.isatty() else 10_000
    Console(file=stream, soft_wrap=False, width=width).print(table)


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, (list, tuple)):
        return printable(", ".join(str(v) for v in value))
    if isinstance(value, bool):
        return "yes" if value else "no"
    return printable(str(value), keep_layout=True)


def _json_default(value: Any) -> Any:
    import datetime as dt

    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if hasattr(value, "to_json"):
        return value.to_json()
    if hasattr(value, "model_dump"):
        return value.model_dump(mode="json")
    raise TypeError(f"cannot serialise {type(value).__name__} to JSON")

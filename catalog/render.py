"""Print records as a table, JSON, CSV or Markdown: the one output layer every command uses.

stdout carries data only; diagnostics go to stderr (see ``catalog.cli.common.err``). Every
cell is text from data, so it is shown with its control characters escaped
(``catalog.text.printable``) and never read as Rich markup: no escape sequence or hyperlink
from a model card reaches the terminal. JSON escapes C1 controls too (``json`` escapes C0).

Tables are for people: figures rounded, laid out for the terminal's width (``$COLUMNS`` or
100 columns when piped), no trailing padding. CSV is for machines: where a listing has a JSON
form, its CSV is that JSON flattened (the JSON keys as columns, nested keys dotted, exact
numbers, ISO dates), and a cell a spreadsheet would run as a formula is neutralised (OWASP).
Markdown escapes what would break a table and says when its figures are rounded.
"""

from __future__ import annotations

import json
import os
import re
import sys
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
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
    rounded: bool = False
    """The cells round their figures (``6.74B``): Markdown then says so above the table."""
    optional: bool = False
    """A table too wide for the terminal leaves this column out (CSV and JSON keep it)."""


def silence_stdout() -> None:
    """Send what is left of stdout to /dev/null: after its reader has gone, the interpreter's
    last flush would fail again (and print a traceback) on the way out."""
    try:
        fd = sys.stdout.fileno()
    except (AttributeError, OSError, ValueError):
        return  # not a file (a test's capture): nothing is flushed to a closed pipe
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, fd)
    os.close(devnull)


def to_json_text(payload: Any) -> str:
    """Stable, readable JSON (keys in insertion order, UTF-8 kept as is but C1 controls)."""
    text = json.dumps(payload, indent=2, ensure_ascii=False, default=_json_default)
    return _escape_c1(text)


def _escape_c1(text: str) -> str:
    # Raw C1 characters can only stand inside JSON strings, where \u escapes mean the same.
    if text.isascii():
        return text
    return _C1.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


READABLE_INDENT = 2
"""The indent of JSON written for people (a terminal); piped JSON is compact."""

_COMPACT = json.JSONEncoder(
    ensure_ascii=False, separators=(",", ":"), default=lambda value: _json_default(value)
)


class JsonText(str):
    """A value already written as compact JSON (:func:`compact_json`): a listing line read from
    the store goes to the output as it is instead of being decoded and encoded again."""

    __slots__ = ()


def compact_json(value: Any) -> JsonText:
    """``value`` as compact JSON, as piped listings and JSON Lines write it (C1 escaped)."""
    return JsonText(_escape_c1(_COMPACT.encode(value)))


def json_indent(out: TextIO | None = None, *, compact: bool = False) -> int | None:
    """How JSON written to ``out`` (stdout) is laid out: indented for a person at a terminal,
    compact (None) for a pipe or a file, or when ``compact`` asks for it."""
    stream = out or sys.stdout
    return None if compact or not stream.isatty() else READABLE_INDENT


def write_json(payload: Any, *, indent: int | None, out: TextIO | None = None) -> None:
    """``payload`` as JSON, written while it is made: an iterator in it (the payload, or a
    value of the payload object) is written as a JSON array, each item as soon as it comes,
    so a listing of a million models is never held as one list or one string.

    ``indent`` 2 writes what :func:`to_json_text` gives for the payload with its iterators
    as lists, byte for byte; None writes compact JSON (no spaces), each item of a streamed
    array on a line of its own (still one JSON document). C1 controls are escaped either way.
    """
    stream = out or sys.stdout
    encoder = json.JSONEncoder(
        ensure_ascii=False,
        indent=indent,
        separators=(",", ":") if indent is None else None,
        default=_json_default,
    )
    _write_value(stream, payload, encoder, indent, 0)
    stream.write("\n")


def write_jsonl(items: Iterable[Any], *, out: TextIO | None = None) -> None:
    """JSON Lines: each item as compact JSON on a line of its own, written as soon as it comes."""
    stream = out or sys.stdout
    for item in items:
        stream.write((item if isinstance(item, JsonText) else compact_json(item)) + "\n")


def _write_value(
    stream: TextIO, value: Any, encoder: json.JSONEncoder, indent: int | None, depth: int
) -> None:
    if isinstance(value, Iterator):
        _write_array(stream, value, encoder, indent, depth)
    elif isinstance(value, Mapping) and any(isinstance(v, Iterator) for v in value.values()):
        _write_object(stream, value, encoder, indent, depth)
    else:
        stream.write(_encoded(encoder, value, indent, depth))


def _encoded(encoder: json.JSONEncoder, value: Any, indent: int | None, depth: int) -> str:
    if isinstance(value, JsonText):
        if indent is None:
            return value
        value = json.loads(value)
    text = encoder.encode(value)
    if indent and depth:
        # JSON text has no raw line breaks but its own: nesting is a deeper indent.
        text = text.replace("\n", "\n" + " " * (indent * depth))
    return _escape_c1(text)


def _write_array(
    stream: TextIO, items: Iterator[Any], encoder: json.JSONEncoder, indent: int | None, depth: int
) -> None:
    if indent is None:
        opener, between, closer = "[", ",\n", "]"
    else:
        inner = "\n" + " " * (indent * (depth + 1))
        opener, between, closer = "[" + inner, "," + inner, "\n" + " " * (indent * depth) + "]"
    # The items are plain JSON values (an iterator in them is not streamed, nor allowed).
    empty = True
    for item in items:
        stream.write((opener if empty else between) + _encoded(encoder, item, indent, depth + 1))
        empty = False
    stream.write("[]" if empty else closer)


def _write_object(
    stream: TextIO,
    obj: Mapping[Any, Any],
    encoder: json.JSONEncoder,
    indent: int | None,
    depth: int,
) -> None:
    if indent is None:
        opener, between, colon, closer = "{", ",", ":", "}"
    else:
        inner = "\n" + " " * (indent * (depth + 1))
        opener, between, colon = "{" + inner, "," + inner, ": "
        closer = "\n" + " " * (indent * depth) + "}"
    for number, (key, value) in enumerate(obj.items()):
        stream.write((between if number else opener) + _escape_c1(encoder.encode(str(key))) + colon)
        _write_value(stream, value, encoder, indent, depth + 1)
    stream.write(closer)


def emit(
    records: Sequence[Any],
    columns: Sequence[Column],
    fmt: Format,
    *,
    json_payload: Any = None,
    csv_from_json: bool = False,
    title: str | None = None,
    out: TextIO | None = None,
) -> None:
    """Write ``records`` in ``fmt``; JSON writes ``json_payload`` (the full objects) instead.

    Args:
        csv_from_json: ``json_payload`` holds one JSON object per record, and CSV writes it
            flattened (:func:`json_csv`) rather than the rounded ``columns``.
    """
    stream = out or sys.stdout
    if fmt is Format.json:
        stream.write(to_json_text(json_payload) + "\n")
        return
    if fmt is Format.csv:
        if csv_from_json:
            stream.write(json_csv(json_payload))
        else:
            stream.write(csv_text([c.header for c in columns], _raw_rows(records, columns)))
        return
    cells = [[_cell(col.get(rec)) for col in columns] for rec in records]
    headers = [col.header for col in columns]
    if fmt is Format.md:
        if any(c.rounded for c in columns):
            rounded = ", ".join(c.header for c in columns if c.rounded)
            stream.write(f"_Rounded for reading: {rounded}. CSV and JSON have exact figures._\n\n")
        stream.write(markdown_table(headers, cells))
    else:
        print_table(columns, cells, title=title, out=stream)


def json_csv(records: Sequence[Mapping[str, Any]]) -> str:
    """JSON objects as CSV: the keys as columns (nested objects as ``parent.key``), exact values.

    Columns are the union of every record's keys, in the order they first appear; a record
    without a key leaves its cell empty. Lists of plain values are joined with ``"; "``, lists
    of objects are written as JSON text.
    """
    plain = json.loads(json.dumps(list(records), default=_json_default))
    layout: dict[str, Any] = {}
    for record in plain:
        _merge_layout(layout, record)
    paths = list(_leaf_paths(layout, ()))
    rows = [[_value_at(record, path) for path in paths] for record in plain]
    return csv_text([".".join(p) for p in paths], rows)


def write_json_csv(
    records: Callable[[], Iterable[Mapping[str, Any]]], *, out: TextIO | None = None
) -> None:
    """:func:`json_csv` of plain JSON objects, written row by row: ``records()`` is read twice,
    once for the columns (the union of every record's keys), once for the rows, so no more
    than one record is held at a time."""
    stream = out or sys.stdout
    layout: dict[str, Any] = {}
    for record in records():
        _merge_layout(layout, record)
    paths = list(_leaf_paths(layout, ()))
    if not paths:
        stream.write(csv_text([], []))
        return
    stream.write(_csv_line([".".join(p) for p in paths]) + "\n")
    keys = [path[0] if len(path) == 1 else None for path in paths]  # most are top-level keys
    for record in records():
        cells = [
            csv_cell(record.get(key) if key is not None else _value_at(record, path))
            for key, path in zip(keys, paths, strict=True)
        ]
        stream.write(_csv_line(cells) + "\n")


def _merge_layout(layout: dict[str, Any], record: Mapping[str, Any]) -> None:
    for key, value in record.items():
        known = layout.setdefault(key, None)
        if isinstance(value, dict):
            if known is None:
                known = layout[key] = {}  # same position: the key was placed on first sight
            _merge_layout(known, value)


def _leaf_paths(layout: Mapping[str, Any], prefix: tuple[str, ...]) -> Iterable[tuple[str, ...]]:
    for key, sub in layout.items():
        if sub is None:
            yield (*prefix, key)
        else:
            yield from _leaf_paths(sub, (*prefix, key))


def _value_at(record: Any, path: tuple[str, ...]) -> Any:
    for key in path:
        if not isinstance(record, dict):
            return None
        record = record.get(key)
    return record


def _raw_rows(records: Sequence[Any], columns: Sequence[Column]) -> list[list[Any]]:
    return [[col.get(rec) for col in columns] for rec in records]


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
"""What makes a spreadsheet run a cell as a formula (OWASP, CSV injection)."""


def csv_cell(value: Any) -> str:
    """One CSV value: numbers exact, text made inert for spreadsheets and terminals.

    A text starting with ``= + - @``, tab or CR gets a leading ``'`` (OWASP's advice), so
    ``=HYPERLINK(...)`` from a model card is shown, not run. Numbers are never changed: ``-1``
    stays a number.
    """
    if value is None:
        return ""
    if type(value) is str:
        text = value
    elif isinstance(value, list | tuple):
        if any(isinstance(v, dict | list) for v in value):
            text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
        else:
            text = "; ".join(_scalar_text(v) for v in value)
    elif isinstance(value, bool | int | float):
        return _scalar_text(value)
    else:
        text = str(value)
    text = printable(text, keep_layout=True)
    return "'" + text if text.startswith(_FORMULA_START) else text


def _scalar_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    return str(value)


def csv_text(headers: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    """RFC 4180 CSV with a header row, ``\\n`` line ends (cells through :func:`csv_cell`).

    A cell holding a comma, a quote, a newline or a bare CR is quoted, so no reader splits a
    row (Python's ``csv`` module leaves a bare CR unquoted when lines end in ``\\n``).
    """
    lines = [_csv_line([str(h) for h in headers])]
    lines.extend(_csv_line([csv_cell(v) for v in row]) for row in rows)
    return "\n".join(lines) + "\n"


def _csv_line(cells: Sequence[str]) -> str:
    if cells == [""]:
        return '""'  # a blank line would be skipped by readers: the row would vanish
    return ",".join(_quoted(cell) for cell in cells)


_QUOTE = re.compile('[,"\n\r]')
"""What makes a CSV cell need quotes."""


def _quoted(cell: str) -> str:
    if _QUOTE.search(cell):
        return '"' + cell.replace('"', '""') + '"'
    return cell


def markdown_cell(text: str) -> str:
    """``text`` safe inside a Markdown table cell: ``|`` and ``\\`` escaped, line breaks as ``<br>``."""
    escaped = text.replace("\\", "\\\\").replace("|", "\\|")
    escaped = escaped.replace("\r\n", "<br>").replace("\n", "<br>").replace("\r", "<br>")
    return printable(escaped)


def markdown_table(headers: Sequence[str], rows: Iterable[Sequence[str]]) -> str:
    """A GitHub-flavoured Markdown table; every cell through :func:`markdown_cell`."""
    lines = ["| " + " | ".join(markdown_cell(h) for h in headers) + " |"]
    lines.append("|" + "|".join("---" for _ in headers) + "|")
    lines.extend("| " + " | ".join(markdown_cell(c) for c in row) + " |" for row in rows)
    return "\n".join(lines) + "\n"


def print_table(
    columns: Sequence[Column],
    rows: Sequence[Sequence[str]],
    *,
    title: str | None = None,
    out: TextIO | None = None,
) -> None:
    """A table for people: the terminal's width, or ``$COLUMNS`` (else 100) when piped.

    Long cells wrap inside their column, at spaces (a word is cut only beyond
    :data:`FOLD_AT` characters); lines carry no trailing padding, so a file or pipe gets only
    what is shown. When even that is too wide, ``optional`` columns are left out, last first,
    and the title says which. Columns are one space apart, the header is bold and the title
    italic on a terminal that takes styles.
    """
    stream = out or sys.stdout
    if not rows:
        # Headers over nothing are noise: the title ("0 models") says it all.
        if title is not None:
            stream.write(printable(title) + "\n")
        return
    tty = stream.isatty()
    width = _console_width(stream) if tty else output_width()
    kept = _columns_that_fit(columns, rows, width)
    widths = _widths([columns[i] for i in kept], [[row[i] for i in kept] for row in rows], width)
    left_out = [c.header for i, c in enumerate(columns) if i not in kept]
    if left_out:
        note = f"{', '.join(left_out)} left out to fit {width} columns; --format csv has them"
        title = f"{title} ({note})" if title else note
    styled = tty and _takes_styles()
    layout = [(columns[i], i, w) for i, w in zip(kept, widths, strict=True)]
    lines: list[str] = []
    if title is not None:
        table_width = sum(widths) + len(widths) - 1
        for line in _cell_lines(printable(title), table_width, whole=False):
            lines.append(_styled(line, _ITALIC) if styled and line.strip() else line)
    header = [_fitted(c.header, w, c.justify) for c, _, w in layout]
    lines.append(" ".join(_styled(h, _BOLD) if styled else h for h in header))
    for row in rows:
        cells = [
            [_fitted(line, w, c.justify) for line in _cell_lines(row[i], w, whole=_whole(c, i))]
            for c, i, w in layout
        ]
        for depth in range(max((len(cell) for cell in cells), default=0)):
            lines.append(
                " ".join(cell[depth] if depth < len(cell) else " " * w
                         for cell, (_, _, w) in zip(cells, layout, strict=True))
            )  # fmt: skip
    stream.write("".join(line.rstrip() + "\n" for line in lines))


_WORD = re.compile(r"\s*\S+\s*")
"""A word with the spaces before (at the start of a line) and after it."""
_BOLD, _ITALIC = "1", "3"


def _cell_lines(text: str, width: int, *, whole: bool) -> list[str]:
    """``text`` as the lines of a cell ``width`` wide: its own lines, each wrapped at spaces
    unless ``whole``; a word wider than the cell is cut across lines, anything else too wide
    is cut at the edge."""
    lines: list[str] = []
    width = max(width, 1)
    for part in text.split("\n"):
        part = part.expandtabs(8)
        cuts = [] if whole else _breaks(part, width)
        lines += [part[a:b][:width] for a, b in zip([0, *cuts], [*cuts, len(part)], strict=True)]
    return lines


def _breaks(text: str, width: int) -> list[int]:
    """Where a line of ``text`` breaks to fit ``width``: before each word that would cross the
    edge, and inside a word wider than the whole width."""
    breaks: list[int] = []
    used = 0
    for match in _WORD.finditer(text):
        start, word = match.start(), match.group()
        length = len(word.rstrip())
        if width - used >= length:
            used += len(word)
        elif length > width:
            chunks = [word[i : i + width] for i in range(0, len(word), width)]
            for chunk in chunks:
                if start:
                    breaks.append(start)
                start += len(chunk)
            used = len(chunks[-1])
        elif used and start:
            breaks.append(start)
            used = len(word)
    return breaks


def _fitted(line: str, width: int, justify: str) -> str:
    """``line`` padded to ``width``: on the left for right-aligned columns."""
    return line.rstrip().rjust(width) if justify == "right" else line.ljust(width)


def _takes_styles() -> bool:
    """Whether the terminal gets bold and italic (not under NO_COLOR or a dumb terminal)."""
    return not os.environ.get("NO_COLOR") and os.environ.get("TERM", "") != "dumb"


def _styled(text: str, code: str) -> str:
    """``text`` with an SGR style around it (trailing spaces left outside, for rstrip)."""
    stripped = text.rstrip()
    return f"\x1b[{code}m{stripped}\x1b[0m{text[len(stripped) :]}"


FOLD_AT = 16
"""A word longer than this may be cut across lines; shorter ones wrap whole."""


def _whole(column: Column, index: int) -> bool:
    """Cells never wrapped: the first column (the id people copy into the next command) and
    right-aligned figures (``305.00 ± 7.07`` split over two lines reads as two numbers)."""
    return index == 0 or column.justify == "right"


def _min_width(column: Column, rows: Sequence[Sequence[str]], index: int) -> int:
    """The narrowest the column can be without cutting a word (or a cell kept whole)."""
    words = [len(column.header)]
    for row in rows:
        cell = row[index]
        if _whole(column, index):
            words.append(len(cell))
        else:
            words.extend(min(len(word), FOLD_AT) for word in cell.split())
    return max(words)


def _widths(columns: Sequence[Column], rows: Sequence[Sequence[str]], width: int) -> list[int]:
    """Each column's width: its widest cell, the widest cut back first until the table fits.

    Cutting the widest column one character at a time (never below its narrowest,
    :func:`_min_width`) wraps the long prose and keeps short columns whole.
    """
    natural = [
        max([len(c.header), *(len(line) for row in rows for line in row[i].splitlines())])
        for i, c in enumerate(columns)
    ]
    least = [_min_width(c, rows, i) for i, c in enumerate(columns)]
    widths = list(natural)
    excess = sum(widths) + len(widths) - 1 - width
    while excess > 0:
        shrinkable = [i for i in range(len(widths)) if widths[i] > least[i]]
        if not shrinkable:
            break
        widest = max(shrinkable, key=lambda i: widths[i])
        widths[widest] -= 1
        excess -= 1
    return widths


def _columns_that_fit(
    columns: Sequence[Column], rows: Sequence[Sequence[str]], width: int
) -> list[int]:
    """Indexes of the columns to show: all, or without optional ones (last first) until they fit."""
    kept = list(range(len(columns)))
    needed = {i: _min_width(c, rows, i) for i, c in enumerate(columns)}
    optional = [i for i, c in enumerate(columns) if c.optional]
    while optional and sum(needed[i] for i in kept) + len(kept) - 1 > width:
        kept.remove(optional.pop())
    return kept


TreeNode = tuple[str, "str | Sequence[TreeNode]"]
"""A ``(key, text)`` line, or a ``(key, children)`` group of a :func:`print_tree`."""


def print_tree(
    nodes: Sequence[TreeNode], *, title: str | None = None, out: TextIO | None = None
) -> None:
    """One record with many fields (``show``): ``key  value`` lines, groups indented below
    their key, each top-level group after a blank line.

    Laid out for the same width as tables: a value wraps at spaces under itself, a key too
    long for its column gets a line of its own, and a word longer than the room beside its key
    (a URL) starts a line of its own, never cut.
    """
    stream = out or sys.stdout
    width = _console_width(stream) if stream.isatty() else output_width()
    lines = [printable(title)] if title is not None else []
    lines += _tree_lines(nodes, "", width, top=True)
    stream.write("".join(line.rstrip() + "\n" for line in lines))


def _tree_lines(nodes: Sequence[TreeNode], indent: str, width: int, *, top: bool) -> list[str]:
    leaves = [len(key) for key, value in nodes if isinstance(value, str)]
    column = min(max(leaves, default=0), max(12, width // 3))
    lines: list[str] = []
    for key, value in nodes:
        if isinstance(value, str):
            lines += _field_lines(indent, printable(key), printable(value, keep_layout=True),
                                  column, width)  # fmt: skip
            continue
        lines += [""] if top else []
        lines.append(indent + printable(key))
        lines += _tree_lines(value, indent + "  ", width, top=False)
    return lines


def _field_lines(indent: str, key: str, text: str, column: int, width: int) -> list[str]:
    import textwrap

    start = len(indent) + column + 2
    room = max(20, width - start)
    wrapped: list[str] = []
    for part in text.split("\n"):
        wrapped += textwrap.wrap(part, room, break_long_words=False, break_on_hyphens=False) or [""]
    lines = [indent + key]
    if len(key) <= column and len(wrapped[0]) <= room:
        lines[0] = f"{indent}{key:<{column}}  {wrapped.pop(0)}"
    for line in wrapped:
        # A URL longer than the room beside the key starts further left, whole.
        lines.append((indent + "    " if len(line) > room else " " * start) + line)
    return lines


def paragraph(text: str, *, indent: str = "", out: TextIO | None = None) -> str:
    """``text`` wrapped at spaces to the width tables use, each line after the first indented.

    A word longer than the width (a URL) is never cut: it gets a line of its own.
    """
    import textwrap

    stream = out or sys.stdout
    width = _console_width(stream) if stream.isatty() else output_width()
    return textwrap.fill(
        printable(text),
        width=width,
        subsequent_indent=indent,
        break_long_words=False,
        break_on_hyphens=False,
    )


def _console_width(stream: TextIO) -> int:
    """A terminal's width: ``$COLUMNS`` when set, else what the terminal says (else 80)."""
    configured = os.environ.get("COLUMNS", "")
    if configured.isdigit() and int(configured) > 0:
        return int(configured)
    try:
        return os.get_terminal_size(stream.fileno()).columns or 80
    except (AttributeError, OSError, ValueError):
        return 80


PIPED_WIDTH = 100
"""Columns a table is laid out for when stdout is not a terminal and ``$COLUMNS`` is unset."""


def output_width() -> int:
    """The width piped output is laid out for: ``$COLUMNS`` when it is a number, else 100."""
    configured = os.environ.get("COLUMNS", "")
    return (
        int(configured) if configured.isdigit() and 20 <= int(configured) <= 10_000 else PIPED_WIDTH
    )


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

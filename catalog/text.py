"""Text from data, made safe to show: the one sanitiser every renderer and ingest path calls.

Curated files, the Hub and folder names are data, and data must never drive a terminal: an
ESC (``\\x1b]0;...\\x07`` retitles it, ``\\x1b[2J`` clears it) or a C1 control (``\\x9b`` is
CSI on its own) reaching stdout is an injection. So:

* overlays refuse C0/C1 controls (:func:`control_in`, called by ``catalog.schema``);
* Hub data has them removed when it is read (:func:`strip_controls`, ``catalog.hub``);
* every renderer shows what is left visibly escaped (:func:`printable`: ``\\x1b`` becomes the
  four characters ``\\x1b``), so even a store written by an older modelcat cannot reach the
  terminal;
* messages quoting data are cut to a length (:func:`clip`).

Newline and tab are kept where a field allows them (notes, clauses); DEL counts as a control.
"""

from __future__ import annotations

import dataclasses
import re
from typing import TypeVar

T = TypeVar("T")

_CONTROLS = re.compile(r"[\x00-\x1f\x7f-\x9f]")
_CONTROLS_BUT_LAYOUT = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
"""Every C0/C1 control but tab and newline."""

MAX_SHOWN = 200
"""Characters of a value quoted in a message."""


def _pattern(keep_layout: bool) -> re.Pattern[str]:
    return _CONTROLS_BUT_LAYOUT if keep_layout else _CONTROLS


def control_in(text: str, *, keep_layout: bool = False) -> str | None:
    """The first control character in ``text`` as an escape (``\\x1b``), or None.

    Args:
        keep_layout: tab and newline are allowed (multi-line prose).
    """
    found = _pattern(keep_layout).search(text)
    return None if found is None else _escape(found)


def strip_controls(text: str, *, keep_layout: bool = False) -> str:
    """``text`` without its control characters (what ingest from the Hub stores)."""
    return _pattern(keep_layout).sub("", text)


def printable(text: str, *, keep_layout: bool = False) -> str:
    """``text`` with every control character written out (``\\x1b``), safe for any terminal."""
    if text.isprintable():  # no control character (the usual case, tested without a regex)
        return text
    return _pattern(keep_layout).sub(_escape, text)


def clip(text: str, limit: int = MAX_SHOWN) -> str:
    """``text`` cut to ``limit`` characters, saying how much was left out."""
    if len(text) <= limit:
        return text
    return f"{text[:limit]}… ({len(text) - limit} more characters)"


def shown(value: object, limit: int = MAX_SHOWN) -> str:
    """``repr(value)`` for a message: clipped, controls escaped (repr already does for str)."""
    if isinstance(value, str | int | float | bool) or value is None:
        text = repr(value) if not isinstance(value, int) or value.bit_length() < 256 else "<huge>"
    else:
        text = f"<{type(value).__name__}>"
    return printable(clip(text, limit))


def _escape(match: re.Match[str]) -> str:
    return f"\\x{ord(match.group()):02x}"


def printable_tree(value: T) -> T:
    """``value`` with every string inside it made :func:`printable` (newlines kept).

    Walks dicts, lists, tuples, dataclass instances and pydantic models, rebuilding only what
    changes, so a read model can be made safe once before a front end shows it.
    """
    if isinstance(value, str):
        return printable(value, keep_layout=True)  # type: ignore[return-value]
    if isinstance(value, dict):
        return {printable_tree(k): printable_tree(v) for k, v in value.items()}  # type: ignore[return-value]
    if isinstance(value, list | tuple) and not hasattr(value, "_fields"):
        return type(value)(printable_tree(v) for v in value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        changes = {
            f.name: printable_tree(getattr(value, f.name))
            for f in dataclasses.fields(value)
            if f.init
        }
        changed = {k: v for k, v in changes.items() if v is not getattr(value, k)}
        return dataclasses.replace(value, **changed) if changed else value
    model_fields = getattr(type(value), "model_fields", None)
    if isinstance(model_fields, dict) and hasattr(value, "model_copy"):
        update = {name: printable_tree(getattr(value, name)) for name in model_fields}
        changed = {k: v for k, v in update.items() if v is not getattr(value, k)}
        return value.model_copy(update=changed) if changed else value
    return value

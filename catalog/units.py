"""Sizes and counts as people write them ("24GB", "80GiB", "7B", "350M"), and back.

Sizes follow the SI/IEC convention: ``KB``, ``MB``, ``GB``, ``TB`` (and the bare letters ``K``, ``M``,
``G``, ``T``) are decimal powers of 1000; ``KiB``, ``MiB``, ``GiB``, ``TiB`` are binary powers of 1024.
So ``"24GB"`` is 24,000,000,000 bytes and ``"24GiB"`` is 25,769,803,776 bytes. GPU vendors and
``nvidia-smi`` count memory in binary units (an "80GB" A100 reports 81920 MiB), so write ``80GiB`` to
simulate one exactly. A bare number is a number of bytes.
"""

from __future__ import annotations

import re

from catalog.errors import UsageError
from catalog.text import shown

_SIZE_UNITS: dict[str, int] = {
    "": 1,
    "B": 1,
    "K": 1000,
    "KB": 1000,
    "M": 1000**2,
    "MB": 1000**2,
    "G": 1000**3,
    "GB": 1000**3,
    "T": 1000**4,
    "TB": 1000**4,
    "KIB": 1024,
    "MIB": 1024**2,
    "GIB": 1024**3,
    "TIB": 1024**4,
}

_COUNT_UNITS: dict[str, int] = {
    "": 1,
    "K": 1000,
    "M": 1000**2,
    "B": 1000**3,
    "T": 1000**4,
}

_DIGITS = r"\d(?:_?\d){0,29}"
"""Up to 30 digits; an underscore may group them (``1_500``), as in Python literals."""
_NUMBER_WITH_UNIT = re.compile(rf"^\s*({_DIGITS}(?:\.{_DIGITS})?|\.{_DIGITS})\s*([A-Za-z]*)\s*$")

_WITH_COMMAS = re.compile(r"^\s*(\d{1,30}(?:,\d{1,30}){1,10})\s*([A-Za-z]*)\s*$")

MAX_SIZE = 10**18
"""The largest size accepted, in bytes (an exabyte: beyond any machine)."""
MAX_COUNT = 10**15
"""The largest count accepted (a quadrillion parameters or users)."""


def _split(text: str, what: str) -> tuple[float, str]:
    if "," in text:
        raise UsageError(f"invalid {what} {shown(text, 60)}: {_comma_hint(text)}")
    match = _NUMBER_WITH_UNIT.match(text)
    if match is None:
        raise UsageError(
            f"invalid {what} {shown(text, 60)}: expected a number with an optional unit"
        )
    return float(match.group(1).replace("_", "")), match.group(2).upper()


def _comma_hint(text: str) -> str:
    """Why a comma is refused, and what to write instead.

    A comma is a decimal point in much of the world and a thousands separator elsewhere, so
    ``1,5B`` read as 15B (as it once was) silently picks the wrong one.
    """
    match = _WITH_COMMAS.match(text)
    readings: list[str] = []
    if match is not None:
        parts, unit = match.group(1).split(","), match.group(2)
        if len(parts) == 2:
            readings.append(f"{parts[0]}.{parts[1]}{unit}")
        if all(len(part) == 3 for part in parts[1:]) and len(parts[0]) <= 3:
            readings.append(f"{'_'.join(parts)}{unit}")
    if not readings:
        return "a comma is not allowed in a number (. for decimals, _ to group digits)"
    return "a comma is not allowed in a number: write " + " or ".join(readings)


def _bounded(value: float | int, text: str | int, what: str, limit: int, words: str) -> int:
    if value > limit:
        raise UsageError(f"invalid {what} {shown(text, 60)}: larger than {words}")
    return round(value)


def parse_size(text: str | int, *, field: str = "size") -> int:
    """Parse a memory size into bytes.

    Args:
        text: ``"24GB"`` (decimal), ``"24GiB"`` (binary), ``"512MB"``, ``"1.5TB"``, or a byte count.
        field: the name of the option being parsed, used in the error message.

    Returns:
        The size in bytes, rounded to the nearest byte.

    Raises:
        UsageError: the text is not a non-negative number with a known unit.
    """
    if isinstance(text, bool):
        raise UsageError(f"invalid {field} {text!r}: expected a size such as 24GB")
    if isinstance(text, int):
        if text < 0:
            raise UsageError(f"invalid {field} {shown(text)}: a size cannot be negative")
        return _bounded(text, text, field, MAX_SIZE, "an exabyte")
    value, unit = _split(text, field)
    if unit not in _SIZE_UNITS:
        known = "B, KB, MB, GB, TB, KiB, MiB, GiB, TiB"
        raise UsageError(
            f"invalid {field} {shown(text, 60)}: unknown unit {shown(unit, 20)} (use one of {known})"
        )
    return _bounded(value * _SIZE_UNITS[unit], text, field, MAX_SIZE, "an exabyte")


def parse_count(text: str | int, *, field: str = "count") -> int:
    """Parse a parameter count such as ``"8B"``, ``"350M"``, ``"1.5B"`` or ``"7000000"``.

    ``K`` is a thousand, ``M`` a million, ``B`` a billion (10**9) and ``T`` a trillion.

    Args:
        text: the count, with an optional suffix (case-insensitive); underscores group digits
            (``1_500M``). A comma is refused (``1,5B``: decimal point or thousands?).
        field: the name of the option being parsed, used in the error message.

    Returns:
        The count as an integer.

    Raises:
        UsageError: the text is not a non-negative number with a known suffix.
    """
    if isinstance(text, bool):
        raise UsageError(f"invalid {field} {text!r}: expected a count such as 7B")
    if isinstance(text, int):
        if text < 0:
            raise UsageError(f"invalid {field} {shown(text)}: a count cannot be negative")
        return _bounded(text, text, field, MAX_COUNT, "1000T")
    value, unit = _split(text, field)
    if unit not in _COUNT_UNITS:
        raise UsageError(
            f"invalid {field} {shown(text, 60)}: unknown suffix {shown(unit, 20)} (use K, M, B or T)"
        )
    return _bounded(value * _COUNT_UNITS[unit], text, field, MAX_COUNT, "1000T")


def format_bytes(size: int | float, *, binary: bool = False) -> str:
    """Format a byte count for people: ``13.5 GB`` (decimal) or ``12.6 GiB`` with ``binary=True``."""
    base = 1024 if binary else 1000
    units = (
        ["B", "KiB", "MiB", "GiB", "TiB", "PiB"] if binary else ["B", "KB", "MB", "GB", "TB", "PB"]
    )
    value = float(size)
    sign = "-" if value < 0 else ""
    value = abs(value)
    for unit in units:
        if round(value, 1) < base or unit == units[-1]:  # 999.96 MB reads "1.0 GB"
            if unit == "B":
                return f"{sign}{int(value)} B"
            return f"{sign}{value:.1f} {unit}"
        value /= base
    raise AssertionError("unreachable")  # pragma: no cover


def format_count(count: int | float) -> str:
    """Format a parameter count for people: ``6.74B``, ``125M``, ``81.9K``, ``512``."""
    value = float(count)
    units = (("T", 1e12), ("B", 1e9), ("M", 1e6), ("K", 1e3))
    for i, (suffix, scale) in enumerate(units):
        if abs(value) >= scale:
            scaled = value / scale
            digits = 2 if abs(scaled) < 10 else 1 if abs(scaled) < 100 else 0
            text = f"{scaled:.{digits}f}"
            if abs(float(text)) >= 1000 and i > 0:
                # 999.9M rounds to "1000M": say "1.00B" instead.
                bigger, big_scale = units[i - 1]
                return f"{value / big_scale:.2f}{bigger}"
            return f"{text}{suffix}"
    return str(int(value))


def format_context(tokens: int) -> str:
    """A context window as vendors write it: ``4K`` (4096), ``128K`` (131072 or 128000), ``10M``.

    Token windows are mostly powers of two, counted in binary K (1024) and M (1024**2); some
    vendors count decimal (128,000 is "128K" too). A window that is neither a whole binary nor a
    whole decimal multiple is given exactly (``16,385``), never rounded to "16.4K".
    """
    # A window that is both (128,000 = 125 x 1024) was chosen as the decimal figure.
    for suffix, decimal, binary in (("M", 1000**2, 1024**2), ("K", 1000, 1024)):
        for scale in (decimal, binary):
            if tokens >= scale and tokens % scale == 0:
                return f"{tokens // scale}{suffix}"
    return f"{tokens:,}"


def plural(count: int, noun: str, nouns: str | None = None) -> str:
    """``"1 model"``, ``"2 models"``; ``nouns`` for the irregular (``"saved policies"``)."""
    return f"{count:,} {noun if count == 1 else nouns or noun + 's'}"

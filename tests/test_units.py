"""Sizes and counts as people write them."""

from __future__ import annotations

import pytest

from catalog.errors import UsageError
from catalog.units import format_bytes, format_count, parse_count, parse_size


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("24GB", 24_000_000_000),
        ("24 GB", 24_000_000_000),
        ("24gb", 24_000_000_000),
        ("24G", 24_000_000_000),
        ("24GiB", 24 * 1024**3),
        ("80GiB", 85_899_345_920),
        ("512MB", 512_000_000),
        ("512MiB", 512 * 1024**2),
        ("1.5TB", 1_500_000_000_000),
        ("2TiB", 2 * 1024**4),
        ("64KB", 64_000),
        ("1024", 1024),
        ("1,024B", 1024),
        (".5GB", 500_000_000),
        (3_000, 3_000),
    ],
)
def test_parse_size(text: str | int, expected: int) -> None:
    assert parse_size(text) == expected


@pytest.mark.parametrize("text", ["", "GB", "24 XB", "-3GB", "24GB RAM", "1e9", "twelve"])
def test_parse_size_rejects_nonsense(text: str) -> None:
    with pytest.raises(UsageError, match="memory"):
        parse_size(text, field="memory")


def test_parse_size_rejects_negative_integers_and_bools() -> None:
    with pytest.raises(UsageError, match="negative"):
        parse_size(-1)
    with pytest.raises(UsageError):
        parse_size(True)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("8B", 8_000_000_000),
        ("8b", 8_000_000_000),
        ("350M", 350_000_000),
        ("1.5B", 1_500_000_000),
        ("900M", 900_000_000),
        ("7000000", 7_000_000),
        ("7,000,000", 7_000_000),
        ("20K", 20_000),
        ("1.8T", 1_800_000_000_000),
        (124_439_808, 124_439_808),
    ],
)
def test_parse_count(text: str | int, expected: int) -> None:
    assert parse_count(text) == expected


@pytest.mark.parametrize("text", ["", "B", "8GB", "-7B", "seven", "8 billion"])
def test_parse_count_rejects_nonsense(text: str) -> None:
    with pytest.raises(UsageError, match="max_params"):
        parse_count(text, field="max_params")


@pytest.mark.parametrize(
    ("size", "binary", "expected"),
    [
        (0, False, "0 B"),
        (999, False, "999 B"),
        (13_476_831_232, False, "13.5 GB"),
        (13_476_831_232, True, "12.6 GiB"),
        (512 * 1024**2, True, "512.0 MiB"),
        (1_500_000_000_000, False, "1.5 TB"),
        (-2_000_000, False, "-2.0 MB"),
        (999_960_000, False, "1.0 GB"),
    ],
)
def test_format_bytes(size: int, binary: bool, expected: str) -> None:
    assert format_bytes(size, binary=binary) == expected


@pytest.mark.parametrize(
    ("count", "expected"),
    [
        (6_738_415_616, "6.74B"),
        (46_702_792_704, "46.7B"),
        (124_439_808, "124M"),
        (81_920, "81.9K"),
        (512, "512"),
        (1_800_000_000_000, "1.80T"),
        # Rounding up to the next unit says so (gemma-3-1b has 999,885,952 parameters).
        (999_885_952, "1.00B"),
        (999_400_000, "999M"),
        (999_999, "1.00M"),
    ],
)
def test_format_count(count: int, expected: str) -> None:
    assert format_count(count) == expected


def test_format_and_parse_round_trip() -> None:
    assert parse_count(format_count(7_000_000_000)) == 7_000_000_000
    assert parse_size(format_bytes(24_000_000_000).replace(" ", "")) == 24_000_000_000

"""Sizes and counts as people write them."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from catalog.errors import UsageError
from catalog.units import (
    format_bytes,
    format_context,
    format_count,
    parse_count,
    parse_size,
    plural,
)


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
        ("1_024B", 1024),
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
        ("7_000_000", 7_000_000),
        ("1_500M", 1_500_000_000),
        ("1500M", 1_500_000_000),
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


@pytest.mark.parametrize("text", ["1,5B", "1,5 B", "0,5"])
def test_a_decimal_comma_is_refused_with_the_decimal_point_form(text: str) -> None:
    with pytest.raises(UsageError) as caught:
        parse_count(text, field="max_params")
    message = str(caught.value)
    assert "comma" in message and text.replace(",", ".").replace(" ", "") in message


@pytest.mark.parametrize(
    ("text", "hint"),
    [("1,500M", "1.500M or 1_500M"), ("7,000,000", "7_000_000"), ("24,5GB", "24.5GB")],
)
def test_a_comma_is_refused_everywhere_with_what_to_write(text: str, hint: str) -> None:
    with pytest.raises(UsageError, match=hint):
        (parse_size if text.endswith("GB") else parse_count)(text)


def test_max_params_with_a_comma_is_a_usage_error_on_the_command_line() -> None:
    from typer.testing import CliRunner

    from catalog.cli.main import app

    runner = CliRunner()
    bad = runner.invoke(app, ["list", "--max-params", "1,5B", "--format", "json"])
    assert bad.exit_code == 2 and bad.stdout == ""
    assert "1.5B" in bad.stderr and len(bad.stderr.strip().splitlines()) == 1
    same = [
        runner.invoke(app, ["list", "--max-params", v, "--format", "json"]).stdout
        for v in ("1_500M", "1500M", "1.5B")
    ]
    assert same[0] == same[1] == same[2]


@pytest.mark.parametrize(
    ("tokens", "expected"),
    [
        (2048, "2K"),
        (4096, "4K"),
        (8192, "8K"),
        (131_072, "128K"),
        (128_000, "128K"),
        (10_485_760, "10M"),
        (1_048_576, "1M"),
        (1_000_000, "1M"),
        (200_000, "200K"),
        (16_385, "16,385"),
        (2049, "2,049"),
        (512, "512"),
    ],
)
def test_format_context_in_vendor_units(tokens: int, expected: str) -> None:
    assert format_context(tokens) == expected


@given(st.integers(min_value=1, max_value=10**9))
def test_format_context_never_rounds(tokens: int) -> None:
    text = format_context(tokens)
    if text[-1] in "KM":
        number, unit = int(text[:-1]), text[-1]
        scales = (1000, 1024) if unit == "K" else (1000**2, 1024**2)
        assert any(number * scale == tokens for scale in scales)
    else:
        assert int(text.replace(",", "")) == tokens


@given(st.integers(min_value=0, max_value=10**15))
def test_underscore_grouped_counts_parse_back_exactly(count: int) -> None:
    grouped = f"{count:_}"
    assert parse_count(grouped) == count
    assert parse_count(str(count)) == count


@given(st.text(st.sampled_from("0123456789,._ KMBkmb"), min_size=1, max_size=12))
def test_any_text_with_a_comma_is_refused(text: str) -> None:
    if "," not in text:
        return
    with pytest.raises(UsageError, match="comma"):
        parse_count(text)


@given(st.text(max_size=40))
def test_parse_count_either_reads_a_number_or_says_why(text: str) -> None:
    try:
        value = parse_count(text)
    except UsageError as exc:
        assert str(exc).startswith("invalid count")
    else:
        assert 0 <= value <= 10**15


def test_plural() -> None:
    assert plural(1, "model") == "1 model" and plural(2, "model") == "2 models"
    assert plural(0, "saved policy", "saved policies") == "0 saved policies"
    assert plural(1, "saved policy", "saved policies") == "1 saved policy"

"""Normalising Hub tags, SPDX ids and ScanCode keys to our license ids."""

from __future__ import annotations

import pytest

from catalog.licenses.identifiers import LicenseIdentifiers, normalize_license_id, scancode_key
from catalog.schema import LicenseEntry


@pytest.mark.parametrize(
    ("identifier", "license_name", "expected"),
    [
        ("Apache-2.0", None, "apache-2.0"),
        ("apache-2.0", None, "apache-2.0"),
        ("MIT", None, "mit"),
        ("CC-BY-NC-4.0", None, "cc-by-nc-4.0"),
        ("llama2", None, "llama2"),
        ("llama3.1", None, "llama3.1"),
        ("llama-2-license-2023", None, "llama2"),
        ("llama-3.3-license-2024", None, "llama3.3"),
        ("llama-license-2023", None, "llama-1"),
        ("gemma-tou-2024-04-01", None, "gemma"),
        ("LicenseRef-scancode-gemma-tou-2024-04-01", None, "gemma"),
        ("licenseref-scancode-llama-2-license-2023", None, "llama2"),
        ("openai-tou-20241211", None, "openai-api"),
        ("bigscience-rail-1.0", None, "bigscience-bloom-rail-1.0"),
        ("LicenseRef-Apache-2.0", None, "apache-2.0"),  # an SPDX alias only the index knows
        ("LicenseRef-scancode-qwen-2024", None, "qwen"),  # newer than the bundled index
        ("other", "tongyi-qianwen", "tongyi-qianwen"),
        ("other", "qwen-research", "qwen-research"),
        ("other", "mrl", "mistral-mrl"),
        ("other", "llama3", "llama3"),  # the first Meta-Llama-3 cards
        ("  Apache-2.0 ", None, "apache-2.0"),
    ],
)
def test_known_spellings_resolve(
    licenses: dict[str, LicenseEntry], identifier: str, license_name: str | None, expected: str
) -> None:
    assert (
        normalize_license_id(identifier, licenses=licenses, license_name=license_name) == expected
    )


@pytest.mark.parametrize(
    ("identifier", "license_name"),
    [
        ("other", None),
        ("other", "some-custom-license"),
        ("unknown", None),  # the Hub tag of Falcon-180B and Falcon2-11B names no license
        ("GPL-2.0-only", None),  # a real license the catalog does not curate
        ("MIT OR Apache-2.0", None),  # an expression is not one license
        ("((", None),
        ("", None),
        (None, None),
    ],
)
def test_everything_else_is_none(
    licenses: dict[str, LicenseEntry], identifier: str | None, license_name: str | None
) -> None:
    assert normalize_license_id(identifier, licenses=licenses, license_name=license_name) is None


def test_scancode_keys_come_from_the_bundled_index() -> None:
    assert scancode_key("Apache-2.0") == "apache-2.0"
    assert scancode_key("GPL-2.0-only") == "gpl-2.0"
    assert scancode_key("LicenseRef-scancode-llama-2-license-2023") == "llama-2-license-2023"
    assert scancode_key("llama2") is None  # Hub ids are not ScanCode keys
    assert scancode_key("MIT WITH Classpath-exception-2.0") is None


def test_tables_come_from_the_license_file(licenses: dict[str, LicenseEntry]) -> None:
    tables = LicenseIdentifiers.from_licenses(licenses)
    assert tables.hub_ids["llama2"] == "llama2"
    assert "other" not in tables.hub_ids and "unknown" not in tables.hub_ids
    assert tables.hub_license_names["tongyi-qianwen"] == "tongyi-qianwen"
    assert tables.spdx["cc-by-sa-3.0"] == "cc-by-sa-3.0"
    assert tables.scancode_keys["deepseek-la-1.0"] == "deepseek-license-1.0"
    only_apache = {"apache-2.0": licenses["apache-2.0"]}
    assert normalize_license_id("llama2", licenses=only_apache) is None

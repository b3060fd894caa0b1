"""Every spelling ``license check`` accepts is a filter; an unknown license or family is a usage
error with suggestions."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from catalog.api import Catalog
from catalog.cli.main import app
from catalog.errors import UnknownLicenseError, UsageError
from catalog.search import make_filters

LLAMA2_SPELLINGS = (
    "llama2",  # catalog id and Hub tag
    "LLAMA2",
    "llama-2-license-2023",  # ScanCode key
    "LicenseRef-scancode-llama-2-license-2023",  # its SPDX form
)


@pytest.mark.parametrize("spelling", LLAMA2_SPELLINGS)
def test_cli_list_finds_the_llama2_models_by_any_spelling(cat: Catalog, spelling: str) -> None:
    result = CliRunner().invoke(app, ["list", "--license", spelling, "--format", "json"])
    assert result.exit_code == 0, result.output
    ids = {m["id"] for m in json.loads(result.stdout)}
    assert "llama-2-7b" in ids and all(cat.get(i).license == "llama2" for i in ids)


@pytest.mark.parametrize("spelling", ["Apache-2.0", "apache-2.0", "LicenseRef-Apache-2.0"])
def test_spdx_spellings_in_the_python_api(cat: Catalog, spelling: str) -> None:
    ids = [m.id for m in cat.list(license=spelling)]
    assert ids == [m.id for m in cat.list(license="apache-2.0")] and ids


@pytest.mark.parametrize(
    "argv",
    [
        ["list", "--license", "lama2"],
        ["shortlist", "--license", "lama2"],
        ["license", "check", "--license", "lama2"],
    ],
)
def test_an_unknown_license_is_a_usage_error_with_suggestions(
    cat: Catalog, argv: list[str]
) -> None:
    result = CliRunner().invoke(app, argv)
    assert result.exit_code == 2
    assert "unknown license 'lama2'" in result.stderr and "llama2" in result.stderr
    assert "Traceback" not in result.output


def test_an_unknown_family_is_a_usage_error_with_suggestions(cat: Catalog) -> None:
    result = CliRunner().invoke(app, ["list", "--family", "Llama 22"])
    assert result.exit_code == 2
    assert "unknown family 'Llama 22'" in result.stderr and "Llama 2" in result.stderr
    with pytest.raises(UsageError, match="unknown family"):
        cat.query(make_filters(family="nosuch"))
    with pytest.raises(UnknownLicenseError):
        cat.list(license="nosuch")


def test_license_show_and_the_api_use_the_same_resolver(cat: Catalog) -> None:
    assert cat.license("llama-2-license-2023").id == "llama2"
    shown = CliRunner().invoke(app, ["license", "show", "Apache-2.0", "--format", "json"])
    assert json.loads(shown.stdout)["id"] == "apache-2.0"

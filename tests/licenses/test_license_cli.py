"""``modelcat license check/list/show`` over the real catalog: JSON contract, exit codes, errors."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import typer
from typer.testing import CliRunner

from catalog.cli.common import ModelcatGroup
from catalog.cli.license_cmd import license_app

# The group is registered in catalog.cli.main by the lead; a bare host keeps these tests independent.
app = typer.Typer(cls=ModelcatGroup)


@app.callback()
def _root() -> None:
    """Test host for the license command group."""


app.add_typer(license_app, name="license")
runner = CliRunner()

HEADLINE = ["--use", "commercial", "--mau", "900M", "--modify", "--distribute", "derivatives"]


def run(*args: str) -> Any:
    return runner.invoke(app, ["license", *args])


def check_json(*args: str, code: int = 0) -> Any:
    result = run("check", *args, "--format", "json")
    assert result.exit_code == code, result.output
    return json.loads(result.stdout)


def test_headline_query_over_the_whole_catalog() -> None:
    data = check_json(*HEADLINE)
    assert data["query"] == {
        "use": "commercial", "mau": 900_000_000, "modify": True, "distribute": "derivatives",
        "train_on_outputs": False, "host_api": False,
    }  # fmt: skip
    by_license: dict[str, set[str]] = {}
    for result in data["results"]:
        assert set(result) >= {"model", "license", "verdict", "obligations", "reasons"}
        assert result["reasons"], result["model"]
        by_license.setdefault(result["license"], set()).add(result["verdict"])
    for capped in ("llama2", "llama3", "llama3.1", "llama3.3", "tongyi-qianwen", "qwen"):
        if capped in by_license:
            assert by_license[capped] == {"forbidden"}, capped
    assert by_license["llama2"] == {"forbidden"}
    assert by_license["llama-1"] == {"forbidden"}
    assert by_license["apache-2.0"] == {"allowed"} and by_license["mit"] == {"allowed"}
    assert by_license["gemma"] == {"conditional"}
    assert by_license["bigscience-bloom-rail-1.0"] == {"conditional"}
    assert by_license["openai-api"] == {"forbidden"}
    llama = next(r for r in data["results"] if r["model"] == "llama-2-7b")
    mau = next(r for r in llama["reasons"] if r["term"] == "mau_limit")
    assert "700,000,000" in mau["detail"] and mau["source"].startswith("https://")


def test_whole_catalog_report_exits_zero_but_a_named_forbidden_model_fails() -> None:
    assert run("check", *HEADLINE).exit_code == 0
    failed = run("check", "llama-2-7b", "mistral-7b", *HEADLINE)
    assert failed.exit_code == 1
    assert "mau_limit" in failed.stdout or "MAU cap" in failed.stdout
    passed = run("check", "mistral-7b", "gemma-7b", *HEADLINE)
    assert passed.exit_code == 0, passed.output


def test_named_models_get_obligations_and_sources_in_the_table() -> None:
    result = run("check", "llama-3.1-8b", "--mau", "5000", "--train-on-outputs")
    assert result.exit_code == 0, result.output
    assert "conditional" in result.stdout
    assert "Name derived models as required" in result.stdout
    assert "https://www.llama.com/faq/" in result.stdout


def test_falcon_180b_hosting_and_gpt_4_weights() -> None:
    hosted = check_json("falcon-180b", "--host-api", code=1)["results"][0]
    assert hosted["verdict"] == "forbidden"
    assert hosted["reasons"][0]["term"] == "hosting"
    embedded = check_json("falcon-180b")["results"][0]
    assert embedded["verdict"] == "conditional"
    weights = check_json("gpt-4", "--distribute", "weights", code=1)["results"][0]
    assert weights["verdict"] == "forbidden"


def test_hub_ids_name_models_too() -> None:
    data = check_json("mistralai/Mistral-7B-v0.1")
    assert data["results"][0]["model"] == "mistral-7b"


def test_filters_narrow_the_whole_catalog_check() -> None:
    data = check_json("--license", "apache-2.0", *HEADLINE)
    assert data["results"] and {r["license"] for r in data["results"]} == {"apache-2.0"}


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--distribute", "everything"], "everything"),
        (["--use", "military"], "military"),
        (["--mau", "lots"], "mau"),
        (["no-such-model"], "unknown model"),
    ],
)
def test_bad_flags_and_unknown_models_exit_2(args: list[str], message: str) -> None:
    result = run("check", *args)
    assert result.exit_code == 2
    assert message in result.output


def write_policy(tmp_path: Path, text: str) -> str:
    path = tmp_path / "policy.yaml"
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_policy_file_gates_and_explains(tmp_path: Path) -> None:
    policy = write_policy(tmp_path, "use:\n  use: commercial\n  mau: 5000\ndeny_licenses: [mit]\n")
    data = check_json("gpt-neo-2.7b", "mistral-7b", "--policy", policy, code=1)
    assert data["query"]["mau"] == 5000
    assert data["policy"]["deny_licenses"] == ["mit"]
    verdicts = {r["model"]: r for r in data["results"]}
    assert verdicts["gpt-neo-2.7b"]["verdict"] == "forbidden"
    assert verdicts["gpt-neo-2.7b"]["reasons"][0]["term"] == "policy"
    assert verdicts["mistral-7b"]["verdict"] == "allowed"


def test_policy_and_use_flags_conflict(tmp_path: Path) -> None:
    policy = write_policy(tmp_path, "use:\n  use: research\n")
    result = run("check", "mistral-7b", "--policy", policy, "--modify")
    assert result.exit_code == 2 and "--policy" in result.output


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("use: [\n", "not valid YAML"),
        ("use:\n  use: commercial\ndeny_licenses: [llama-5]\n", "unknown license id 'llama-5'"),
        ("use:\n  usage: commercial\n", "unknown key"),
    ],
)
def test_bad_policy_files_exit_2(tmp_path: Path, text: str, message: str) -> None:
    result = run("check", "mistral-7b", "--policy", write_policy(tmp_path, text))
    assert result.exit_code == 2
    assert message in result.output and "policy.yaml" in result.output


def test_unknown_license_id_in_a_data_file_exits_2(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    overlay = tmp_path / "data"
    overlay.mkdir()
    (overlay / "models.yaml").write_text(
        "models:\n"
        "  - id: my-model\n"
        "    name: My Model\n"
        "    family: Mine\n"
        "    publisher: Me\n"
        "    release_date: 2024-01-01\n"
        "    variant: base\n"
        "    license: llama-5\n"
        "    access: open\n"
        "    sources:\n"
        "      license: https://example.org/license\n"
        "      access: https://example.org/access\n",
        encoding="utf-8",
    )
    monkeypatch.setenv("MODELCAT_DATA", str(overlay))
    result = run("check", "my-model")
    assert result.exit_code == 2
    assert "llama-5" in result.output


def test_sarif_output(tmp_path: Path) -> None:
    policy = write_policy(tmp_path, "use:\n  mau: 900M\n  modify: true\n")
    result = run("check", "llama-2-7b", "mistral-7b", "--policy", policy, "--format", "sarif")
    assert result.exit_code == 1
    log = json.loads(result.stdout)
    (sarif_result,) = log["runs"][0]["results"]
    assert sarif_result["ruleId"] == "license/mau_limit" and sarif_result["level"] == "error"
    assert sarif_result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == policy


def test_csv_lists_obligations_and_reasons() -> None:
    result = run("check", "gemma-7b", *HEADLINE, "--format", "csv")
    assert result.exit_code == 0, result.output
    header, row = result.stdout.splitlines()[:2]
    assert header == "model,license,verdict,decided by,obligations,reasons"
    assert "Comply with the use restrictions" in row


def test_license_list_and_show() -> None:
    listed = run("list", "--format", "json")
    assert listed.exit_code == 0
    entries = json.loads(listed.stdout)
    assert {"llama2", "apache-2.0", "openai-api"} <= {e["id"] for e in entries}
    table = run("list")
    assert table.exit_code == 0 and "falcon-180b-tii-1.0" in table.stdout
    shown = json.loads(run("show", "llama2", "--format", "json").stdout)
    assert shown["mau_limit"] == 700_000_000
    assert shown["terms"]["output_training_restriction"]["value"] == "yes"
    by_scancode = run("show", "LicenseRef-scancode-gemma-tou-2024-04-01")
    assert by_scancode.exit_code == 0 and "Gemma Terms of Use" in by_scancode.stdout
    assert "Hosting Use" in run("show", "falcon-180b-tii-1.0").stdout
    missing = run("show", "llama-5")
    assert missing.exit_code == 2 and "unknown license" in missing.output

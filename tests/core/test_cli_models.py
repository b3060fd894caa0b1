"""``modelcat list/shortlist/show/export/db``: the CLI contract scripts rely on."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

import pytest
from typer.testing import CliRunner

from catalog.cli.main import app

REQUIRED_IDS = """
llama-7b llama-13b llama-33b llama-65b
llama-2-7b llama-2-13b llama-2-70b llama-2-7b-chat llama-2-13b-chat llama-2-70b-chat
falcon-7b falcon-7b-instruct falcon-40b falcon-40b-instruct falcon-180b falcon-180b-chat
gpt-neo-125m gpt-neo-1.3b gpt-neo-2.7b gpt-j-6b
davinci-002 babbage-002 gpt-3.5-turbo gpt-4 gpt-4-turbo gpt-4o gpt-4o-mini
gpt-neox-20b pythia-1b pythia-6.9b mpt-7b bloom-560m bloom starcoder mistral-7b mixtral-8x7b
llama-3-8b llama-3-70b llama-3.1-8b llama-3.1-70b llama-3.1-405b llama-3.2-1b llama-3.2-3b
llama-3.3-70b gemma-2b gemma-7b gemma-2-9b qwen-7b qwen2.5-7b qwen2.5-72b phi-2 phi-3-mini
olmo-7b deepseek-llm-7b deepseek-r1
""".split()

MODEL_KEYS = {
    "id", "name", "family", "publisher", "release_date", "variant", "params", "active_params",
    "context_length", "hub_id", "license", "access", "tunability", "tuning_routes", "sources",
}  # fmt: skip

runner = CliRunner()


def run(*args: str) -> Any:
    result = runner.invoke(app, list(args))
    return result


def run_json(*args: str) -> Any:
    result = run(*args, "--format", "json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def ids(*args: str) -> list[str]:
    return [m["id"] for m in run_json(*args)]


def test_list_json_has_every_required_model_with_license_access_tunability() -> None:
    models = {m["id"]: m for m in run_json("list")}
    missing = [i for i in REQUIRED_IDS if i not in models]
    assert missing == []
    for model in models.values():
        assert MODEL_KEYS <= model.keys()
        assert model["license"] and model["access"] in {"open", "gated", "request", "api"}
        assert isinstance(model["tunability"], list)
        assert model["sources"]["license"].startswith("http")
        assert model["sources"]["access"].startswith("http")


def test_list_is_sorted_by_id_and_top_limits() -> None:
    everything = ids("list")
    assert everything == sorted(everything)
    assert ids("list", "--top", "5") == everything[:5]


def test_family_filter_accepts_name_or_slug() -> None:
    by_name = ids("list", "--family", "Llama 2")
    assert set(by_name) == {
        "llama-2-7b", "llama-2-13b", "llama-2-70b", "llama-2-7b-chat", "llama-2-13b-chat", "llama-2-70b-chat",
    }  # fmt: skip
    assert ids("list", "--family", "llama-2") == by_name


def test_access_filter_is_repeatable() -> None:
    api = set(ids("list", "--access", "api"))
    assert {"gpt-4", "gpt-4o", "gpt-3.5-turbo", "davinci-002"} <= api
    both = set(ids("list", "--access", "api", "--access", "request"))
    assert api < both and {"llama-7b", "llama-65b"} <= both


def test_params_filters_accept_suffixes() -> None:
    models = run_json("list", "--min-params", "1B", "--max-params", "8B")
    assert models
    assert all(1_000_000_000 <= m["params"] <= 8_000_000_000 for m in models)
    assert "llama-2-7b" in {m["id"] for m in models}
    assert "gpt-neo-125m" not in {m["id"] for m in models}


def test_tunable_filter() -> None:
    api_tunable = set(ids("list", "--tunable", "api-finetune"))
    assert {"gpt-4o", "gpt-4o-mini", "davinci-002"} <= api_tunable
    assert "gpt-4-turbo" not in api_tunable
    assert "gpt-3.5-turbo" not in api_tunable  # shut down: no route is left
    assert "llama-2-7b" in ids("list", "--tunable", "qlora")


def test_commercial_with_mau_excludes_llama_above_700m() -> None:
    small = set(ids("list", "--commercial"))
    assert {"llama-2-7b", "mistral-7b", "falcon-7b"} <= small
    assert "llama-7b" not in small  # LLaMA v1: non-commercial research only
    big = set(ids("list", "--mau", "900M"))
    assert "llama-2-7b" not in big and "llama-3.1-8b" not in big
    assert "qwen-7b" not in big  # Tongyi Qianwen: 100M MAU cap
    assert {"mistral-7b", "gpt-j-6b"} <= big


def test_search_matches_id_name_family_publisher() -> None:
    found = set(ids("list", "--search", "eleuther"))
    assert {"gpt-neo-125m", "gpt-j-6b", "pythia-1b"} <= found
    assert "llama-2-7b" not in found


def test_sort_by_params_descending() -> None:
    models = run_json("list", "--access", "open", "--sort", "params:desc", "--top", "3")
    params = [m["params"] for m in models]
    assert params == sorted(params, reverse=True)


def test_shortlist_is_ranked_and_accepts_the_same_filters() -> None:
    models = run_json(
        "shortlist", "--access", "open", "--tunable", "lora", "--max-params", "8B", "--top", "10"
    )
    assert 0 < len(models) <= 10
    assert all(m["access"] == "open" and "lora" in m["tunability"] for m in models)


@pytest.mark.parametrize(
    "flag",
    [
        ["--access", "sometimes"],
        ["--tunable", "magic"],
        ["--max-params", "lots"],
        ["--sort", "colour"],
    ],
)
def test_bad_filter_values_exit_2(flag: list[str]) -> None:
    result = run("list", *flag)
    assert result.exit_code == 2
    assert "Traceback" not in result.output


def test_empty_result_explains_which_filter_removed_everything() -> None:
    result = run("list", "--access", "api", "--tunable", "qlora")
    assert result.exit_code == 0
    assert "--access, --tunable" in result.stderr


def test_show_by_catalog_id_and_by_hub_id() -> None:
    by_id = run_json("show", "llama-2-7b")
    assert by_id["id"] == "llama-2-7b" and by_id["license"] == "llama2"
    assert MODEL_KEYS <= by_id.keys()
    by_hub = run_json("show", by_id["hub_id"])
    assert by_hub["id"] == "llama-2-7b"
    assert by_id["license_summary"]["id"] == "llama2"


def test_show_unknown_model_exits_2_with_suggestions() -> None:
    result = run("show", "llama-2-7")
    assert result.exit_code == 2
    assert "unknown model 'llama-2-7'" in result.stderr
    assert "llama-2-7b" in result.stderr
    suggested = result.stderr.split("Did you mean: ")[1].rstrip("?\n").split(", ")
    assert len(suggested) == len(set(suggested))


def test_list_csv_and_markdown() -> None:
    out = run("list", "--family", "GPT-Neo", "--format", "csv").stdout
    rows = list(csv.DictReader(io.StringIO(out)))
    assert {r["id"] for r in rows} == {"gpt-neo-125m", "gpt-neo-1.3b", "gpt-neo-2.7b"}
    md = run("list", "--family", "GPT-Neo", "--format", "md").stdout
    assert md.splitlines()[2].startswith("| id | family |")
    assert "| gpt-neo-125m |" in md


def test_export_json_has_models_and_licenses() -> None:
    data = run_json("export")
    assert {m["id"] for m in data["models"]} >= set(REQUIRED_IDS)
    assert {lic["id"] for lic in data["licenses"]} >= {"llama2", "apache-2.0", "openai-api"}


def test_db_info_and_rebuild() -> None:
    info = run_json("db", "info")
    assert info["backend"] == "sqlite" and info["curated_models"] >= 60 and info["stale"] is False
    rebuilt = run_json("db", "rebuild")
    assert rebuilt["models"] == info["curated_models"]


def test_python_api_matches_cli() -> None:
    from catalog import Catalog

    with Catalog.open() as cat:
        models = cat.shortlist(access=["open"], tunable=["lora"], max_params="8B", top=10)
        assert [m.id for m in models] == ids(
            "shortlist",
            "--access",
            "open",
            "--tunable",
            "lora",
            "--max-params",
            "8B",
            "--top",
            "10",
        )
        assert cat.get("meta-llama/Llama-2-7b-hf").id == "llama-2-7b"
        with pytest.raises(TypeError):
            cat.list("llama")  # type: ignore[misc]  # filters are keyword-only


@pytest.mark.parametrize(
    "flags",
    [
        ["--use", "commercial", "--mau", "900M", "--modify", "--distribute", "derivatives"],
        ["--train-on-outputs"],
        ["--host-api", "--modify"],
        ["--use", "research", "--distribute", "weights"],
    ],
)
def test_shortlist_compliance_flags_keep_exactly_the_not_forbidden_models(flags: list[str]) -> None:
    kept = set(ids("shortlist", *flags))
    verdicts = run_json("license", "check", *flags)["results"]
    expected = {v["model"] for v in verdicts if v["verdict"] != "forbidden"}
    assert kept == expected
    assert len(expected) < len(verdicts)  # the flags really rule something out


def test_shortlist_for_a_big_commercial_product_drops_llama_and_keeps_apache() -> None:
    kept = set(ids("shortlist", "--mau", "900M", "--modify", "--distribute", "derivatives"))
    assert {"mistral-7b", "falcon-40b", "gpt-j-6b", "gemma-7b"} <= kept
    assert not {"llama-2-7b", "llama-3.1-8b", "qwen-7b", "llama-7b", "gpt-4"} & kept

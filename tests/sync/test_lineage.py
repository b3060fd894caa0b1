"""A derivative is bound by its base model's license, whatever its own tag says."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from catalog.api import Catalog
from catalog.cli.main import app
from catalog.hub import HubClient
from catalog.licenses import IntendedUse, check_compliance
from catalog.sync import check_with_lineage, discover, lineages
from catalog.testing.fake_hub import FakeHub
from catalog.views import detail_json, model_detail

LLAMA2 = "meta-llama/Llama-2-7b-hf"
REUPLOAD = "someone/Llama-2-7b-reupload"
QUANT = "TheBloke/Llama-2-7b-reupload-GPTQ"
ORPHAN = "someone/mystery-finetune"
BIG = IntendedUse(mau=800_000_000)  # above Llama 2's 700 million monthly-active-user cap


def _seed(hub: FakeHub, cat: Catalog, client: HubClient) -> None:
    config = {"architectures": ["LlamaForCausalLM"], "model_type": "llama"}
    hub.add_model(REUPLOAD, config=config, license="apache-2.0", base_model=LLAMA2)
    hub.add_model(
        QUANT, config=config, license="apache-2.0", base_model=REUPLOAD,
        base_model_relation="quantized",
    )  # fmt: skip
    hub.add_model(ORPHAN, config=config, license="mit", base_model="nobody/unknown-base")
    discover(cat, client=client, author="someone")
    discover(cat, client=client, author="TheBloke")


def test_reupload_tagged_apache_is_judged_as_llama2(
    cat: Catalog, hub: FakeHub, client: HubClient
) -> None:
    _seed(hub, cat, client)
    reupload = cat.get(REUPLOAD)
    assert reupload.license == "apache-2.0"  # its own tag, stored as the Hub says
    licenses = {lic.id: lic for lic in cat.licenses()}
    alone = check_compliance([reupload], licenses, BIG)[0]
    assert alone.verdict == "allowed"  # what catalogs that ignore lineage say
    [verdict] = check_with_lineage(cat, [reupload], licenses, BIG)
    original = check_compliance([cat.get("llama-2-7b")], licenses, BIG)[0]
    assert verdict.verdict == original.verdict == "forbidden"
    assert verdict.license == "llama2" and set(verdict.licenses) == {"apache-2.0", "llama2"}
    lineage = next(r for r in verdict.reasons if r.term == "lineage")
    assert LLAMA2 in lineage.detail and "Contradiction" in lineage.detail
    assert "apache-2.0" in lineage.detail


def test_the_chain_is_followed_through_a_quantization(
    cat: Catalog, hub: FakeHub, client: HubClient
) -> None:
    _seed(hub, cat, client)
    quant = cat.get(QUANT)
    found = lineages(cat, [quant])[quant.id]
    assert [(b.repo_id, b.license, b.relation) for b in found.bases] == [
        (REUPLOAD, "apache-2.0", "quantized"),
        (LLAMA2, "llama2", "finetune"),
    ]
    assert found.bases[1].via == REUPLOAD and found.bases[1].model_id == "llama-2-7b"
    licenses = {lic.id: lic for lic in cat.licenses()}
    [verdict] = check_with_lineage(cat, [quant], licenses, BIG)
    assert verdict.verdict == "forbidden" and verdict.license == "llama2"


def test_a_base_outside_the_catalog_is_unknown(
    cat: Catalog, hub: FakeHub, client: HubClient
) -> None:
    _seed(hub, cat, client)
    orphan = cat.get(ORPHAN)
    licenses = {lic.id: lic for lic in cat.licenses()}
    [verdict] = check_with_lineage(cat, [orphan], licenses, IntendedUse())
    assert verdict.verdict == "unknown" and "unknown" in verdict.licenses
    assert any("not in the catalog" in r.detail for r in verdict.reasons if r.term == "lineage")


def test_curated_models_keep_their_curated_verdict(
    cat: Catalog, hub: FakeHub, client: HubClient
) -> None:
    _seed(hub, cat, client)
    curated = cat.get("llama-2-7b")
    licenses = {lic.id: lic for lic in cat.licenses()}
    assert check_with_lineage(cat, [curated], licenses, BIG) == check_compliance(
        [curated], licenses, BIG
    )


def test_cli_license_check_and_show(
    cat: Catalog, hub: FakeHub, client: HubClient, db_path: Path
) -> None:
    _seed(hub, cat, client)
    runner = CliRunner()
    result = runner.invoke(app, ["license", "check", REUPLOAD, "--mau", "800M", "--format", "json"])
    assert result.exit_code == 1  # forbidden: the Llama 2 user cap binds the re-upload
    [entry] = json.loads(result.stdout)["results"]
    assert entry["license"] == "llama2" and entry["verdict"] == "forbidden"
    assert entry["reasons"][0]["term"] == "lineage"
    table = runner.invoke(app, ["license", "check", REUPLOAD, "--mau", "800M"])
    assert "Contradiction" in table.stdout and table.exit_code == 1
    shown = detail_json(model_detail(cat, cat.get(REUPLOAD)))
    assert shown["lineage"]["licenses"] == ["apache-2.0", "llama2"]
    assert shown["lineage"]["base_models"][0]["repo_id"] == LLAMA2
    assert "Contradiction" in shown["lineage"]["contradiction"]
    assert shown["hub"]["base_models"] == [LLAMA2]
